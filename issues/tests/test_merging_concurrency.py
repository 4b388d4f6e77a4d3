"""Two people merge (or unmerge, or move the main case) at the same moment: the row locks, taken
on every case of the group in id order, make one wait for the other, never deadlock, and leave
no half-merged group nor a merge cycle. These need PostgreSQL."""

import pytest
from django.db import OperationalError

from issues import services
from issues.models import Action, Issue, State
from issues.services.merging import issue_merge, issue_unmerge
from issues.tests.lifecycle import REPLY_TEXT
from issues.tests.test_concurrency import assert_unbroken_timeline, race, staff_actor
from liaison.errors import IllegalTransition
from testsupport.services import require_postgres

pytestmark = [pytest.mark.postgres]
ROUNDS = 3


def merge(main_id: int, *ids: int):
    return lambda: issue_merge(actor=staff_actor("station_staff"), main_id=main_id, issue_ids=list(ids))


def reply(issue_id: int):
    return lambda: services.issue_reply(actor=staff_actor("station_staff"), issue_id=issue_id, text=REPLY_TEXT)


def assign(issue_id: int, department_id: int):
    return lambda: services.issue_assign(
        actor=staff_actor("station_staff"), issue_id=issue_id, department_id=department_id
    )


def unmerge(issue_id: int):
    return lambda: issue_unmerge(actor=staff_actor("station_staff"), issue_id=issue_id)


def _no_deadlock(results) -> None:
    assert not any(isinstance(r, OperationalError) for r in results), results


def test_merging_two_cases_into_each_other_at_once_merges_one_way_only(world, transactional_db):
    require_postgres()
    for _ in range(ROUNDS):
        a, b = world.submit(), world.submit()
        results = race(merge(a.pk, b.pk), merge(b.pk, a.pk))

        _no_deadlock(results)
        assert sum(isinstance(r, Issue) for r in results) == 1, results
        assert sum(isinstance(r, IllegalTransition) for r in results) == 1, results
        merged = list(Issue.objects.filter(pk__in=[a.pk, b.pk], merged_into__isnull=False))
        assert len(merged) == 1  # no cycle, nothing half-done
        for case in (a, b):
            case.refresh_from_db()
            assert_unbroken_timeline(case)


def test_one_case_merged_into_two_main_cases_at_once_joins_one(world, transactional_db):
    require_postgres()
    for _ in range(ROUNDS):
        first, second, duplicate = world.submit(), world.submit(), world.submit()
        results = race(merge(first.pk, duplicate.pk), merge(second.pk, duplicate.pk))

        _no_deadlock(results)
        winners = [r for r in results if isinstance(r, Issue)]
        assert len(winners) == 1, results
        duplicate.refresh_from_db()
        assert duplicate.merged_into_id == winners[0].pk
        assert duplicate.events.filter(action=Action.MERGE).count() == 1
        assert_unbroken_timeline(duplicate)


def test_a_reply_racing_a_merge_leaves_the_merged_case_in_step(world, transactional_db):
    require_postgres()
    for _ in range(ROUNDS):
        main = services.issue_accept(actor=staff_actor("station_staff"), issue_id=world.submit().pk)
        duplicate = world.submit()
        results = race(merge(main.pk, duplicate.pk), reply(main.pk))

        _no_deadlock(results)
        duplicate.refresh_from_db()
        assert isinstance(results[1], Issue), results  # the answer always goes through
        if isinstance(results[0], Issue):  # merged first: the answer reached the duplicate too
            assert (duplicate.state, duplicate.reply_text) == (State.REPLIED, REPLY_TEXT)
        else:  # answered first: nothing merges into an answered case
            assert isinstance(results[0], IllegalTransition), results
            assert (duplicate.state, duplicate.merged_into_id) == (State.SUBMITTED, None)
        assert_unbroken_timeline(duplicate)


def test_unmerge_racing_the_assignment_of_the_main_case_ends_in_one_order(world, transactional_db):
    require_postgres()
    for _ in range(ROUNDS):
        duplicate = world.submit()  # the lower id: the two calls would lock in opposite orders
        main = world.submit()
        staff = staff_actor("station_staff")
        services.issue_accept(actor=staff, issue_id=main.pk)
        services.issue_review(actor=staff, issue_id=main.pk)
        issue_merge(actor=staff, main_id=main.pk, issue_ids=[duplicate.pk])
        results = race(assign(main.pk, world.department.pk), unmerge(duplicate.pk))

        _no_deadlock(results)
        assert isinstance(results[0], Issue), results
        duplicate.refresh_from_db()
        if isinstance(results[1], Issue):  # undone first: the duplicate stays where it was
            assert (duplicate.state, duplicate.merged_into_id) == (State.SUBMITTED, None)
        else:  # assigned first: the merge holds and the duplicate went along
            assert isinstance(results[1], IllegalTransition), results
            assert (duplicate.state, duplicate.merged_into_id) == (State.ASSIGNED, main.pk)
        assert_unbroken_timeline(duplicate)
