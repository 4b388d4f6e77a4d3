"""What the demo's activity scenarios share: local times relative to the seeding day, and the
departments of the demo world by name."""

import datetime
from datetime import timedelta

from django.utils import timezone

from demo.build import DemoWorld
from issues import clock


class Clock:
    """Local times relative to the seeding day."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.today = timezone.localdate(now)

    def day(self, offset: int) -> datetime.date:
        return self.today + timedelta(days=offset)

    def at(self, offset: int, hour: int = 10, minute: int = 0):
        moment = timezone.make_aware(datetime.datetime.combine(self.day(offset), datetime.time(hour, minute)))
        return clock.frozen_at(min(moment, self.now))


def department(world: DemoWorld, name: str):
    return next(d for d in world.departments if d.name == name)
