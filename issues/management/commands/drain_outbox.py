from django.core.management.base import BaseCommand

from issues import forwarding, notices


class Command(BaseCommand):
    help = "Send every due case (and every due notice) to the governance platform in this process, without a broker."

    def add_arguments(self, parser):
        parser.add_argument("--wait", action="store_true", help="keep going until nothing is pending")
        parser.add_argument("--timeout", type=float, default=600, help="give up waiting after this many seconds")

    def handle(self, *args, wait: bool, timeout: float, **options):
        counts = forwarding.drain(wait=wait, timeout=timeout)
        sent = notices.drain()
        self.stdout.write(" ".join(f"{status}={count}" for status, count in counts.items()) + f" notices_sent={sent}")
