"""Builds the demo world (places, stations, deputies, rosters, categories, departments and
accounts) from `demo.data`. Every step looks records up by their natural key first,
so running it again changes nothing but the demo accounts' passwords."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction

from demo import data
from deputies.models import Deputy, Stationing
from deputies.services import deputy_link_user
from issues.models import Category, Department
from stations.models import DutySlot, Region, StaffMembership, Station
from stations.services import membership_grant


@dataclass
class DemoWorld:
    regions: dict[str, Region] = field(default_factory=dict)  # by division code
    stations: dict[str, Station] = field(default_factory=dict)  # by name
    deputies: dict[str, Deputy] = field(default_factory=dict)  # by name
    categories: dict[str, Category] = field(default_factory=dict)  # by name
    departments: list[Department] = field(default_factory=list)
    users: dict[str, object] = field(default_factory=dict)  # by username
    # station name -> [(deputy, kind)] of the deputies stationed there
    stationed: dict[str, list[tuple[Deputy, str]]] = field(default_factory=dict)
    # station name -> the staff user who handles its cases
    staff_of: dict[str, object] = field(default_factory=dict)


@transaction.atomic
def build_world(*, password: str, today: datetime.date) -> DemoWorld:
    world = DemoWorld()
    _regions(world)
    _stations(world)
    _deputies(world)
    _duty_slots(world, today)
    _categories_and_departments(world)
    _accounts(world, password)
    return world


def _regions(world: DemoWorld) -> None:
    for code, name, level, parent_code in data.REGIONS:
        parent = world.regions[parent_code] if parent_code else None
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = Region.objects.create(code=code, name=name, level=level, parent=parent)
        elif (region.name, region.level, region.parent_id) != (name, level, parent.pk if parent else None):
            region.name, region.level, region.parent = name, level, parent
            region.save()  # Region.save keeps the paths of the subtree right
        world.regions[code] = region


def _stations(world: DemoWorld) -> None:
    heads = dict(zip(data.SHOPS, data.SHOP_HEADS, strict=True))
    for name, (kind, region_code, address, phone, description) in data.STATIONS.items():
        if name in heads:
            level = Deputy.Level(data.DEPUTIES[heads[name]][0]).label
            description = description.format(head=f"{heads[name]}（{level}人大代表）")
        station, _ = Station.objects.update_or_create(
            region=world.regions[region_code],
            name=name,
            defaults={"kind": kind, "address": address, "phone": phone, "description": description},
        )
        world.stations[name] = station


def _deputies(world: DemoWorld) -> None:
    for name, (level, occupation, phone) in data.DEPUTIES.items():
        deputy = Deputy.objects.filter(name=name).order_by("pk").first()
        if deputy is None:
            deputy = Deputy.objects.create(name=name, level=level, occupation=occupation, phone=phone)
        world.deputies[name] = deputy
    for deputy_name, station_name, kind, start in data.STATIONINGS:
        deputy, station = world.deputies[deputy_name], world.stations[station_name]
        Stationing.objects.get_or_create(deputy=deputy, station=station, start_date=start, defaults={"kind": kind})
        world.stationed.setdefault(station_name, []).append((deputy, kind))


def _duty_slots(world: DemoWorld, today: datetime.date) -> None:
    """The shops' reception day: the 15th of every month, from 4 months ago to 3 months ahead,
    the shop's deputies taking turns (head first)."""
    for month_offset in range(-4, 4):
        month_index = today.year * 12 + today.month - 1 + month_offset
        day = datetime.date(month_index // 12, month_index % 12 + 1, 15)
        for shop in data.SHOPS:
            rota = [deputy for deputy, _ in world.stationed[shop]]
            deputy = rota[month_index % len(rota)]
            DutySlot.objects.get_or_create(
                deputy=deputy,
                date=day,
                defaults={
                    "station": world.stations[shop],
                    "start_time": datetime.time(8, 30),
                    "end_time": datetime.time(11, 30),
                    "note": "每月15日民生小铺接待日",
                },
            )


def _categories_and_departments(world: DemoWorld) -> None:
    for name, (days, order) in data.CATEGORIES.items():
        category, _ = Category.objects.get_or_create(
            name=name, defaults={"reply_working_days": days, "sort_order": order}
        )
        world.categories[name] = category
    for region_code, name, platform_code, handles in data.DEPARTMENTS:
        department, _ = Department.objects.get_or_create(
            region=world.regions[region_code], name=name, defaults={"platform_code": platform_code}
        )
        department.categories.add(*(world.categories[c] for c in handles))
        world.departments.append(department)


def _accounts(world: DemoWorld, password: str) -> None:
    user_model = get_user_model()
    # One hash for all the demo accounts: they share a documented password, and each hash costs
    # about a second. An unchanged password keeps its hash.
    current = user_model.objects.filter(username__in=data.ACCOUNTS).values_list("password", flat=True)
    hashed = next((h for h in set(current) if h and check_password(password, h)), None) or make_password(password)
    for username, (last_name, first_name, kind, target) in data.ACCOUNTS.items():
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model(username=username)
        user.last_name, user.first_name = last_name, first_name
        user.email = f"{username}@example.cn"
        user.is_active = True
        if kind == "admin":
            user.is_staff = user.is_superuser = True
        user.password = hashed
        user.save()
        if kind == "deputy":
            deputy = world.deputies[target]
            if deputy.user_id != user.pk:
                deputy_link_user(deputy=deputy, user=user)
        elif kind == "station_staff":
            for station_name in target:
                membership_grant(
                    user=user, role=StaffMembership.Role.STATION_STAFF, station=world.stations[station_name]
                )
                world.staff_of[station_name] = user
        elif kind in (StaffMembership.Role.TOWNSHIP_STAFF, StaffMembership.Role.COUNTY_ADMIN):
            membership_grant(user=user, role=kind, region=world.regions[target])
        world.users[username] = user
    # Fresh objects: the permission scope is cached on a user object, and it must see every
    # membership and link made above.
    fresh = {u.username: u for u in user_model.objects.filter(username__in=world.users)}
    world.users = fresh
    world.staff_of = {name: fresh[user.username] for name, user in world.staff_of.items()}
    for deputy in world.deputies.values():
        deputy.refresh_from_db(fields=["user"])
