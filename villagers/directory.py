"""Reads behind the station directory (联络站名录) and the reception days (接待日) the station's and
the deputy's pages show: for a villager without a QR code, every active station by township with
its address, phone, deputies, today's duty deputy and next reception days, all from the duty
roster (stations.DutySlot). A few queries for the whole directory, whatever its size."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from deputies.models import Deputy, Stationing
from stations.models import DutySlot, Region, Station
from villagers.selectors import _cached

RECEPTION_DAYS_SHOWN = 3
RECEPTION_HORIZON_DAYS = 90  # the roster is planned a season ahead at most


@dataclass
class ReceptionDay:
    """A date on which one or more deputies receive villagers at a station."""

    date: datetime.date
    station: Station
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    deputy_names: list[str] = field(default_factory=list)


@dataclass
class DirectoryStation:
    station: Station
    deputies: list[Deputy] = field(default_factory=list)
    duty_today: list[Deputy] = field(default_factory=list)
    reception_days: list[ReceptionDay] = field(default_factory=list)


@dataclass
class Township:
    """A township (乡镇/街道) and its stations; `district` is the county or district above it."""

    name: str
    district: str
    stations: list[DirectoryStation] = field(default_factory=list)


def _reception_days(slots, limit: int) -> list[ReceptionDay]:
    """The next `limit` dates of `slots` (ordered by date and time, one station), a day per date."""
    days: list[ReceptionDay] = []
    for slot in slots:
        if days and days[-1].date == slot.date:
            day = days[-1]
            day.end_time = max(filter(None, [day.end_time, slot.end_time]), default=None)
        elif len(days) == limit:
            break
        else:
            day = ReceptionDay(date=slot.date, station=slot.station, start_time=slot.start_time, end_time=slot.end_time)
            days.append(day)
        if slot.deputy.name not in day.deputy_names:
            day.deputy_names.append(slot.deputy.name)
    return days


def _upcoming_slots(**filters):
    today = timezone.localdate()
    return (
        DutySlot.objects.filter(
            date__gte=today,
            date__lte=today + datetime.timedelta(days=RECEPTION_HORIZON_DAYS),
            station__is_active=True,
            deputy__is_active=True,
            **filters,
        )
        .select_related("deputy", "station")
        .order_by("date", "start_time", "deputy__name")
    )


def station_reception_days(station: Station, limit: int = RECEPTION_DAYS_SHOWN) -> list[ReceptionDay]:
    """The station's next reception days, today included."""
    return _reception_days(_upcoming_slots(station=station), limit)


def deputy_reception_days(deputy: Deputy, limit: int = RECEPTION_DAYS_SHOWN) -> list[ReceptionDay]:
    """The deputy's next reception days (at any of their stations), today included."""
    days: list[ReceptionDay] = []
    for slot in _upcoming_slots(deputy=deputy)[:limit]:
        days.append(
            ReceptionDay(
                date=slot.date,
                station=slot.station,
                start_time=slot.start_time,
                end_time=slot.end_time,
                deputy_names=[deputy.name],
            )
        )
    return days


def _township_of(region: Region, regions: dict[int, Region]) -> tuple[Region, Region | None]:
    """The township a station's region belongs to (itself, or the township above a village), and
    the region above that township."""
    node = region
    while node.level == Region.Level.VILLAGE and node.parent_id in regions:
        node = regions[node.parent_id]
    return node, regions.get(node.parent_id)


def station_directory() -> list[Township]:
    """Every active station, grouped by township in the regions' order. Cached for half a minute,
    like the pages behind the QR codes."""
    return _cached(f"public:directory:{timezone.localdate()}", _station_directory)


def _station_directory() -> list[Township]:
    stations = list(Station.objects.filter(is_active=True).select_related("region").order_by("region__path", "name"))
    ancestor_ids = {int(part) for s in stations for part in s.region.path.strip("/").split("/") if part.isdigit()}
    regions = {r.pk: r for r in Region.objects.filter(pk__in=ancestor_ids)}
    entries = {s.pk: DirectoryStation(station=s) for s in stations}

    for stationing in (
        Stationing.objects.current()
        .filter(station__in=stations, deputy__is_active=True)
        .select_related("deputy")
        .order_by("-kind", "deputy__name")
    ):
        entries[stationing.station_id].deputies.append(stationing.deputy)
    today = timezone.localdate()
    by_station: dict[int, list[DutySlot]] = {}
    for slot in _upcoming_slots(station__in=stations):
        by_station.setdefault(slot.station_id, []).append(slot)
    for station_id, slots in by_station.items():
        entry = entries[station_id]
        serving = {d.pk for d in entry.deputies}
        entry.duty_today = [s.deputy for s in slots if s.date == today and s.deputy_id in serving]
        entry.reception_days = _reception_days(slots, RECEPTION_DAYS_SHOWN)

    townships: dict[int, Township] = {}
    for station in stations:
        township, above = _township_of(regions.get(station.region_id, station.region), regions)
        group = townships.setdefault(
            township.pk, Township(name=township.name, district=above.name if above is not None else "")
        )
        group.stations.append(entries[station.pk])
    return list(townships.values())
