import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from deputies.models import Deputy, Stationing
from deputies.services import deputy_link_user
from issues.models import Department
from issues.permissions import Actor
from stations.models import Region, StaffMembership, Station
from stations.services import membership_grant
from testsupport.world import PASSWORD


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests log people in but do not test passwords: a cheap hasher keeps them lean."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Yangshan:
    """洋山镇: its station, four deputies (three with accounts), its staff and two departments."""

    region: Region
    station: Station
    deputies: list
    users: list
    staff: object
    construction: Department
    social: Department

    def actor(self, index: int | None = None) -> Actor:
        return Actor.of(self.staff if index is None else self.users[index])


@pytest.fixture
def yangshan(world) -> Yangshan:
    shengsi = Region.objects.create(name="嵊泗县", code="330922", level=Region.Level.DISTRICT, parent=world.city)
    region = Region.objects.create(name="洋山镇", code="330922102", level=Region.Level.TOWNSHIP, parent=shengsi)
    station = Station.objects.create(name="洋山镇人大代表联络站", region=region, address="洋山镇大洋路66号")
    deputies, users = [], []
    for i, name in enumerate(["史大勇", "柴丽君", "鲍海平", "舒明德"]):
        deputy = Deputy.objects.create(name=name, level=Deputy.Level.TOWNSHIP)
        Stationing.objects.create(
            deputy=deputy, station=station, kind=Stationing.Kind.RESIDENT, start_date=datetime.date(2020, 1, 1)
        )
        deputies.append(deputy)
        if i < 3:
            user = get_user_model().objects.create_user(username=f"ys_deputy_{i}", password=PASSWORD)
            deputy_link_user(deputy=deputy, user=user)
            users.append(get_user_model().objects.get(pk=user.pk))
    staff = get_user_model().objects.create_user(username="ys_staff", password=PASSWORD)
    membership_grant(user=staff, role=StaffMembership.Role.STATION_STAFF, station=station)
    return Yangshan(
        region=region,
        station=station,
        deputies=deputies,
        users=users,
        staff=get_user_model().objects.get(pk=staff.pk),
        construction=Department.objects.create(name="洋山镇建设办", region=region),
        social=Department.objects.create(name="洋山镇社会事务办", region=region),
    )


@pytest.fixture
def _plain_static_files(settings):
    """Tests run with DEBUG off, where the manifest storage wants `collectstatic` first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
