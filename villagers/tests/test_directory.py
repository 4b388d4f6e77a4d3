"""The station directory (联络站名录) for a villager without a QR code, and the reception days
(接待日) from the duty roster on the directory, the station's page and the deputy's page."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from deputies.models import Deputy, Stationing
from stations.models import DutySlot, Region, Station
from villagers.directory import station_directory
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db


def md(day: datetime.date) -> str:
    return f"{day.month}月{day.day}日"


@pytest.fixture
def roster(world):
    """Addresses and phones for both stations, and a roster: today, in 2, 9, 16 and 30 days at
    the railway point, yesterday's slot (past), and one at the 秀山乡 station."""
    Station.objects.filter(pk=world.railway_point.pk).update(address="白泉镇潮面村甬舟铁路项目部", phone="0580-8012345")
    Station.objects.filter(pk=world.xiushan_station.pk).update(address="秀山乡政府一楼", phone="0580-4470001")
    world.railway_point.refresh_from_db()
    world.xiushan_station.refresh_from_db()
    today = timezone.localdate()
    days = {n: today + datetime.timedelta(days=n) for n in (-1, 0, 2, 9, 16, 30)}
    for n, day in days.items():
        start = datetime.time(9, 0) if n != 9 else None
        end = datetime.time(11, 30) if n != 9 else None
        DutySlot.objects.create(
            deputy=world.deputy_a, station=world.railway_point, date=day, start_time=start, end_time=end
        )
    DutySlot.objects.create(deputy=world.deputy_b, station=world.xiushan_station, date=days[2])
    cache.clear()
    return days


def test_the_directory_lists_each_township_its_stations_and_their_reception_days(client, world, roster):
    response = client.get(reverse("public:directory"))
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    assert zh("Liaison stations") == "联络站名录" and "<h1>联络站名录</h1>" in html
    # The railway point sits in a village (潮面村): it is listed under its township, 白泉镇.
    townships = re.findall(r'<h2 id="t-\d+">([^<]+)', html)
    assert [t.strip() for t in townships] == ["白泉镇", "秀山乡"]
    railway = html[html.index("甬舟铁路项目人大代表联络点</h3>") : html.index("秀山乡人大代表联络站</h3>")]
    assert "白泉镇潮面村甬舟铁路项目部" in railway and 'href="tel:0580-8012345"' in railway
    assert zh("Deputy on duty today: %(name)s", name="陈海涛") in railway
    # The next three reception days, from today on: not yesterday's, not the fourth.
    shown = [md(roster[n]) for n in (0, 2, 9)]
    assert all(day in railway for day in shown)
    assert md(roster[-1]) not in railway and md(roster[16]) not in railway
    assert "09:00–11:30" in railway
    assert reverse("public:station", args=[world.railway_point.qr_token]) in railway
    xiushan = html[html.index("秀山乡人大代表联络站</h3>") :]
    assert "秀山乡政府一楼" in xiushan and md(roster[2]) in xiushan and world.deputy_b.name in xiushan
    assert zh("Deputy on duty today: %(name)s", name=world.deputy_b.name) not in xiushan


def test_a_station_without_a_planned_reception_day_says_so(client, world):
    html = client.get(reverse("public:directory")).content.decode()
    message = zh("No reception day is planned yet. You can still send your problem at any time.")
    assert html.count(message) == 2


def test_the_directory_leaves_out_closed_stations_and_deputies_who_no_longer_serve(client, world, roster):
    Station.objects.filter(pk=world.xiushan_station.pk).update(is_active=False)
    Stationing.objects.filter(deputy=world.deputy_a).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    Deputy.objects.filter(pk=world.deputy_a.pk).update(is_active=False)
    cache.clear()
    html = client.get(reverse("public:directory")).content.decode()
    assert "秀山乡人大代表联络站" not in html and "秀山乡政府一楼" not in html
    assert "甬舟铁路项目人大代表联络点" in html
    assert "陈海涛" not in html  # neither among the deputies nor on a reception day
    assert md(roster[2]) not in html


def test_the_directory_reads_the_same_few_queries_however_many_stations(django_assert_max_num_queries, world):
    cache.clear()
    with django_assert_max_num_queries(4):
        first = station_directory()
    assert sum(len(t.stations) for t in first) == 2
    district = world.baiquan.parent
    township = Region.objects.create(name="长峙乡", code="330902203", level=Region.Level.TOWNSHIP, parent=district)
    for n in range(5):
        station = Station.objects.create(name=f"长峙乡第{n}联络站", region=township, address=f"长峙岛{n}号")
        Stationing.objects.create(deputy=world.deputy_b, station=station, start_date=timezone.localdate())
        day = timezone.localdate() + datetime.timedelta(days=n)
        DutySlot.objects.create(deputy=world.deputy_b, station=station, date=day)
    cache.clear()
    with django_assert_max_num_queries(4):
        second = station_directory()
    assert sorted(t.name for t in second) == sorted(["白泉镇", "长峙乡", "秀山乡"])
    assert sum(len(t.stations) for t in second) == 7
    changzhi = next(t for t in second if t.name == "长峙乡")
    assert changzhi.district == "定海区" and [len(s.reception_days) for s in changzhi.stations] == [1] * 5


def test_the_station_page_shows_its_address_phone_and_next_reception_days(client, world, roster):
    html = client.get(reverse("public:station", args=[world.railway_point.qr_token])).content.decode()
    head = html[: html.index('<form class="card"')]
    assert "白泉镇潮面村甬舟铁路项目部" in head and 'href="tel:0580-8012345"' in head
    assert zh("Next reception days") in head
    assert all(md(roster[n]) in head for n in (0, 2, 9)) and md(roster[16]) not in head
    assert head.count(md(roster[2])) == 1  # not listed a second time among the activities


def test_the_deputy_page_shows_the_stations_address_phone_and_the_next_reception_days(client, world, roster):
    html = client.get(reverse("public:deputy", args=[world.deputy_a.qr_token])).content.decode()
    head = html[: html.index('<form class="card"')]
    assert "白泉镇潮面村甬舟铁路项目部" in head and 'href="tel:0580-8012345"' in head
    assert zh("Next reception days") in head
    days = [md(roster[n]) for n in (0, 2, 9)]
    assert all(day in head for day in days) and md(roster[16]) not in head
    assert head.index(days[0]) < head.index(days[1]) < head.index(days[2])
    assert "秀山乡" not in head  # deputy B's station and days are not deputy A's


def test_the_home_page_explains_the_portal_and_offers_the_directory_and_the_lookup(client, world):
    html = client.get(reverse("public:home")).content.decode()
    about = re.search(r'<p id="about">([^<]+)</p>', html).group(1)
    assert about.count("。") == 2
    assert f'href="{reverse("public:directory")}"' in html
    assert 'name="code"' in html and 'name="phone_last4"' in html
