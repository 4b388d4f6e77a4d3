"""insert_together: a row and the rows pointing at it, written as one unit (one statement on
PostgreSQL, a transaction on SQLite), or not at all."""

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext, isolate_apps

from deputies.selectors import serving_post_lookup
from issues.models import Attachment, Channel, Issue, IssueEvent
from liaison.db import Lookup, insert_together, require_plain_insert
from testsupport.services import require_postgres

pytestmark = pytest.mark.django_db


def new_case(world, **fields) -> Issue:
    fields.setdefault("station_id", world.railway_point.pk)
    return Issue(channel=Channel.STATION_QR, content="渡口候船亭屋顶漏雨。", **fields)


def first_event(issue: Issue) -> IssueEvent:
    return IssueEvent(issue=issue, action="submit", from_state="", to_state="submitted", round=1, actor_kind="villager")


def photo_row() -> Attachment:
    return Attachment(image="issues/2026/11/x.jpg", size=10, width=1, height=1)


def test_a_row_and_the_rows_pointing_at_it_are_written_together_with_their_keys(world):
    issue = new_case(world, submission_key="form:abc", submission_fingerprint="f" * 64)
    event, photo = first_event(issue), photo_row()

    assert insert_together(issue, [event, photo]) is True

    stored = Issue.objects.get(pk=issue.pk)
    assert stored.tracking_code == issue.tracking_code and stored.content == "渡口候船亭屋顶漏雨。"
    assert stored.submission_key == "form:abc"
    assert IssueEvent.objects.get(pk=event.pk).issue_id == issue.pk
    assert Attachment.objects.get(pk=photo.pk).issue_id == issue.pk
    assert not issue._state.adding and event.issue is issue
    issue.content = "changed"
    issue.save()  # saved instances update as usual
    assert Issue.objects.get(pk=issue.pk).content == "changed"


def test_a_lookup_fills_the_fields_it_names(world):
    issue = new_case(world, station_id=None)
    lookup = serving_post_lookup(token=world.deputy_a.qr_token)

    assert insert_together(issue, [first_event(issue)], lookup=lookup) is True

    assert (issue.deputy_id, issue.station_id) == (world.deputy_a.pk, world.railway_point.pk)
    assert Issue.objects.filter(pk=issue.pk, deputy=world.deputy_a, station=world.railway_point).exists()


def test_a_lookup_that_finds_no_row_writes_nothing(world):
    issue = new_case(world, station_id=None)
    sql = "SELECT id, id FROM deputies_deputy WHERE qr_token = %s"
    nobody = Lookup(sql, ["no-such-token"], ("deputy_id", "station_id"))

    assert insert_together(issue, [first_event(issue)], lookup=nobody) is False

    assert issue.pk is None
    assert not Issue.objects.exists() and not IssueEvent.objects.exists()


def test_a_unique_violation_writes_nothing_and_leaves_the_callers_transaction_usable(world):
    first = new_case(world, submission_key="form:same", submission_fingerprint="a" * 64)
    insert_together(first, [])
    with transaction.atomic():
        second = new_case(world, submission_key="form:same", submission_fingerprint="b" * 64)
        with pytest.raises(IntegrityError):
            insert_together(second, [first_event(second), photo_row()])
        # The caller goes on in its transaction, which the failed insert did not break.
        assert Issue.objects.count() == 1
    assert list(Issue.objects.values_list("pk", flat=True)) == [first.pk]
    assert not IssueEvent.objects.exists() and not Attachment.objects.exists()


def test_on_postgresql_the_whole_write_is_one_statement(world):
    require_postgres()  # SQLite writes the same rows in a transaction
    issue = new_case(world, station_id=None)
    with CaptureQueriesContext(connection) as queries:
        insert_together(
            issue,
            [first_event(issue), photo_row()],
            lookup=serving_post_lookup(deputy_id=world.deputy_a.pk),
        )
    # Inside the test's transaction it is wrapped in a savepoint; in a request it runs alone.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1 and statements[0].startswith("WITH ")
    assert IssueEvent.objects.filter(issue=issue).count() == 1


@isolate_apps("issues")
def test_a_model_with_a_generated_column_is_refused_before_anything_is_written():
    class Numbered(models.Model):
        number = models.IntegerField()
        doubled = models.GeneratedField(
            expression=models.F("number") * 2, output_field=models.IntegerField(), db_persist=True
        )

        class Meta:
            app_label = "issues"

    with pytest.raises(TypeError, match="'doubled' has a GeneratedField"):
        insert_together(Numbered(number=1))


@isolate_apps("issues")
def test_a_model_with_a_database_default_is_refused_before_anything_is_written():
    class Stamped(models.Model):
        at = models.DateTimeField(db_default=Now())

        class Meta:
            app_label = "issues"

    with pytest.raises(TypeError, match="'at' has a db_default"):
        insert_together(Stamped())


@isolate_apps("issues")
def test_a_dependent_with_a_database_default_is_refused_too(world):
    class Note(models.Model):
        issue = models.ForeignKey(Issue, on_delete=models.CASCADE)
        seen = models.BooleanField(db_default=False)

        class Meta:
            app_label = "issues"

    issue = new_case(world)
    with pytest.raises(TypeError, match="Note"):
        insert_together(issue, [Note()])
    assert not Issue.objects.exists()


def test_the_models_of_the_villagers_submission_are_all_plain_inserts():
    """A GeneratedField or db_default added to a case, an event or a photo would fail here, and in
    every submission, rather than only in production on PostgreSQL."""
    for model in (Issue, IssueEvent, Attachment):
        require_plain_insert(model)
