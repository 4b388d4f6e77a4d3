"""Which departments a case may be handed to (交办范围): those of its own township, and the county
(district) departments that serve that township — not every department of the city.

The case's township is the township-level region its station lies in (a station may sit in a
village of it); the county is that township's parent. A station placed directly at county level
has no township: only the county's departments serve it. Departments without a region serve
nobody until a superuser gives them one.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from issues.models import Department, Issue
from liaison.errors import InvalidInput
from stations.models import Region

_SERVING_LEVELS = (Region.Level.TOWNSHIP, Region.Level.DISTRICT)


def serving_region_ids(region: Region) -> list[int]:
    """The township and county (district) regions at or above `region`, whose departments serve
    cases of stations in it. One query through the region's path."""
    ids = [int(part) for part in region.path.strip("/").split("/") if part.isdigit()]
    by_pk = dict(Region.objects.filter(pk__in=ids).values_list("pk", "level"))
    levels = {by_pk.get(pk): pk for pk in ids}
    township = levels.get(Region.Level.TOWNSHIP)
    if township is not None:
        # The county that serves it is the township's own parent, not any district of the path.
        position = ids.index(township)
        parent = ids[position - 1] if position > 0 else None
        return [township] + ([parent] if parent is not None and by_pk.get(parent) == Region.Level.DISTRICT else [])
    district = levels.get(Region.Level.DISTRICT)
    return [district] if district is not None else []


def departments_in_scope(issue: Issue) -> QuerySet[Department]:
    """The active departments this case may be handed to, its township's first."""
    region_ids = serving_region_ids(issue.station.region)
    return (
        Department.objects.filter(is_active=True, region_id__in=region_ids)
        .select_related("region")
        .order_by("-region__level", "name")  # "township" sorts after "district": township first
    )


def ensure_department_in_scope(issue: Issue, department: Department) -> None:
    """Raise InvalidInput naming the department and the township when it does not serve the case."""
    if departments_in_scope(issue).filter(pk=department.pk).exists():
        return
    raise InvalidInput(
        _("%(department)s does not serve cases of %(station)s: choose a department of its township or county.")
        % {"department": department.name, "station": issue.station.name},
        field="department",
    )
