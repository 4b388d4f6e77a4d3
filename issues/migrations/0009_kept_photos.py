from django.db import migrations, models

import issues.clock
import issues.models


class Migration(migrations.Migration):
    dependencies = [
        ("issues", "0008_name_reveal"),
    ]

    operations = [
        migrations.CreateModel(
            name="KeptPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "submission_key",
                    models.CharField(db_index=True, editable=False, max_length=100, verbose_name="submission key"),
                ),
                ("image", models.ImageField(upload_to=issues.models._attachment_path, verbose_name="photo")),
                (
                    "original_name",
                    models.CharField(blank=True, editable=False, max_length=100, verbose_name="file name"),
                ),
                (
                    "original_size",
                    models.PositiveIntegerField(editable=False, verbose_name="size of the chosen file in bytes"),
                ),
                ("width", models.PositiveIntegerField(editable=False, verbose_name="width")),
                ("height", models.PositiveIntegerField(editable=False, verbose_name="height")),
                ("size", models.PositiveIntegerField(editable=False, verbose_name="size in bytes")),
                (
                    "created_at",
                    models.DateTimeField(db_index=True, default=issues.clock.now, editable=False, verbose_name="time"),
                ),
            ],
            options={
                "verbose_name": "kept photo",
                "verbose_name_plural": "kept photos",
                "ordering": ["id"],
            },
        ),
    ]
