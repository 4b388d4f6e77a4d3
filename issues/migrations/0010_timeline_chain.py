"""Seal the timeline: every event gets the hash of the case's previous event and its own
(issues.timeline), existing events included, and PostgreSQL then refuses UPDATE and DELETE on
the table. The existing chains are computed before the trigger exists, in one transaction."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from issues.timeline import digest

CASES_PER_BATCH = 500

# A plain trigger rather than a library's: it has no session setting that lets a connection skip
# it. Only the table's owner or a superuser can get past it (ALTER TABLE … DISABLE TRIGGER), and
# the hash chain shows what they changed. TRUNCATE is left to privileges: tests empty tables so.
# restrict_violation: Django raises it as an IntegrityError, the database refusing a write.
CREATE_TRIGGER = """
CREATE FUNCTION issues_issueevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issues_issueevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Case events are the record of what was done; write a new event instead.';
END;
$$;
CREATE TRIGGER issues_issueevent_append_only
    BEFORE UPDATE OR DELETE ON issues_issueevent
    FOR EACH ROW EXECUTE FUNCTION issues_issueevent_append_only();
"""
DROP_TRIGGER = """
DROP TRIGGER IF EXISTS issues_issueevent_append_only ON issues_issueevent;
DROP FUNCTION IF EXISTS issues_issueevent_append_only();
"""


def seal_existing_events(apps, schema_editor):
    """Chain each case's events in (created_at, id) order, a few hundred cases at a time."""
    issue_model = apps.get_model("issues", "Issue")
    event_model = apps.get_model("issues", "IssueEvent")
    db = schema_editor.connection.alias
    last_id = 0
    while True:
        codes = dict(
            issue_model.objects.using(db)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "tracking_code")[:CASES_PER_BATCH]
        )
        if not codes:
            return
        last_id = max(codes)
        events = event_model.objects.using(db).filter(issue_id__in=codes).order_by("issue_id", "created_at", "id")
        sealed, case, previous = [], None, ""
        for event in events:
            if event.issue_id != case:
                case, previous = event.issue_id, ""
            event.prev_hash = previous
            event.hash = previous = digest(event, codes[event.issue_id])
            sealed.append(event)
        event_model.objects.using(db).bulk_update(sealed, ["prev_hash", "hash"], batch_size=500)


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0009_kept_photos"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="issueevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="issueevent",
            name="prev_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, verbose_name="hash of the previous event"
            ),
        ),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="issueevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                to=settings.AUTH_USER_MODEL,
                verbose_name="actor",
            ),
        ),
        migrations.AddConstraint(
            model_name="issueevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("prev_hash", ""), _negated=True),
                fields=("issue", "prev_hash"),
                name="issueevent_one_successor",
            ),
        ),
        migrations.RunPython(install_trigger, drop_trigger),
    ]
