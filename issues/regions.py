"""The region path copied onto each case (Issue.region_path), kept equal to its station's
region path: moving a station or a region rewrites the copies in the same transaction."""

from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from issues.models import Issue


def follow_region_move(sender, *, old_path: str | None, new_path: str, station_id: int | None = None, **kwargs) -> int:
    """Receiver of stations.models.region_path_moved: a station's cases take its new region's
    path; a moved region's subtree swaps the old prefix for the new one."""
    if station_id is not None:
        return Issue.objects.filter(station_id=station_id).update(region_path=new_path)
    return Issue.objects.filter(region_path__startswith=old_path).update(
        region_path=Concat(Value(new_path), Substr(F("region_path"), len(old_path) + 1))
    )
