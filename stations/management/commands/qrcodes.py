"""`manage.py qrcodes --out DIR [--format png|svg]`: one QR image per active deputy
(deputy-<pk>.<fmt>) and per active station (station-<pk>.<fmt>), each encoding the absolute public
URL built from PUBLIC_BASE_URL — for a print shop, or to check a batch of posters."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deputies.models import Deputy
from liaison.qr import deputy_public_url, qr_png, qr_svg, station_public_url
from stations.models import Station

PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = "Write a QR image for every active deputy and station."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="directory to write the images into (created if missing)")
        parser.add_argument("--format", choices=["png", "svg"], default="png")

    def handle(self, *args, out: str, format: str, **options):
        directory = Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"cannot create {directory}: {error}") from error
        draw = qr_png if format == "png" else qr_svg
        jobs = [(f"deputy-{d.pk}", deputy_public_url(d)) for d in Deputy.objects.filter(is_active=True).order_by("pk")]
        jobs += [
            (f"station-{s.pk}", station_public_url(s)) for s in Station.objects.filter(is_active=True).order_by("pk")
        ]
        for done, (name, url) in enumerate(jobs, start=1):
            (directory / f"{name}.{format}").write_bytes(draw(url))
            if done % PROGRESS_EVERY == 0:
                self.stdout.write(f"{done}/{len(jobs)} images written")
        self.stdout.write(self.style.SUCCESS(f"{len(jobs)} images written to {directory}"))
