"""Demo activities, replayed through activities.services with `clock.frozen_at` like the cases:
秀山乡's 乡长有约 (one held with its inspection, one upcoming with an escalated case), 洋山镇's
大会问政 with its three preparatory meetings and follow-up supervision list, and a themed activity
and an evening talk at the 白泉镇 railway point. Each scenario is skipped when its main activity
exists, which makes seeding idempotent."""

import datetime
from datetime import timedelta

from django.db import transaction

from activities.models import Activity, DutyRule
from activities.services import (
    duty_rule_create,
)
from demo import data
from demo.appointments import RAILWAY_THEMED, XIUSHAN_APPOINTMENT, railway, xiushan
from demo.build import DemoWorld
from demo.moments import Clock
from demo.questioning import YANGSHAN_SESSION, yangshan
from issues import clock
from issues.models import Issue, State
from issues.permissions import Actor
from issues.services import issue_close_unevaluated


def seed_activities(world: DemoWorld, now: datetime.datetime) -> int:
    """Create the demo activities that are missing; returns how many scenarios were added."""
    c = Clock(now)
    added = 0
    for theme, scenario in [
        (YANGSHAN_SESSION, yangshan),
        (XIUSHAN_APPOINTMENT, xiushan),
        (RAILWAY_THEMED, railway),
    ]:
        if Activity.objects.filter(theme=theme).exists():
            continue
        with transaction.atomic():
            scenario(world, c)
            _close_unrated(theme, c)
        added += 1
    _shop_rules(world, c)
    return added


def _close_unrated(theme: str, c: Clock) -> None:
    """What the scheduled sweeper would have done: an item's case is rated by deputies, not by a
    villager, so once its evaluation window passed it was closed as not evaluated."""
    replied = Issue.objects.filter(
        activity_item__activity__theme=theme, state=State.REPLIED, deadline__lt=c.now
    ).values_list("pk", "deadline")
    for issue_id, deadline in list(replied):
        with clock.frozen_at(deadline + timedelta(minutes=1)):
            issue_close_unevaluated(issue_id=issue_id)


def _shop_rules(world: DemoWorld, c: Clock) -> None:
    """The shops' reception-day rule (每月15日轮值). Its slots already come from demo_build; the
    rule is what staff generate the next months from."""
    start = (c.today.replace(day=1) - timedelta(days=1)).replace(day=1)
    for shop in data.SHOPS:
        station = world.stations[shop]
        if DutyRule.objects.filter(station=station, day_of_month=15).exists():
            continue
        with c.at(0, 8):
            duty_rule_create(
                actor=Actor.of(world.staff_of[shop]),
                station_id=station.pk,
                day_of_month=15,
                valid_from=start,
                valid_until=start.replace(year=start.year + 1) - timedelta(days=1),
                start_time=datetime.time(8, 30),
                end_time=datetime.time(11, 30),
                note="每月15日民生小铺接待日",
            )
