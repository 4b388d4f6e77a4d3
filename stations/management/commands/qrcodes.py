"""`manage.py qrcodes --out DIR [--format png|svg]`: one QR image per active deputy
(deputy-<pk>.<fmt>) and per active station (station-<pk>.<fmt>), each encoding the absolute public
URL built from PUBLIC_BASE_URL — for a print shop, or to check a batch of posters.

Next to the images, index.csv and index.html say whose each file is (a file name alone does not
tell a print shop which poster goes to which door): the file, the kind of code, the deputy's or
station's name, the station(s) and township, and the URL encoded. index.html shows the images
with those names, ready to print."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from deputies.models import Deputy, Stationing
from liaison.exports import safe_row
from liaison.qr import deputy_public_url, qr_png, qr_svg, station_public_url
from stations.models import Region, Station

PROGRESS_EVERY = 100
INDEX_COLUMNS = ["file", "kind", "name", "station", "township", "url"]


@dataclass(frozen=True)
class Code:
    """One image to write and the line of the index that names it."""

    file: str
    kind: str  # deputy or station
    name: str
    station: str
    township: str
    url: str

    def row(self) -> list[str]:
        return [self.file, self.kind, self.name, self.station, self.township, self.url]


class Command(BaseCommand):
    help = "Write a QR image for every active deputy and station, with index.csv and index.html naming each."

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
        codes = _codes(format)
        for done, code in enumerate(codes, start=1):
            (directory / code.file).write_bytes(draw(code.url))
            if done % PROGRESS_EVERY == 0:
                self.stdout.write(f"{done}/{len(codes)} images written")
        _write_index(directory, codes)
        self.stdout.write(
            self.style.SUCCESS(f"{len(codes)} images written to {directory}, named in index.csv and index.html")
        )


def _codes(extension: str) -> list[Code]:
    townships = _TownshipNames()
    deputies = list(Deputy.objects.filter(is_active=True).order_by("pk"))
    serving: dict[int, list[Station]] = {}
    for stationing in Stationing.objects.current().filter(deputy__in=deputies).select_related("station__region"):
        serving.setdefault(stationing.deputy_id, []).append(stationing.station)
    codes = []
    for deputy in deputies:
        # Sorted here, not by the database, whose collation of Chinese names differs by backend.
        stations = sorted(serving.get(deputy.pk, []), key=lambda station: station.name)
        codes.append(
            Code(
                file=f"deputy-{deputy.pk}.{extension}",
                kind="deputy",
                name=deputy.name,
                station="、".join(dict.fromkeys(s.name for s in stations)),
                township="、".join(dict.fromkeys(townships.of(s.region) for s in stations)),
                url=deputy_public_url(deputy),
            )
        )
    for station in Station.objects.filter(is_active=True).select_related("region").order_by("pk"):
        codes.append(
            Code(
                file=f"station-{station.pk}.{extension}",
                kind="station",
                name=station.name,
                station=station.name,
                township=townships.of(station.region),
                url=station_public_url(station),
            )
        )
    return codes


class _TownshipNames:
    """The township (乡镇/街道) a region lies in, from the ids in its path; the region's own name
    for one above township level. All regions are read once: a county has a few hundred."""

    def __init__(self):
        self._regions = {r.pk: r for r in Region.objects.only("pk", "name", "level", "path")}

    def of(self, region: Region) -> str:
        for pk in (int(part) for part in region.path.strip("/").split("/") if part.isdigit()):
            ancestor = self._regions.get(pk)
            if ancestor is not None and ancestor.level == Region.Level.TOWNSHIP:
                return ancestor.name
        return region.name


def _write_index(directory: Path, codes: list[Code]) -> None:
    # utf-8-sig: Excel, which print shops open a CSV with, reads the Chinese names only with the BOM.
    with open(directory / "index.csv", "w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file)
        writer.writerow(INDEX_COLUMNS)
        writer.writerows(safe_row(code.row()) for code in codes)
    html = render_to_string("stations/qrcodes_index.html", {"codes": codes})
    (directory / "index.html").write_text(html, encoding="utf-8")
