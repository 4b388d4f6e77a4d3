"""Two people press a button on the same case at the same moment: the row lock and the
compare-and-set let exactly one of them through, and the timeline stays one unbroken chain.

These need PostgreSQL (real row locks, real concurrent connections)."""

import itertools
import threading
import time
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction

from issues import services
from issues.models import Action, Issue, IssueEvent, State
from issues.permissions import PLATFORM, Actor
from issues.tests.lifecycle import REJECT_REASON, REPLY_TEXT, drive_to
from liaison.errors import ActionForbidden, IllegalTransition, IssueError
from testsupport.services import require_postgres

pytestmark = [pytest.mark.postgres]
ROUNDS = 4  # races per test; one database flush per test keeps it fast


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each result is a return value or an error."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # the error is the result under test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return results


def staff_actor(username: str) -> Actor:
    """A fresh user object per thread: the scope is cached on it."""
    return Actor.of(get_user_model().objects.get(username=username))


def accept(issue_id: int, username: str = "station_staff") -> Callable[[], object]:
    return lambda: services.issue_accept(actor=staff_actor(username), issue_id=issue_id)


def reject(issue_id: int, username: str = "station_staff") -> Callable[[], object]:
    return lambda: services.issue_reject(actor=staff_actor(username), issue_id=issue_id, reason=REJECT_REASON)


def assert_unbroken_timeline(issue: Issue) -> list[IssueEvent]:
    events = list(issue.events.order_by("pk"))
    for earlier, later in itertools.pairwise(events):
        assert later.from_state == earlier.to_state
    assert events[-1].to_state == issue.state
    return events


def test_two_people_accepting_the_same_case_at_once_only_one_wins(world, transactional_db):
    require_postgres()
    for issue in [world.submit() for _ in range(ROUNDS)]:
        results = race(accept(issue.pk), accept(issue.pk, "deputy_a"))

        winners = [r for r in results if isinstance(r, Issue)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], IllegalTransition), results
        issue.refresh_from_db()
        assert issue.state == State.ACCEPTED
        assert issue.events.filter(action=Action.ACCEPT).count() == 1
        assert [e.action for e in assert_unbroken_timeline(issue)] == ["submit", "accept"]


def test_accept_and_reject_at_once_end_in_one_serial_order(world, transactional_db):
    require_postgres()
    for issue in [world.submit() for _ in range(ROUNDS)]:
        # Deputy A may reject only a case nobody accepted yet.
        accepted, rejected = race(accept(issue.pk), reject(issue.pk, "deputy_a"))

        issue.refresh_from_db()
        actions = [e.action for e in assert_unbroken_timeline(issue)]
        if isinstance(rejected, Issue):  # the rejection came first
            assert isinstance(accepted, IllegalTransition), accepted
            assert (issue.state, actions) == (State.REJECTED, ["submit", "reject"])
        else:  # the acceptance came first; the deputy may not reject an accepted case
            assert isinstance(accepted, Issue), accepted
            assert isinstance(rejected, ActionForbidden), rejected
            assert (issue.state, actions) == (State.ACCEPTED, ["submit", "accept"])


def test_staff_accept_and_reject_at_once_never_lose_a_step(world, transactional_db):
    require_postgres()
    for issue in [world.submit() for _ in range(ROUNDS)]:
        # Station staff may also reject an accepted case, so both may succeed, one after the other.
        accepted, rejected = race(accept(issue.pk), reject(issue.pk))

        issue.refresh_from_db()
        assert issue.state == State.REJECTED
        assert isinstance(rejected, Issue), rejected
        actions = [e.action for e in assert_unbroken_timeline(issue)]
        if isinstance(accepted, Issue):
            assert actions == ["submit", "accept", "reject"]
        else:
            assert isinstance(accepted, IllegalTransition), accepted
            assert actions == ["submit", "reject"]


def _wait_until_someone_waits_for_a_lock(timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the view is frozen per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    pytest.fail("the second delivery never waited for the case's lock")


def test_platform_reply_delivered_twice_at_once_is_applied_once_without_error(world, transactional_db, monkeypatch):
    require_postgres()
    monkeypatch.setattr("issues.forwarding.enqueue", lambda *args, **kwargs: True)  # no platform here
    issue = drive_to(world, State.ASSIGNED)
    second: list[object] = []

    def deliver_again() -> None:
        try:
            second.append(
                services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-7")
            )
        except IssueError as error:
            second.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        services.issue_reply(actor=PLATFORM, issue_id=issue.pk, text=REPLY_TEXT, external_ref="reply-7")
        thread = threading.Thread(target=deliver_again)
        thread.start()
        _wait_until_someone_waits_for_a_lock()
    thread.join(timeout=30)

    assert issue.events.filter(action=Action.REPLY).count() == 1
    assert isinstance(second[0], Issue), second
