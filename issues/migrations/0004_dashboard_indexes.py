"""Indexes for the dashboard's aggregates (issue 6).

Covering indexes: every column the figures read is in the index, so PostgreSQL answers the
conditional aggregates with index-only scans instead of reading the cases' rows (their text,
phone numbers and tokens make the table several times wider than these entries). One leads with
`created_at` (the whole city over a period), one with `station` (a township's stations over a
period). SQLite ignores INCLUDE and keeps plain indexes.
"""

from django.db import migrations, models

COVERED = [
    "state",
    "category",
    "deputy",
    "channel",
    "rating",
    "round",
    "deadline",
    "accepted_at",
    "first_replied_at",
    "last_reply_on_time",
]


class Migration(migrations.Migration):
    dependencies = [("issues", "0003_forwarding_notifications")]

    operations = [
        migrations.AddIndex(
            model_name="issue",
            index=models.Index(fields=["created_at"], include=["station", *COVERED], name="issue_dash_created_cover"),
        ),
        migrations.AddIndex(
            model_name="issue",
            index=models.Index(fields=["station", "created_at"], include=COVERED, name="issue_dash_station_cover"),
        ),
    ]
