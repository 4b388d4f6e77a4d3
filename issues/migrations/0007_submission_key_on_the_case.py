# The key that made a submission idempotent moves from its own table onto the case: one row
# fewer to write (and one foreign-key check fewer) on every villager's submission.

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def keys_onto_cases(apps, schema_editor):
    SubmissionKey = apps.get_model("issues", "SubmissionKey")
    Issue = apps.get_model("issues", "Issue")
    keys = SubmissionKey.objects.filter(issue=OuterRef("pk"))
    Issue.objects.filter(Exists(keys)).update(
        submission_key=Subquery(keys.values("key")[:1]),
        submission_fingerprint=Subquery(keys.values("fingerprint")[:1]),
    )


def keys_back_to_their_table(apps, schema_editor):
    SubmissionKey = apps.get_model("issues", "SubmissionKey")
    Issue = apps.get_model("issues", "Issue")
    cases = Issue.objects.exclude(submission_key="").values_list(
        "pk", "submission_key", "submission_fingerprint", "created_at"
    )
    SubmissionKey.objects.bulk_create(
        (
            SubmissionKey(issue_id=pk, key=key, fingerprint=fingerprint, created_at=created_at)
            for pk, key, fingerprint, created_at in cases.iterator()
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0003_retireddeputytoken"),
        ("issues", "0006_leaner_submission_indexes"),
        ("stations", "0002_retiredstationtoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="submission_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name="submission fingerprint"),
        ),
        migrations.AddField(
            model_name="issue",
            name="submission_key",
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name="submission key"),
        ),
        migrations.RunPython(keys_onto_cases, keys_back_to_their_table),
        migrations.AddConstraint(
            model_name="issue",
            constraint=models.UniqueConstraint(
                condition=models.Q(("submission_key", ""), _negated=True),
                fields=("submission_key",),
                name="issue_unique_submission_key",
            ),
        ),
        migrations.DeleteModel(
            name="SubmissionKey",
        ),
    ]
