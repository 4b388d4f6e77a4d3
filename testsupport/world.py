"""A small named world for tests: two townships, a station in each, their people.

Alice-and-Bob style (healthchecks' hc/test.py): `deputy_a` serves the 白泉镇 railway-project
liaison point, `deputy_b` the 秀山乡 station; `station_staff` works at the railway point;
`township_staff` watches 白泉镇 (read-only); `admin` is a superuser.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model

from deputies.models import Deputy, Stationing
from deputies.services import deputy_link_user
from issues import clock
from issues.models import Category, Channel, Department, Issue
from issues.permissions import Actor
from issues.services import issue_accept, issue_reply, issue_review, issue_submit
from stations.models import Region, StaffMembership, Station
from stations.services import membership_grant

PASSWORD = "correct horse battery staple"


@dataclass
class World:
    city: Region
    baiquan: Region
    chaomian: Region
    xiushan: Region
    railway_point: Station
    xiushan_station: Station
    deputy_a: Deputy
    deputy_b: Deputy
    deputy_a_user: object
    deputy_b_user: object
    station_staff: object
    township_staff: object
    admin: object
    category: Category
    department: Department

    def actor(self, name: str) -> Actor:
        return Actor.of(getattr(self, name))

    def submit(self, *, station: Station | None = None, deputy: Deputy | None = None, **kwargs) -> Issue:
        """A villager's case, by default sent to deputy A through their QR code."""
        if station is None and deputy is None:
            deputy = self.deputy_a
        kwargs.setdefault("content", "村口路灯坏了三天，晚上看不见路。")
        kwargs.setdefault("channel", Channel.DEPUTY_QR if deputy else Channel.STATION_QR)
        kwargs.setdefault("category_id", self.category.pk)
        return issue_submit(
            station_id=station.pk if station else None, deputy_id=deputy.pk if deputy else None, **kwargs
        )

    def replied(self, staff: Actor, *, at) -> Issue:
        """A case sent, accepted and reviewed now, and answered by `staff` at the time `at`."""
        issue = self.submit()
        issue_accept(actor=staff, issue_id=issue.pk)
        issue_review(actor=staff, issue_id=issue.pk)
        with clock.frozen_at(at):
            issue_reply(actor=staff, issue_id=issue.pk, text="已处理")
        return issue


def build_world() -> World:
    user_model = get_user_model()
    city = Region.objects.create(name="舟山市", code="330900", level=Region.Level.CITY)
    dinghai = Region.objects.create(name="定海区", code="330902", level=Region.Level.DISTRICT, parent=city)
    baiquan = Region.objects.create(name="白泉镇", code="330902104", level=Region.Level.TOWNSHIP, parent=dinghai)
    chaomian = Region.objects.create(name="潮面村", code="330902104201", level=Region.Level.VILLAGE, parent=baiquan)
    daishan = Region.objects.create(name="岱山县", code="330921", level=Region.Level.DISTRICT, parent=city)
    xiushan = Region.objects.create(name="秀山乡", code="330921202", level=Region.Level.TOWNSHIP, parent=daishan)
    railway_point = Station.objects.create(name="甬舟铁路项目人大代表联络点", kind=Station.Kind.POINT, region=chaomian)
    xiushan_station = Station.objects.create(name="秀山乡人大代表联络站", kind=Station.Kind.STATION, region=xiushan)

    def user(username, **extra):
        return user_model.objects.create_user(username=username, password=PASSWORD, **extra)

    deputy_a = Deputy.objects.create(name="陈海涛", level=Deputy.Level.COUNTY)
    deputy_b = Deputy.objects.create(name="林秀英", level=Deputy.Level.TOWNSHIP)
    since = datetime.date(2020, 1, 1)
    Stationing.objects.create(deputy=deputy_a, station=railway_point, kind=Stationing.Kind.RESIDENT, start_date=since)
    Stationing.objects.create(deputy=deputy_b, station=xiushan_station, kind=Stationing.Kind.RESIDENT, start_date=since)
    deputy_a_user = user("deputy_a")
    deputy_b_user = user("deputy_b")
    deputy_link_user(deputy=deputy_a, user=deputy_a_user)
    deputy_link_user(deputy=deputy_b, user=deputy_b_user)
    station_staff = user("station_staff")
    membership_grant(user=station_staff, role=StaffMembership.Role.STATION_STAFF, station=railway_point)
    township_staff = user("township_staff")
    membership_grant(user=township_staff, role=StaffMembership.Role.TOWNSHIP_STAFF, region=baiquan)
    admin = user_model.objects.create_superuser(username="admin", password=PASSWORD, email="admin@example.cn")
    category = Category.objects.create(name="基础设施", reply_working_days=5)
    department = Department.objects.create(name="白泉镇城建办", region=baiquan)
    department.categories.add(category)
    return World(
        city=city,
        baiquan=baiquan,
        chaomian=chaomian,
        xiushan=xiushan,
        railway_point=railway_point,
        xiushan_station=xiushan_station,
        deputy_a=deputy_a,
        deputy_b=deputy_b,
        deputy_a_user=deputy_a_user,
        deputy_b_user=deputy_b_user,
        station_staff=station_staff,
        township_staff=township_staff,
        admin=admin,
        category=category,
        department=department,
    )
