import time

from django.core.management.base import BaseCommand, CommandError

from issues.models import Issue
from issues.timeline import check_all


class Command(BaseCommand):
    help = (
        "Check every case's timeline hash chain (issues.timeline). Exits 0 when all are intact, "
        "non-zero naming each case (short code and id) whose chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--case", metavar="SHORTCODE", help="check only this case (e.g. K7QM-3XPA)")

    def handle(self, *args, case: str | None = None, **options):
        short_code = None
        if case is not None:
            compact = case.strip().upper().replace("-", "").replace(" ", "")
            short_code = f"{compact[:4]}-{compact[4:]}"
            if len(compact) != 8 or not Issue.objects.filter(short_code=short_code).exists():
                raise CommandError(f"No case has the short code {case!r}.")
        started = time.monotonic()
        cases = events = broken = 0
        named: list[str] = []  # the first few, for the closing line: memory stays constant
        for result in check_all(short_code=short_code):
            cases += 1
            events += result.events
            if not result.ok:
                broken += 1
                if len(named) < 20:
                    named.append(f"{result.short_code} (id {result.issue_id})")
                # As found, so that a long run shows its findings before it ends.
                self.stderr.write(f"Case {result.short_code} (id {result.issue_id}): {result.problem}")
        self.stdout.write(
            f"Checked {cases} cases and {events} events in {time.monotonic() - started:.1f} s: "
            f"{broken} with a broken timeline."
        )
        if broken:
            more = f" and {broken - len(named)} more" if broken > len(named) else ""
            raise CommandError(f"Broken timeline in {broken} case(s): {', '.join(named)}{more}.")
