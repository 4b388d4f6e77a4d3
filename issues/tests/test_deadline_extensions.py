"""Extending a deadline is bounded: no case hides from the overdue figures behind a deadline
in a far year, and a round cannot be extended again and again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from issues.models import Action, Issue
from issues.permissions import Actor
from issues.services import issue_accept, issue_extend_deadline
from liaison.errors import IllegalTransition, InvalidInput

SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        yield


def extend(world, issue, deadline, reason="等待村委会出具证明"):
    return issue_extend_deadline(
        actor=Actor.of(world.station_staff), issue_id=issue.pk, deadline=deadline, reason=reason
    )


def test_a_deadline_of_9999_is_refused_and_nothing_changes(world, monday):
    issue = world.submit()
    before = issue.deadline
    with pytest.raises(InvalidInput) as refused:
        extend(world, issue, datetime(9999, 12, 31, 23, 59, tzinfo=SHANGHAI))
    assert refused.value.field == "deadline"
    issue.refresh_from_db()
    assert issue.deadline == before
    assert not issue.events.filter(action=Action.EXTEND).exists()


def test_a_deadline_can_move_up_to_the_limit_in_working_days_and_not_a_day_more(world, monday, settings):
    settings.ISSUE_EXTENSION_MAX_WORKING_DAYS = 5
    issue = world.submit()  # accept by Tuesday 3 March, 23:59:59
    # Five working days after Tuesday: Wednesday 4 … Tuesday 10 March.
    latest = datetime(2026, 3, 10, 23, 59, 59, tzinfo=SHANGHAI)
    with pytest.raises(InvalidInput):
        extend(world, issue, latest + timedelta(seconds=1))
    extended = extend(world, issue, latest)
    assert extended.deadline == latest


def test_a_round_may_be_extended_only_so_many_times(world, monday, settings):
    settings.ISSUE_EXTENSIONS_PER_ROUND = 2
    issue = world.submit()
    issue_accept(actor=Actor.of(world.station_staff), issue_id=issue.pk)
    issue.refresh_from_db()
    for _ in range(2):
        issue = extend(world, issue, issue.deadline + timedelta(days=1))
    with pytest.raises(IllegalTransition):
        extend(world, issue, issue.deadline + timedelta(days=1))
    assert Issue.objects.get(pk=issue.pk).events.filter(action=Action.EXTEND).count() == 2


def test_an_overdue_case_can_still_get_a_bounded_new_deadline_counted_from_today(world, settings):
    settings.ISSUE_EXTENSION_MAX_WORKING_DAYS = 3
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        issue = world.submit()
    with time_machine.travel(datetime(2026, 3, 16, 9, 0, tzinfo=SHANGHAI), tick=False):  # long overdue
        extended = extend(world, issue, datetime(2026, 3, 19, 23, 59, 59, tzinfo=SHANGHAI))  # Mon + 3 working days
        assert extended.deadline == datetime(2026, 3, 19, 23, 59, 59, tzinfo=SHANGHAI)
