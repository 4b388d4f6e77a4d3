"""serving_post_lookup is plain SQL for speed: it must agree with the ORM's rule for who serves
where (Stationing.objects.current(), serving deputy, open station, resident before visiting,
the row recorded first)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from deputies.models import Deputy, Stationing
from deputies.selectors import serving_post_lookup
from stations.models import Station

pytestmark = pytest.mark.django_db


def orm_post(deputy: Deputy, station_id: int | None = None):
    serving = Stationing.objects.current().filter(deputy=deputy, deputy__is_active=True, station__is_active=True)
    if station_id is not None:
        serving = serving.filter(station_id=station_id)
    return serving.order_by("kind", "id").values_list("deputy_id", "station_id", "station__region__path").first()


def test_the_lookup_finds_the_same_post_as_the_orm_on_every_edge(world):
    today = timezone.localdate()
    day = timedelta(days=1)
    railway = world.railway_point
    closed = Station.objects.create(name="已撤销的联络站", region=world.railway_point.region, is_active=False)
    other = Station.objects.create(name="白泉镇人大代表联络站", region=world.railway_point.region)
    cases = {  # deputy name: [(station, kind, start, end)]
        "今天起进驻": [(other, "resident", today, None)],
        "明天起进驻": [(other, "resident", today + day, None)],
        "今天到期": [(other, "resident", today - 9 * day, today)],
        "昨天到期": [(other, "resident", today - 9 * day, today - day)],
        "常驻优先": [(other, "visiting", today - 9 * day, None), (railway, "resident", today - day, None)],
        "较早优先": [(other, "visiting", today - 5 * day, None), (railway, "visiting", today - 9 * day, None)],
        "站点撤销": [(closed, "resident", today - 9 * day, None), (other, "visiting", today - day, None)],
        "无进驻": [],
    }
    deputies = []
    for name, posts in cases.items():
        deputy = Deputy.objects.create(name=name, level="county")
        for station, kind, start, end in posts:
            Stationing.objects.create(deputy=deputy, station=station, kind=kind, start_date=start, end_date=end)
        deputies.append(deputy)
    retired = Deputy.objects.create(name="已离任", level="county", is_active=False)
    Stationing.objects.create(deputy=retired, station=other, kind="resident", start_date=today - day)
    deputies.append(retired)

    found = 0
    for deputy in [*deputies, world.deputy_a, world.deputy_b]:
        for station_id in (None, other.pk, world.railway_point.pk, closed.pk):
            expected = orm_post(deputy, station_id)
            assert serving_post_lookup(deputy_id=deputy.pk, station_id=station_id).first_row() == expected, deputy
            assert serving_post_lookup(token=deputy.qr_token, station_id=station_id).first_row() == expected, deputy
            found += expected is not None
    assert found >= 8  # the edges include deputies who serve, not only refusals
