"""A case's timeline is a hash chain nobody can quietly rewrite: each event seals its content and
the hash of the event before it; `verify_timeline` names every case whose chain was touched; and
PostgreSQL refuses UPDATE and DELETE on the events table outright.

The chain tests run on SQLite and PostgreSQL (where tampering first switches the trigger off, as
someone with the rights to would); the trigger tests need PostgreSQL."""

import contextlib
import io
import itertools
import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from issues import clock, services
from issues.models import Issue, IssueEvent, State
from issues.permissions import Actor
from issues.services.core import new_event
from issues.tests.lifecycle import drive_to
from issues.timeline import Link, chain_status, check_case, digest
from testsupport.processes import ROOT, database_url
from testsupport.services import require_postgres

pytestmark = pytest.mark.django_db
HEX64 = re.compile(r"[0-9a-f]{64}")


def events_of(issue: Issue) -> list[IssueEvent]:
    return list(IssueEvent.objects.filter(issue=issue).order_by("created_at", "id"))


@contextlib.contextmanager
def trigger_off():
    """On PostgreSQL, switch the append-only trigger off meanwhile, as the table's owner could;
    SQLite has none."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        # ALTER TABLE must not find deferred foreign-key checks of the test's own inserts pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE issues_issueevent DISABLE TRIGGER issues_issueevent_append_only")
        yield
        cursor.execute("ALTER TABLE issues_issueevent ENABLE TRIGGER issues_issueevent_append_only")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def tamper(sql: str, params=()) -> None:
    """Change the events table behind the application's back."""
    with trigger_off(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def verify(*args) -> tuple[bool, str, str]:
    """Run verify_timeline: (passed, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_timeline", *args, stdout=out, stderr=err)
    except CommandError as error:
        return False, out.getvalue(), err.getvalue() + str(error)
    return True, out.getvalue(), err.getvalue()


def named(issue: Issue) -> str:
    return f"{issue.short_code} (id {issue.pk})"


# --- sealing ---------------------------------------------------------------------------------------


def test_a_new_case_starts_its_chain_with_an_event_sealed_over_its_content(world):
    issue = world.submit()

    (event,) = events_of(issue)
    assert event.prev_hash == ""
    assert HEX64.fullmatch(event.hash)
    assert event.hash == digest(event, issue.tracking_code)


def test_the_villagers_submission_seals_its_first_event_without_reading_the_events_table(world):
    with CaptureQueriesContext(connection) as queries:
        issue = world.submit()

    touching_events = [q["sql"] for q in queries.captured_queries if "issues_issueevent" in q["sql"]]
    # One write (on PostgreSQL the case's own INSERT statement), never a read of earlier events.
    assert len(touching_events) == 1
    assert "INSERT" in touching_events[0].upper()
    assert not any(sql.lstrip().upper().startswith("SELECT") for sql in touching_events)
    assert events_of(issue)[0].hash


def test_each_event_links_to_the_one_before_it_in_its_own_case_only(world):
    first = drive_to(world, State.EVALUATED)
    other = drive_to(world, State.ACCEPTED)

    for issue in (first, other):
        chain = events_of(issue)
        assert chain[0].prev_hash == ""
        for before, after in itertools.pairwise(chain):
            assert after.prev_hash == before.hash
        assert all(event.hash == digest(event, issue.tracking_code) for event in chain)
    assert len(events_of(first)) == 6  # submit, accept, review, assign, reply, evaluate
    assert events_of(other)[1].prev_hash == events_of(other)[0].hash != events_of(first)[0].hash


def test_an_unsatisfied_rating_chains_the_evaluation_and_the_reopening_in_one_transaction(world):
    issue = drive_to(world, State.REPLIED)

    services.issue_evaluate(issue_id=issue.pk, rating="unsatisfied", comment="还是不亮。")

    *_, evaluate, reopen = events_of(issue)
    assert (evaluate.action, reopen.action) == ("evaluate", "reopen")
    assert reopen.prev_hash == evaluate.hash
    assert check_case(issue.pk).ok


def test_revealing_the_phone_number_joins_the_chain_like_a_transition(world):
    issue = world.submit(submitter_phone="13800138000")

    services.issue_reveal_contact(actor=world.actor("station_staff"), issue_id=issue.pk)

    submit, reveal = events_of(issue)
    assert reveal.prev_hash == submit.hash
    assert check_case(issue.pk).ok


def test_an_event_stamped_before_the_one_it_follows_takes_that_time_so_the_chain_stays_in_order(world):
    issue = world.submit()
    submitted_at = events_of(issue)[0].created_at

    with clock.frozen_at(submitted_at - timedelta(hours=1)):  # a clock stepped back
        services.issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)

    submit, accept = events_of(issue)
    assert accept.created_at == submitted_at
    assert accept.prev_hash == submit.hash
    assert check_case(issue.pk).ok


def test_the_database_refuses_a_second_event_following_the_same_one(world):
    issue = world.submit()
    end = Link(events_of(issue)[0].hash, events_of(issue)[0].created_at)
    staff = world.actor("station_staff")
    new_event(issue, action="extend", from_state=issue.state, actor=staff, after=end).save(force_insert=True)

    forked = new_event(issue, action="extend", from_state=issue.state, actor=staff, after=end)
    with pytest.raises(IntegrityError), transaction.atomic():
        forked.save(force_insert=True)


def test_the_orm_refuses_to_change_or_delete_an_event(world):
    event = events_of(world.submit())[0]

    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        IssueEvent.objects.filter(pk=event.pk).update(internal_note="改了")
    with pytest.raises(TypeError, match="append-only"):
        IssueEvent.objects.filter(pk=event.pk).delete()


def test_a_case_with_events_and_a_user_who_acted_on_one_cannot_be_deleted(world):
    issue = drive_to(world, State.ACCEPTED)

    with pytest.raises(ProtectedError):
        Issue.objects.get(pk=issue.pk).delete()
    with pytest.raises(ProtectedError):
        world.station_staff.delete()  # their id is sealed into the accept event
    assert len(events_of(issue)) == 2


def test_the_migration_computes_the_same_chain_as_the_services_wrote(world):
    from importlib import import_module

    migration = import_module("issues.migrations.0010_timeline_chain")
    cases = [drive_to(world, State.EVALUATED), drive_to(world, State.REJECTED), world.submit()]
    written = {event.pk: (event.prev_hash, event.hash) for issue in cases for event in events_of(issue)}
    tamper("UPDATE issues_issueevent SET prev_hash = '', hash = ''")

    # The models as the migration sees them (plain managers, not the append-only ones).
    state = MigrationLoader(connection).project_state(("issues", "0010_timeline_chain"))
    with trigger_off():  # as in the migration, which installs the trigger after this step
        migration.seal_existing_events(state.apps, SimpleNamespace(connection=connection))

    assert {event.pk: (event.prev_hash, event.hash) for issue in cases for event in events_of(issue)} == written


# --- verify_timeline and the case page's status ---------------------------------------------------


def test_verify_timeline_passes_intact_chains_and_counts_what_it_checked(world):
    cases = [drive_to(world, State.EVALUATED), drive_to(world, State.CLOSED), world.submit()]
    events = sum(len(events_of(issue)) for issue in cases)

    passed, out, err = verify()

    assert passed, err
    assert f"Checked 3 cases and {events} events" in out
    assert "0 with a broken timeline" in out


def test_verify_timeline_names_the_case_whose_note_was_edited_and_only_that_one(world):
    edited, untouched = drive_to(world, State.REVIEWED), drive_to(world, State.REVIEWED)
    accept = events_of(edited)[1]
    tamper("UPDATE issues_issueevent SET internal_note = %s WHERE id = %s", ["已核实，情况属实", accept.pk])

    passed, _out, err = verify()

    assert not passed
    assert named(edited) in err
    assert str(accept.pk) in err
    assert named(untouched) not in err


def test_verify_timeline_names_the_case_whose_middle_event_was_deleted(world):
    issue = drive_to(world, State.ASSIGNED)
    tamper("DELETE FROM issues_issueevent WHERE id = %s", [events_of(issue)[2].pk])

    passed, _out, err = verify()

    assert not passed
    assert named(issue) in err


def test_verify_timeline_names_the_case_whose_last_transition_was_deleted(world):
    issue = drive_to(world, State.REVIEWED)
    tamper("DELETE FROM issues_issueevent WHERE id = %s", [events_of(issue)[-1].pk])

    passed, _out, err = verify()

    assert not passed  # every remaining link holds; the case stands where no event left it
    assert named(issue) in err


def test_verify_timeline_names_the_case_into_which_a_forged_event_was_inserted(world):
    issue = drive_to(world, State.REVIEWED)
    submit, accept, review = events_of(issue)
    # A well-formed event, sealed over its own content and linked to the real end of the chain,
    # but dated between the first two events: where it sits in time, it follows nothing.
    forged = new_event(
        issue,
        action="extend",
        from_state=State.SUBMITTED,
        actor=world.actor("admin"),
        after=Link(review.hash, review.created_at),
        internal_note="补录",
    )
    forged.created_at = submit.created_at + (accept.created_at - submit.created_at) / 2
    forged.hash = digest(forged, issue.tracking_code)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO issues_issueevent (issue_id, action, from_state, to_state, round, actor_kind, actor_id,"
            " actor_label, public_note, internal_note, data, external_ref, created_at, prev_hash, hash)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', %s, '{}', '', %s, %s, %s)",
            [
                issue.pk,
                forged.action,
                forged.from_state,
                forged.to_state,
                forged.round,
                forged.actor_kind,
                forged.actor_id,
                forged.actor_label,
                forged.internal_note,
                forged.created_at,
                forged.prev_hash,
                forged.hash,
            ],
        )

    passed, _out, err = verify()

    assert not passed
    assert named(issue) in err


def test_verify_timeline_names_the_case_whose_events_were_reordered(world):
    issue = drive_to(world, State.REVIEWED)
    _submit, accept, review = events_of(issue)
    tamper(
        "UPDATE issues_issueevent SET created_at = CASE WHEN id = %s THEN %s ELSE %s END WHERE id IN (%s, %s)",
        [accept.pk, review.created_at, accept.created_at, accept.pk, review.pk],
    )

    passed, _out, err = verify()

    assert not passed
    assert named(issue) in err


def test_verify_timeline_names_the_case_an_event_was_moved_from_and_the_one_it_was_moved_to(world):
    source, target = drive_to(world, State.REVIEWED), drive_to(world, State.REVIEWED)
    tamper("UPDATE issues_issueevent SET issue_id = %s WHERE id = %s", [target.pk, events_of(source)[1].pk])

    passed, _out, err = verify()

    assert not passed
    assert named(source) in err
    assert named(target) in err


def test_verify_timeline_checks_one_case_by_its_short_code(world):
    broken, intact = drive_to(world, State.ACCEPTED), drive_to(world, State.ACCEPTED)
    tamper("UPDATE issues_issueevent SET actor_label = %s WHERE id = %s", ["别人", events_of(broken)[1].pk])

    passed, out, err = verify("--case", intact.short_code.lower().replace("-", ""))
    assert passed, err
    assert "Checked 1 cases and 2 events" in out

    passed, _out, err = verify("--case", broken.short_code)
    assert not passed
    assert named(broken) in err


def test_verify_timeline_refuses_a_short_code_that_names_no_case(world):
    world.submit()

    with pytest.raises(CommandError, match="No case has the short code"):
        call_command("verify_timeline", "--case", "ZZZZ-ZZZZ", stdout=io.StringIO())


def test_verify_timeline_names_a_case_that_has_no_events_at_all(world):
    bare = Issue.objects.create(channel="walk_in", station=world.railway_point, content="没有时间线的案件")

    passed, _out, err = verify()

    assert not passed
    assert named(bare) in err


def test_the_case_page_status_says_whether_the_chain_holds(world):
    issue = drive_to(world, State.REVIEWED)

    with translation.override("en"):
        ok, message = chain_status(issue)
    assert ok
    assert message.startswith("Timeline intact: 3 events")

    event = events_of(issue)[1]
    tamper("UPDATE issues_issueevent SET data = %s WHERE id = %s", ['{"note": "x"}', event.pk])
    ok, message = chain_status(issue)
    assert not ok
    assert str(event.pk) in message


# --- PostgreSQL: the table itself refuses ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE issues_issueevent SET internal_note = 'rewritten' WHERE id = %s",
        "UPDATE issues_issueevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM issues_issueevent WHERE id = %s",
    ],
    ids=["update-note", "update-actor", "delete"],
)
def test_postgresql_refuses_to_update_or_delete_an_event(world, sql):
    require_postgres()
    issue = drive_to(world, State.ACCEPTED)
    event = events_of(issue)[1]

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [event.pk])

    assert IssueEvent.objects.get(pk=event.pk).internal_note == event.internal_note
    assert check_case(issue.pk).ok


@pytest.mark.postgres
def test_postgresql_still_takes_new_events_through_the_services(world):
    require_postgres()

    issue = drive_to(world, State.EVALUATED)

    assert [e.action for e in events_of(issue)] == ["submit", "accept", "review", "assign", "reply", "evaluate"]
    assert check_case(issue.pk).ok


@pytest.mark.postgres
def test_an_owner_who_disables_the_trigger_and_edits_a_note_is_named_by_the_command(world, transactional_db):
    require_postgres()
    edited, untouched = drive_to(world, State.REVIEWED), drive_to(world, State.REVIEWED)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE issues_issueevent DISABLE TRIGGER ALL")
        cursor.execute(
            "UPDATE issues_issueevent SET internal_note = %s WHERE id = %s", ["已核实", events_of(edited)[1].pk]
        )
        cursor.execute("ALTER TABLE issues_issueevent ENABLE TRIGGER ALL")
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "1"}

    run = subprocess.run(
        [sys.executable, "manage.py", "verify_timeline"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert run.returncode != 0
    assert named(edited) in run.stderr
    assert named(untouched) not in run.stderr
    assert "Checked 2 cases and 6 events" in run.stdout


@pytest.mark.postgres
def test_events_written_at_once_on_the_same_case_form_one_chain(world, transactional_db):
    require_postgres()
    issue = world.submit(submitter_phone="13800138000")
    barrier = threading.Barrier(6)
    errors: list[Exception] = []

    def reveal():
        try:
            actor = Actor.of(type(world.station_staff).objects.get(pk=world.station_staff.pk))
            barrier.wait(timeout=10)
            services.issue_reveal_contact(actor=actor, issue_id=issue.pk)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reveal) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    chain = events_of(issue)
    assert len(chain) == 7
    assert len({event.prev_hash for event in chain}) == 7  # no two events follow the same one
    assert check_case(issue.pk).ok
