"""Each case carries its station's region path, so that a county's or a city's scope is one
indexed prefix match. Existing cases are filled station by station (batches of stations sharing
a region), before the index is built."""

from django.db import migrations, models

STATIONS_PER_BATCH = 500


def fill_region_paths(apps, schema_editor):
    Issue = apps.get_model("issues", "Issue")
    Station = apps.get_model("stations", "Station")
    by_path: dict[str, list[int]] = {}
    for station_id, path in Station.objects.order_by("pk").values_list("pk", "region__path"):
        by_path.setdefault(path, []).append(station_id)
    for path, station_ids in by_path.items():
        if path is None:  # a station not placed in the region tree: its cases have no region
            continue
        for start in range(0, len(station_ids), STATIONS_PER_BATCH):
            batch = station_ids[start : start + STATIONS_PER_BATCH]
            Issue.objects.filter(station_id__in=batch, region_path="").update(region_path=path)


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0003_retireddeputytoken"),
        ("issues", "0026_action_choices_with_merge_and_escalation"),
        ("stations", "0004_province_level_and_region_admins"),
    ]

    operations = [
        migrations.AddField(
            model_name="issue",
            name="region_path",
            field=models.CharField(blank=True, default="", editable=False, max_length=255, verbose_name="region path"),
        ),
        migrations.RunPython(fill_region_paths, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="issue",
            index=models.Index(
                fields=["region_path"], name="issue_region_path_like", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]
