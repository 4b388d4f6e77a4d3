"""The escalation chain: 催办 to whoever must act N working days after a missed deadline, 通报 to
the township and the station M working days after it, counted on the working-day calendar; each
once per deadline (a race of two beat runs writes one), again for a new deadline; and a case
reopened twice proposed for an appointment with the township head."""

import datetime as dt

import pytest
from django.db import connections
from django.utils import timezone

from issues import clock, services
from issues.escalation import PROPOSAL_KEY, escalate_cases
from issues.models import Action, Issue, Notification, State
from issues.notifications import notify
from issues.tests.lifecycle import REOPEN_REASON, REPLY_TEXT, drive_to
from issues.tests.test_concurrency import race
from issues.timeline import check_case
from stations.models import CalendarDay
from testsupport.services import require_postgres

REMIND, REPORT = Action.REMIND, Action.REPORT


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


# Cases are written on Monday 30 November 2026 and given a deadline on Friday 4 December, end
# of day; no official holiday near it.
WRITTEN_AT = local(2026, 11, 30, 9, 0)
FRIDAY_DEADLINE = local(2026, 12, 4, 23, 59, 59)


@pytest.fixture(autouse=True)
def thresholds(settings):
    settings.ESCALATION_REMIND_AFTER_WORKDAYS = 2
    settings.ESCALATION_REPORT_AFTER_WORKDAYS = 4


def overdue_case(world, state=State.SUBMITTED, deadline=FRIDAY_DEADLINE) -> Issue:
    with clock.frozen_at(WRITTEN_AT):
        issue = drive_to(world, state)
    Issue.objects.filter(pk=issue.pk).update(deadline=deadline)
    return Issue.objects.get(pk=issue.pk)


def run_at(moment: dt.datetime) -> int:
    with clock.frozen_at(moment):
        return escalate_cases()


def steps(issue: Issue) -> list[str]:
    return list(issue.events.filter(action__in=[REMIND, REPORT]).order_by("pk").values_list("action", flat=True))


def alerted(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


@pytest.mark.parametrize(
    ("now", "calendar", "expected"),
    [
        # Two whole working days (Mon 7, Tue 8) after the deadline's day: not before Tuesday ends.
        pytest.param(local(2026, 12, 8, 10, 0), {}, [], id="one working day past (N-1): nothing"),
        pytest.param(local(2026, 12, 5, 12, 0), {}, [], id="the weekend does not count"),
        pytest.param(local(2026, 12, 9, 0, 30), {}, [REMIND], id="N working days past: 催办"),
        pytest.param(local(2026, 12, 10, 18, 0), {}, [REMIND], id="between N and M: 催办 only"),
        pytest.param(local(2026, 12, 11, 0, 30), {}, [REMIND, REPORT], id="M working days past: 催办 and 通报"),
        pytest.param(
            local(2026, 12, 9, 10, 0),
            {dt.date(2026, 12, 7): CalendarDay.Kind.HOLIDAY},
            [],
            id="a holiday on Monday moves N to Wednesday",
        ),
        pytest.param(
            local(2026, 12, 10, 0, 30),
            {dt.date(2026, 12, 7): CalendarDay.Kind.HOLIDAY},
            [REMIND],
            id="after the holiday, N reached",
        ),
        pytest.param(
            local(2026, 12, 8, 0, 30),
            {dt.date(2026, 12, 5): CalendarDay.Kind.WORKDAY},
            [REMIND],
            id="a make-up Saturday counts",
        ),
    ],
)
def test_the_chain_counts_whole_working_days_past_the_deadline(world, now, calendar, expected):
    for day, kind in calendar.items():
        CalendarDay.objects.create(date=day, kind=kind, name="测试")
    issue = overdue_case(world)
    assert run_at(now) == len(expected)
    assert steps(issue) == expected


def test_the_reminder_goes_to_whoever_must_act_by_the_queues_rule(world):
    waiting = overdue_case(world, State.SUBMITTED)  # the deputy and the station accept
    run_at(local(2026, 12, 9, 0, 30))
    assert set(
        Notification.objects.filter(issue=waiting, kind=Notification.Kind.REMIND).values_list(
            "user__username", flat=True
        )
    ) == {"deputy_a", "station_staff"}
    with_department = overdue_case(world, State.ASSIGNED)  # station staff chase the department
    run_at(local(2026, 12, 9, 0, 31))
    assert set(
        Notification.objects.filter(issue=with_department, kind=Notification.Kind.REMIND).values_list(
            "user__username", flat=True
        )
    ) == {"station_staff"}
    assert alerted(Notification.Kind.REPORT) == set()


def test_the_report_goes_to_the_township_staff_and_the_station_staff_not_to_another_township(world):
    issue = overdue_case(world, State.ACCEPTED)
    run_at(local(2026, 12, 11, 0, 30))
    assert alerted(Notification.Kind.REPORT) == {"township_staff", "station_staff"}
    report = issue.events.get(action=REPORT)
    assert report.actor_kind == "system" and report.to_state == report.from_state == State.ACCEPTED
    assert "4" in report.internal_note and issue.short_code in report.internal_note


def test_each_step_fires_once_per_deadline(world):
    issue = overdue_case(world)
    assert run_at(local(2026, 12, 11, 0, 30)) == 2
    notifications = Notification.objects.count()
    assert run_at(local(2026, 12, 11, 0, 45)) == 0
    assert run_at(local(2026, 12, 20, 9, 0)) == 0
    assert steps(issue) == [REMIND, REPORT]
    assert Notification.objects.count() == notifications
    assert check_case(issue.pk).problem == ""


def test_a_new_deadline_after_reopening_starts_the_chain_again(world):
    issue = overdue_case(world, State.ASSIGNED)
    run_at(local(2026, 12, 9, 0, 30))
    staff = world.actor("station_staff")
    with clock.frozen_at(local(2026, 12, 9, 9, 0)):
        services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
        services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    reopened = Issue.objects.get(pk=issue.pk)
    assert reopened.round == 2 and reopened.deadline > local(2026, 12, 9, 9, 0)
    assert run_at(local(2026, 12, 9, 10, 0)) == 0  # the new deadline is not missed
    assert run_at(reopened.deadline + dt.timedelta(days=5)) == 1
    assert steps(issue) == [REMIND, REMIND]
    assert list(issue.events.filter(action=REMIND).values_list("round", flat=True)) == [1, 2]


def test_cases_no_longer_open_are_not_chased(world):
    replied = overdue_case(world, State.REPLIED)
    rejected = overdue_case(world, State.REJECTED)
    assert run_at(local(2026, 12, 20, 9, 0)) == 0
    assert steps(replied) == steps(rejected) == []


def test_a_case_that_moved_on_between_the_scan_and_the_lock_is_left_alone(world, monkeypatch):
    issue = overdue_case(world, State.ACCEPTED)
    from issues import escalation

    real = escalation.escalate_one

    def review_first(issue_id, **kwargs):
        services.issue_review(actor=world.actor("station_staff"), issue_id=issue_id)
        return real(issue_id, **kwargs)

    monkeypatch.setattr(escalation, "escalate_one", review_first)
    assert run_at(local(2026, 12, 9, 0, 30)) == 0
    assert steps(issue) == []


def test_a_failing_alert_leaves_no_escalation_behind(world, monkeypatch):
    issue = overdue_case(world)
    from issues import escalation

    def broken(**kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(escalation, "notify", broken)
    with pytest.raises(RuntimeError):
        run_at(local(2026, 12, 9, 0, 30))
    assert steps(issue) == [] and not Notification.objects.exists()
    monkeypatch.setattr(escalation, "notify", notify)
    assert run_at(local(2026, 12, 9, 0, 30)) == 1


@pytest.mark.postgres
def test_two_beat_runs_at_once_write_each_step_once(world, transactional_db):
    require_postgres()
    cases = [overdue_case(world) for _ in range(3)]
    moment = local(2026, 12, 11, 0, 30)
    for _ in range(2):
        results = race(lambda: run_at(moment), lambda: run_at(moment))
        assert all(isinstance(r, int) for r in results), results
    connections.close_all()
    assert sum(results) == 0
    for issue in cases:
        assert steps(issue) == [REMIND, REPORT]
        assert check_case(issue.pk).problem == ""
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) == 3 * (2 + 2)  # 催办: deputy, staff; 通报: township, staff


# --- reopened twice ---------------------------------------------------------------------------------


def reopened(world, times: int) -> Issue:
    staff = world.actor("station_staff")
    with clock.frozen_at(WRITTEN_AT):
        issue = drive_to(world, State.REPLIED)
        for n in range(times):
            services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
            if n < times - 1:
                services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
    return Issue.objects.get(pk=issue.pk)


def test_a_case_reopened_once_is_not_proposed(world):
    issue = reopened(world, 1)
    assert run_at(WRITTEN_AT) == 0
    assert not issue.events.filter(action=Action.PROPOSE_ESCALATION).exists()
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is None


def test_a_case_reopened_twice_is_proposed_once_and_the_station_told(world):
    issue = reopened(world, 2)
    assert run_at(WRITTEN_AT) == 1
    assert run_at(WRITTEN_AT) == 0
    proposal = issue.events.get(action=Action.PROPOSE_ESCALATION)
    assert proposal.external_ref == PROPOSAL_KEY and proposal.data == {"reopens": 2}
    assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is not None
    assert alerted(Notification.Kind.PROPOSAL) == {"station_staff"}
    staff = world.actor("station_staff")
    with clock.frozen_at(WRITTEN_AT):
        services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
        services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    assert run_at(WRITTEN_AT) == 0  # a third reopening proposes nothing new
    assert issue.events.filter(action=Action.PROPOSE_ESCALATION).count() == 1


def test_escalation_events_stay_off_the_villagers_page(world):
    from issues.selectors import public_timeline

    issue = reopened(world, 2)
    run_at(WRITTEN_AT)
    assert Action.PROPOSE_ESCALATION not in [e.action for e in public_timeline(issue)]


def test_each_users_choice_for_the_new_alert_kinds_holds(world):
    from issues.worknotice.models import AlertMode, AlertPreference, WorkAccount, WorkNotice

    WorkAccount.objects.create(user=world.station_staff, account_id="zzd-1001")
    WorkAccount.objects.create(user=world.deputy_a_user, account_id="zzd-1002")
    AlertPreference.objects.create(user=world.deputy_a_user, kind=Notification.Kind.REMIND, mode=AlertMode.INBOX)
    overdue_case(world)
    run_at(local(2026, 12, 9, 0, 30))
    assert alerted(Notification.Kind.REMIND) == {"deputy_a", "station_staff"}  # both inboxes
    # 浙政钉 at once for the staff member (no choice made: immediate), not for the deputy.
    assert list(WorkNotice.objects.values_list("user__username", flat=True)) == ["station_staff"]


def test_a_proposed_case_waits_in_the_station_staffs_queue_until_taken_up(world):
    from issues.escalation import escalation_proposal_taken
    from issues.queue import my_queue

    issue = reopened(world, 2)  # assigned again, its new deadline far off: in nobody's queue
    assert issue not in my_queue(world.station_staff, now=WRITTEN_AT)
    run_at(WRITTEN_AT)
    assert issue in my_queue(world.station_staff, now=WRITTEN_AT)
    assert issue not in my_queue(world.deputy_a_user, now=WRITTEN_AT)
    assert issue not in my_queue(world.township_staff, now=WRITTEN_AT)
    escalation_proposal_taken(issue.pk)
    assert issue not in my_queue(world.station_staff, now=WRITTEN_AT)
