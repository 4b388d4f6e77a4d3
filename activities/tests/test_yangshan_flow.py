"""The whole 洋山镇 "三会两环节" flow: three preparatory meetings, the questioning session with
five items, the government's promises, the follow-up supervision list, and the figures."""

import datetime

import pytest
from django.utils import timezone

from activities.models import ItemRating, Kind, MeetingType, Status
from activities.selectors import PromiseStatus, activity_figures, supervision_list
from activities.services import (
    activity_close,
    activity_create,
    activity_hold,
    item_raise,
    item_rate,
    promise_mark_kept,
    promise_record,
    return_visit_record,
)
from issues import clock
from issues.models import Channel, IssueEvent, State
from liaison.errors import IllegalTransition

D = datetime.date


def at(day: datetime.date, hour: int = 10):
    return clock.frozen_at(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))))


ITEMS = [
    # (content, department, promised deadline)
    ("大洋路路灯年久失修，夜间渔民回家看不清路。", "construction", D(2025, 7, 31)),
    ("小洋山码头候船室漏雨，需要修缮。", "construction", D(2025, 8, 15)),
    ("镇卫生院周末无儿科医生值班。", "social", D(2025, 7, 15)),
    ("老年食堂午餐价格上涨，老人负担重。", "social", D(2025, 7, 10)),
    ("渔港防波堤加固工程进度缓慢。", "construction", D(2025, 12, 31)),
]


@pytest.fixture
def session(yangshan):
    staff = yangshan.actor()
    with at(D(2025, 6, 3)):
        session = activity_create(
            actor=staff,
            station_id=yangshan.station.pk,
            kind=Kind.CONGRESS_QUESTIONING,
            theme="2025年洋山镇人代会大会问政",
            topic_source="congress",
            date=D(2025, 6, 20),
            place="洋山镇政府三楼会议室",
            deputy_ids=[d.pk for d in yangshan.deputies],
            officials=[("王建国", "镇长"), ("李海燕", "副镇长")],
        )
        meetings = [
            activity_create(
                actor=staff,
                station_id=yangshan.station.pk,
                kind=Kind.THEMED,
                theme=theme,
                date=day,
                preparatory_for_id=session.pk,
                meeting_type=meeting_type,
                deputy_ids=[d.pk for d in yangshan.deputies[:3]],
            )
            for theme, day, meeting_type in [
                ("上半年政情通报", D(2025, 6, 5), MeetingType.BRIEFING),
                ("大会问政工作部署", D(2025, 6, 10), MeetingType.DEPLOYMENT),
                ("问政事项部门沟通", D(2025, 6, 16), MeetingType.DEPARTMENT_LIAISON),
            ]
        ]
    for meeting in meetings:
        with at(meeting.date):
            activity_hold(actor=staff, activity_id=meeting.pk, minutes=f"{meeting.theme}会议纪要。", attendance=12)
    return session, meetings


def test_the_yangshan_questioning_flow_gives_the_hand_computed_figures(yangshan, session):
    session, meetings = session
    staff = yangshan.actor()
    assert {m.meeting_type for m in session.preparatory_meetings.all()} == set(MeetingType.values)
    assert all(m.kind == Kind.CONGRESS_QUESTIONING and not m.is_public for m in meetings)

    # 大会问政: held on the 20th; the fourth deputy did not come. Five items, answered with promises.
    departments = {"construction": yangshan.construction, "social": yangshan.social}
    with at(D(2025, 6, 20), 9):
        activity_hold(
            actor=staff,
            activity_id=session.pk,
            minutes="镇长就五个问题现场作答，形成跟踪督办清单。",
            attendance=45,
            attended_deputy_ids=[d.pk for d in yangshan.deputies[:3]],
        )
        items = [
            item_raise(actor=staff, activity_id=session.pk, content=content, deputy_id=yangshan.deputies[i % 3].pk)
            for i, (content, _dept, _deadline) in enumerate(ITEMS)
        ]
        assert all(item.case.channel == Channel.ACTIVITY and item.case.state == State.REVIEWED for item in items)
        for item, (_content, dept, deadline) in zip(items, ITEMS, strict=True):
            promise_record(
                actor=staff,
                item_id=item.pk,
                measure="列入年度民生实事，限期解决。",
                department_id=departments[dept].pk,
                deadline=deadline,
            )
    for item in items:
        item.refresh_from_db()
        item.case.refresh_from_db()
        assert item.case.state == State.REPLIED
        assert "限期解决" in item.case.reply_text

    # The deputies who took part rate each item the next day.
    first, second, third = (yangshan.actor(i) for i in range(3))
    ratings = {
        0: ["satisfied", "satisfied", "satisfied"],
        1: ["satisfied", "basically_satisfied", "satisfied"],
        2: ["basically_satisfied", "basically_satisfied", "satisfied"],
        4: ["satisfied", "satisfied", "satisfied"],
    }
    with at(D(2025, 6, 21)):
        for index, given in ratings.items():
            for actor, rating in zip((first, second, third), given, strict=True):
                item_rate(actor=actor, item_id=items[index].pk, rating=rating)
        # Item 4: satisfied, then 不满意 — it goes back for re-handling with a new deadline.
        item_rate(actor=first, item_id=items[3].pk, rating="satisfied")
        item_rate(
            actor=second,
            item_id=items[3].pk,
            rating="unsatisfied",
            comment="价格只降了一元，仍然偏高。",
            new_deadline=D(2025, 8, 29),
        )
        with pytest.raises(IllegalTransition):  # round 1 is over: the case is being handled again
            item_rate(actor=third, item_id=items[3].pk, rating="satisfied")
    rehandled = items[3]
    rehandled.refresh_from_db()
    rehandled.case.refresh_from_db()
    assert rehandled.case.state == State.REVIEWED and rehandled.case.round == 2
    assert (rehandled.first_deadline, rehandled.deadline) == (D(2025, 7, 10), D(2025, 8, 29))
    reopen = IssueEvent.objects.get(issue=rehandled.case, action="reopen")
    assert reopen.actor_kind == IssueEvent.ActorKind.SYSTEM and "偏高" in reopen.public_note

    # The departments keep their promises: two on time, one late, the re-handled one by its
    # new deadline; the fifth is not due yet.
    with at(D(2025, 7, 20)):
        promise_mark_kept(actor=staff, item_id=items[0].pk)
    with at(D(2025, 7, 25)):
        promise_mark_kept(actor=staff, item_id=items[2].pk)
    with at(D(2025, 8, 15)):
        promise_mark_kept(actor=staff, item_id=items[1].pk)
    with at(D(2025, 8, 20)):
        promise_mark_kept(actor=staff, item_id=items[3].pk, note="老年食堂午餐恢复原价，由镇财政补贴差额。")
        return_visit_record(actor=staff, item_id=items[3].pk, date=D(2025, 8, 20), note="回访老人，反映良好。")
    with at(D(2025, 8, 22)):
        item_rate(actor=second, item_id=items[3].pk, rating="satisfied")
        item_rate(actor=third, item_id=items[3].pk, rating="basically_satisfied")
    rehandled.case.refresh_from_db()
    assert rehandled.case.state == State.REPLIED and rehandled.case.round == 2

    with at(D(2025, 9, 1)):
        rows = supervision_list(session)
        activity_close(actor=staff, activity_id=session.pk)
        figures = activity_figures(yangshan.staff, D(2025, 6, 1), D(2026, 1, 1))

    assert [row.status for row in rows] == [
        PromiseStatus.KEPT,
        PromiseStatus.KEPT,
        PromiseStatus.KEPT_LATE,
        PromiseStatus.KEPT,
        PromiseStatus.IN_PROGRESS,
    ]
    assert [row.department for row in rows] == [
        "洋山镇建设办",
        "洋山镇建设办",
        "洋山镇社会事务办",
        "洋山镇社会事务办",
        "洋山镇建设办",
    ]
    assert rows[3].round == 2 and rows[3].return_visits == 1 and rows[3].first_deadline == D(2025, 7, 10)
    assert "2" in rows[3].rating  # the latest round's ratings are shown
    session.refresh_from_db()
    assert session.status == Status.CLOSED

    # 兑现率: items 1, 2 and 4 (by its new deadline) kept on time of the 4 due; item 5 not due.
    assert figures["promise_kept_rate"]["numerator"] == 3
    assert figures["promise_kept_rate"]["denominator"] == 4
    assert figures["promise_kept_rate"]["rate"] == 0.75
    # Satisfaction: 16 ratings, one 不满意.
    assert ItemRating.objects.count() == 16
    assert (figures["item_satisfaction"]["numerator"], figures["item_satisfaction"]["denominator"]) == (15, 16)
    # Participation: three of the station's four deputies took part.
    participation = figures["deputy_participation_rate"]
    assert (participation["numerator"], participation["denominator"]) == (3, 4)
    held = figures["activities_held"]
    assert held["by_kind"][Kind.CONGRESS_QUESTIONING]["value"] == 1
    assert held["total"] == 1 and held["preparatory_meetings"] == 3


def test_a_promise_kept_early_counts_before_its_deadline_and_an_unkept_one_only_after(yangshan, session):
    session, _meetings = session
    staff = yangshan.actor()
    with at(D(2025, 6, 20)):
        activity_hold(actor=staff, activity_id=session.pk, minutes="纪要", attendance=30)
        early, unkept = (
            item_raise(actor=staff, activity_id=session.pk, content=content) for content, _d, _dl in ITEMS[:2]
        )
        for item in (early, unkept):
            promise_record(
                actor=staff,
                item_id=item.pk,
                measure="限期解决",
                department_id=yangshan.social.pk,
                deadline=D(2025, 7, 1),
            )
        promise_mark_kept(actor=staff, item_id=early.pk)
        before = activity_figures(yangshan.staff, None, None)["promise_kept_rate"]
    with at(D(2025, 7, 2)):
        after = activity_figures(yangshan.staff, None, None)["promise_kept_rate"]
    assert (before["numerator"], before["denominator"]) == (1, 1)
    assert (after["numerator"], after["denominator"]) == (1, 2)
