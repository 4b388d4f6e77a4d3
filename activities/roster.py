"""The duty roster (轮值): rules that generate reception days, and swapping two slots.

A rule generates one slot a month, the station's current deputies taking turns in a fixed order
(resident before visiting, then by the date they were stationed), so generating again changes
nothing: a date on which the station already has a slot (generated, swapped or set by hand) is
left alone."""

import calendar
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import DutyRule
from activities.permissions import ActivityNotFound, ensure_can_write
from issues import clock
from issues.permissions import Actor
from issues.workdays import is_working_day
from liaison.errors import InvalidInput

MAX_MONTHS = 36


@dataclass(frozen=True)
class PlannedSlot:
    date: date
    deputy_id: int


def duty_rule_create(
    *,
    actor: Actor,
    station_id: int,
    day_of_month: int,
    valid_from: date,
    valid_until: date,
    move_to_working_day: bool = False,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
) -> DutyRule:
    from stations.models import Station

    if not isinstance(day_of_month, int) or not 1 <= day_of_month <= 31:
        raise InvalidInput(_("The day of the month is between 1 and 31."), field="day_of_month")
    if valid_from is None or valid_until is None or valid_until < valid_from:
        raise InvalidInput(_("The rule ends after it starts."), field="valid_until")
    if _month_index(valid_until) - _month_index(valid_from) >= MAX_MONTHS:
        raise InvalidInput(_("A rule covers at most %(n)d months.") % {"n": MAX_MONTHS}, field="valid_until")
    if start_time and end_time and end_time <= start_time:
        raise InvalidInput(_("The reception ends after it starts."), field="end_time")
    station = Station.objects.filter(pk=station_id, is_active=True).first()
    if station is None:
        raise InvalidInput(_("Choose a station."), field="station")
    ensure_can_write(actor, station.pk)
    return DutyRule.objects.create(
        station=station,
        day_of_month=day_of_month,
        valid_from=valid_from,
        valid_until=valid_until,
        move_to_working_day=move_to_working_day,
        start_time=start_time,
        end_time=end_time,
        note=(note or "").strip()[:200],
        created_at=clock.now(),
    )


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def rotation(station_id: int, on: date) -> list[int]:
    """The deputies who take turns at a station, in order."""
    from deputies.models import Stationing

    stationings = (
        Stationing.objects.current(on=on)
        .filter(station_id=station_id, deputy__is_active=True)
        .order_by("kind", "start_date", "deputy_id")  # "resident" sorts before "visiting"
        .values_list("deputy_id", flat=True)
    )
    return list(dict.fromkeys(stationings))


def rule_dates(rule: DutyRule) -> list[date]:
    """One date a month within the rule's period: the day of the month (the last day in a
    shorter month), moved to the next working day only when the rule says so."""
    dates = []
    for index in range(_month_index(rule.valid_from), _month_index(rule.valid_until) + 1):
        year, month = divmod(index, 12)
        month += 1
        day = date(year, month, min(rule.day_of_month, calendar.monthrange(year, month)[1]))
        if rule.move_to_working_day:
            while not is_working_day(day):
                day += timedelta(days=1)
        if rule.valid_from <= day <= rule.valid_until:
            dates.append(day)
    return dates


def plan_slots(rule: DutyRule, *, today: date) -> list[PlannedSlot]:
    rota = rotation(rule.station_id, today)
    if not rota:
        raise InvalidInput(_("No deputy is stationed at this station now."), field="station")
    start = _month_index(rule.valid_from)
    return [PlannedSlot(day, rota[(_month_index(day) - start) % len(rota)]) for day in rule_dates(rule)]


def duty_rule_generate(*, actor: Actor, rule_id: int) -> list:
    """Create the rule's duty slots. Dates on which the station already has a slot are skipped;
    if a deputy would get two slots on one day, nothing is written and the clashes are named."""
    from deputies.models import Deputy
    from stations.models import DutySlot

    with transaction.atomic():
        rule = DutyRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise ActivityNotFound()
        ensure_can_write(actor, rule.station_id)
        planned = plan_slots(rule, today=timezone.localdate(clock.now()))
        taken = set(
            DutySlot.objects.filter(station_id=rule.station_id, date__in=[p.date for p in planned]).values_list(
                "date", flat=True
            )
        )
        planned = [p for p in planned if p.date not in taken]
        busy = set(
            DutySlot.objects.filter(
                deputy_id__in={p.deputy_id for p in planned}, date__in=[p.date for p in planned]
            ).values_list("deputy_id", "date")
        )
        clashes = [p for p in planned if (p.deputy_id, p.date) in busy]
        if clashes:
            names = dict(Deputy.objects.filter(pk__in={p.deputy_id for p in clashes}).values_list("pk", "name"))
            listed = "、".join(f"{names[p.deputy_id]} {p.date.isoformat()}" for p in clashes)
            raise InvalidInput(
                _("These deputies already receive voters elsewhere on that day: %(list)s") % {"list": listed},
                field="rule",
            )
        slots = [
            DutySlot(
                deputy_id=p.deputy_id,
                station_id=rule.station_id,
                date=p.date,
                start_time=rule.start_time,
                end_time=rule.end_time,
                note=rule.note,
            )
            for p in planned
        ]
        DutySlot.objects.bulk_create(slots)
    return slots


def duty_slot_swap(*, actor: Actor, slot_id: int, other_slot_id: int) -> tuple:
    """Swap the deputies of two duty slots (e.g. two deputies trade their reception days)."""
    from stations.models import DutySlot

    if slot_id == other_slot_id:
        raise InvalidInput(_("Choose two different slots."), field="slots")
    with transaction.atomic():
        slots = {s.pk: s for s in DutySlot.objects.select_for_update().filter(pk__in=[slot_id, other_slot_id])}
        if len(slots) != 2:
            raise ActivityNotFound()
        first, second = slots[slot_id], slots[other_slot_id]
        ensure_can_write(actor, first.station_id)
        ensure_can_write(actor, second.station_id)
        if first.deputy_id == second.deputy_id:
            raise InvalidInput(_("Both slots belong to the same deputy."), field="slots")
        if first.date == second.date:
            # Same day: trading places keeps each deputy's one slot that day.
            for name in ("station_id", "start_time", "end_time", "note"):
                a, b = getattr(first, name), getattr(second, name)
                setattr(first, name, b)
                setattr(second, name, a)
            first.save()
            second.save()
            return second, first
        for mine, theirs in ((first, second), (second, first)):
            if DutySlot.objects.filter(deputy_id=mine.deputy_id, date=theirs.date).exclude(pk=theirs.pk).exists():
                raise InvalidInput(_("One of the deputies already has a slot on the other day."), field="slots")
        a, b = first.deputy_id, second.deputy_id
        first.deputy_id = b
        first.save(update_fields=["deputy"])
        second.deputy_id = a
        second.save(update_fields=["deputy"])
    return first, second
