"""The supervision list and the figures take the same number of queries for 1 item and for many."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Kind
from activities.selectors import activity_figures, supervision_list
from activities.services import activity_create, activity_hold, item_raise, item_rate, promise_record
from issues import clock


def _session_with_items(yangshan, n: int):
    staff = yangshan.actor()
    session = activity_create(
        actor=staff,
        station_id=yangshan.station.pk,
        kind=Kind.CONGRESS_QUESTIONING,
        theme=f"问政{n}",
        date=datetime.date(2025, 6, 20),
        deputy_ids=[yangshan.deputies[0].pk],
    )
    activity_hold(actor=staff, activity_id=session.pk, minutes="纪要", attendance=10)
    for i in range(n):
        item = item_raise(actor=staff, activity_id=session.pk, content=f"第{i + 1}个问题：码头需要修缮。")
        promise_record(
            actor=staff,
            item_id=item.pk,
            measure="限期修缮",
            department_id=yangshan.construction.pk,
            deadline=datetime.date(2025, 7, 1),
        )
        item_rate(actor=yangshan.actor(0), item_id=item.pk, rating="satisfied")
    return session


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_the_supervision_list_and_figures_need_a_fixed_number_of_queries(yangshan):
    with clock.frozen_at(timezone.make_aware(datetime.datetime(2025, 6, 20, 10))):
        one = _session_with_items(yangshan, 1)
        many = _session_with_items(yangshan, 6)
        user = yangshan.staff.__class__.objects.get(pk=yangshan.staff.pk)
        assert _queries(lambda: supervision_list(one)) == _queries(lambda: supervision_list(many)) <= 3
        assert len(supervision_list(many)) == 6
        small = _queries(lambda: activity_figures(user, None, None))
    assert small <= 12
