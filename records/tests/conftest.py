"""A fixed October 2025 around deputy A (陈海涛, the railway-project liaison point) whose duty
record is counted by hand in the tests. Times are frozen: NOW is 30 October 2025."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from activities.models import Kind
from activities.promises import item_raise, promise_mark_kept, promise_record
from activities.services import activity_create, activity_hold
from deputies.models import Deputy, Stationing
from issues import clock
from issues.models import Channel
from issues.services import issue_evaluate, issue_reject
from stations.models import DutySlot

T0 = timezone.make_aware(datetime(2025, 10, 9, 9, 0))  # a Thursday after the National Day week
NOW = timezone.make_aware(datetime(2025, 10, 30, 10, 0))
OCTOBER = (date(2025, 10, 1), date(2025, 10, 31))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_now():
    with clock.frozen_at(NOW):
        yield NOW


@pytest.fixture
def october(world):
    """Deputy A in October 2025, counted by hand:

    cases addressed to A in October (10): one rejected; one waiting; one replied on time and
    rated satisfied; one replied on time, rated unsatisfied and so reopened (reviewed); one
    replied late (20 days later); three recorded by A on visits (15 Oct, twice on 20 Oct); two
    items A raised at the 10 October questioning session (replied through their promises).
    Not A's, or not in October: a case of the station without a deputy, deputy B's case, A's
    case of 20 September, B's reception day.

    reception days: roster 15 and 22 Oct (31 Oct is after NOW, 5 Nov after October); visits
    15 and 20 Oct → 3 distinct days.
    activities: the questioning session A attended; a themed activity A was planned for but did
    not attend; a planned appointment with the township head in November.
    promises: item 1 due 20 Oct kept on 18 Oct; item 2 due 25 Oct not kept → 1 of 2."""
    staff = world.actor("station_staff")
    deputy_a = world.actor("deputy_a_user")
    with clock.frozen_at(T0 - timedelta(days=19)):
        world.submit(content="九月的事：码头边的路面塌了一块。")
    with clock.frozen_at(T0):
        rejected = world.submit()
        issue_reject(actor=staff, issue_id=rejected.pk, reason="不属于受理范围")
        world.submit(content="还在等：村委会门口的垃圾桶满了。")
        satisfied = world.replied(staff, at=T0 + timedelta(hours=1))
        unsatisfied = world.replied(staff, at=T0 + timedelta(hours=2))
        world.replied(staff, at=T0 + timedelta(days=20))
        world.submit(station=world.railway_point, content="没有找代表：站里的灯不亮。")
        world.submit(deputy=world.deputy_b, content="秀山乡码头的灯坏了。")
    with clock.frozen_at(T0 + timedelta(hours=12)):
        issue_evaluate(issue_id=satisfied.pk, rating="satisfied")
        issue_evaluate(issue_id=unsatisfied.pk, rating="unsatisfied", comment="还是不亮")
    for day, content in [
        (15, "走访记录：老人反映公交班次太少。"),
        (20, "走访记录：桥头护栏松动。"),
        (20, "走访记录：渔港缺少照明。"),
    ]:
        with clock.frozen_at(timezone.make_aware(datetime(2025, 10, day, 15, 0))):
            world.submit(actor=deputy_a, channel=Channel.DEPUTY_VISIT, content=content)
    for day in (date(2025, 10, 15), date(2025, 10, 22), date(2025, 10, 31), date(2025, 11, 5)):
        DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=day, note="接待日")
    DutySlot.objects.create(deputy=world.deputy_b, station=world.xiushan_station, date=date(2025, 10, 15))

    session_day = timezone.make_aware(datetime(2025, 10, 10, 14, 0))
    with clock.frozen_at(session_day):
        session = activity_create(
            actor=staff,
            station_id=world.railway_point.pk,
            kind=Kind.CONGRESS_QUESTIONING,
            theme="铁路施工期间的出行安全",
            date=session_day.date(),
            deputy_ids=[world.deputy_a.pk],
        )
        activity_hold(actor=staff, activity_id=session.pk, minutes="会议记录", attendance=30)
        items = [
            item_raise(actor=staff, activity_id=session.pk, content=text, deputy_id=world.deputy_a.pk)
            for text in ("施工车辆夜间噪音扰民。", "施工便道没有路灯。")
        ]
        for item, due in zip(items, (date(2025, 10, 20), date(2025, 10, 25)), strict=True):
            promise_record(
                actor=staff, item_id=item.pk, measure="限时整改", department_id=world.department.pk, deadline=due
            )
        themed = activity_create(
            actor=staff,
            station_id=world.railway_point.pk,
            kind=Kind.THEMED,
            theme="安全生产宣传",
            date=date(2025, 10, 10),
            deputy_ids=[world.deputy_a.pk],
        )
        activity_hold(actor=staff, activity_id=themed.pk, minutes="宣传", attendance=12, attended_deputy_ids=[])
        activity_create(
            actor=staff,
            station_id=world.railway_point.pk,
            kind=Kind.TOWNSHIP_HEAD_APPOINTMENT,
            theme="乡长有约：铁路征地",
            date=date(2025, 11, 5),
            deputy_ids=[world.deputy_a.pk],
        )
    with clock.frozen_at(timezone.make_aware(datetime(2025, 10, 18, 10, 0))):
        promise_mark_kept(actor=staff, item_id=items[0].pk)
    return world


@pytest.fixture
def colleague(world):
    """A second deputy of the railway point: staff read their record, deputy A does not."""
    deputy = Deputy.objects.create(name="王立军", level=Deputy.Level.TOWNSHIP)
    Stationing.objects.create(
        deputy=deputy, station=world.railway_point, kind=Stationing.Kind.VISITING, start_date=date(2020, 1, 1)
    )
    return deputy
