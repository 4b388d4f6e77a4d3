"""`python manage.py seed_demo [--password P]`: idempotent demo data from the seed's places."""

import logging
import random
import time
from collections import Counter

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from activities.models import Activity, ActivityItem
from demo import data as demo_data
from demo.activities import seed_activities
from demo.build import build_world
from demo.cases import seed_cases
from deputies.models import Deputy, Stationing
from issues import clock
from issues.models import Category, Department, Evaluation, Issue, IssueEvent, State
from stations.models import DutySlot, Region, Station

SEED = 2026


class _CountUnqueued(logging.Filter):
    """Counts (and keeps off the console) the forwarding layer's "could not enqueue" warnings:
    with no broker yet (a fresh clone, before the worker starts), every historical assignment
    would print a traceback. The rows stay pending and the worker's sweeper sends them."""

    def __init__(self):
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("could not enqueue forwarding"):
            self.count += 1
            return False
        return True


class Command(BaseCommand):
    help = "Create (or complete) the demo data: the four island towns' stations, deputies, cases and demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=demo_data.DEFAULT_PASSWORD,
            help="Password of the demo accounts (default: %(default)s). Running again with another one updates them.",
        )

    def handle(self, *args, password: str, **options):
        started = time.monotonic()
        now = clock.now()
        world = build_world(password=password, today=timezone.localdate(now))
        unqueued = _CountUnqueued()
        forwarding_logger = logging.getLogger("issues.forwarding")
        forwarding_logger.addFilter(unqueued)
        try:
            created = seed_cases(world, random.Random(SEED), now)
            activity_scenarios = seed_activities(world, now)
        finally:
            forwarding_logger.removeFilter(unqueued)
        elapsed = time.monotonic() - started

        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Demo data ready in {elapsed:.1f} s "
                f"({created} new cases, {activity_scenarios} new activity scenarios)."
            )
        )
        counts = {
            "regions": Region.objects.count(),
            "stations": Station.objects.count(),
            "deputies": Deputy.objects.count(),
            "stationings": Stationing.objects.count(),
            "duty slots": DutySlot.objects.count(),
            "categories": Category.objects.count(),
            "departments": Department.objects.count(),
            "cases": Issue.objects.count(),
            "timeline events": IssueEvent.objects.count(),
            "evaluations": Evaluation.objects.count(),
            "activities": Activity.objects.count(),
            "activity items": ActivityItem.objects.count(),
        }
        out.write("  " + ", ".join(f"{name}: {n}" for name, n in counts.items()))
        by_state = Counter(Issue.objects.values_list("state", flat=True))
        out.write("  cases by state: " + ", ".join(f"{s}: {by_state.get(s, 0)}" for s in State.values))
        overdue = Issue.objects.filter(state__in=[State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED])
        out.write(
            f"  overdue now: {overdue.filter(deadline__lt=now).count()}, "
            f"handled again (round > 1): {Issue.objects.filter(round__gt=1).count()}"
        )
        if unqueued.count:
            out.write(f"  {unqueued.count} forwardings to the governance platform wait for the worker (no broker now).")
        out.write(f"  accounts (password: {password}):")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=demo_data.ACCOUNTS)}
        for username in demo_data.ACCOUNTS:
            user = users[username]
            out.write(f"    {username:<22} {user.last_name}{user.first_name}")
