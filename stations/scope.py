"""What one user may see: the stations they serve at as a deputy, staff or township staff, and
their own cases as a deputy. Computed once per request; issues.permissions builds on it (what an
actor may do to a case), and every list, page, export and API response is filtered by it."""

from dataclasses import dataclass, field

from django.db.models import Q

from deputies.models import Deputy, Stationing
from stations.models import StaffMembership, Station


class Role:
    ADMIN = "admin"
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    TOWNSHIP_STAFF = "township_staff"  # read-only
    VILLAGER = "villager"  # holds the tracking code
    SYSTEM = "system"  # scheduled tasks
    PLATFORM = "platform"  # the governance platform, through a signed callback


@dataclass(frozen=True)
class Scope:
    """What one user may see, computed once per request from their deputy record and memberships."""

    is_superuser: bool = False
    deputy_id: int | None = None
    deputy_station_ids: frozenset[int] = field(default_factory=frozenset)
    staff_station_ids: frozenset[int] = field(default_factory=frozenset)
    township_station_ids: frozenset[int] = field(default_factory=frozenset)
    township_region_paths: tuple[str, ...] = ()

    @property
    def station_ids(self) -> frozenset[int]:
        """Every station whose cases this user may see."""
        return self.deputy_station_ids | self.staff_station_ids | self.township_station_ids

    @property
    def is_empty(self) -> bool:
        return not self.is_superuser and self.deputy_id is None and not self.station_ids

    def issue_filter(self) -> Q:
        """The Q that limits Issue rows to this scope (superusers are not filtered)."""
        q = Q(station_id__in=self.station_ids)
        if self.deputy_id is not None:
            q |= Q(deputy_id=self.deputy_id)
        return q

    def roles_for(self, issue) -> set[str]:
        roles = set()
        if self.is_superuser:
            roles.add(Role.ADMIN)
        if issue.station_id in self.staff_station_ids:
            roles.add(Role.STATION_STAFF)
        if self.deputy_id is not None and (
            issue.deputy_id == self.deputy_id or issue.station_id in self.deputy_station_ids
        ):
            roles.add(Role.DEPUTY)
        if issue.station_id in self.township_station_ids:
            roles.add(Role.TOWNSHIP_STAFF)
        return roles

    def can_see(self, issue) -> bool:
        return bool(self.roles_for(issue))


_EMPTY = Scope()


def scope_of(user) -> Scope:
    """The user's scope, cached on the user object for the rest of the request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _EMPTY
    cached = getattr(user, "_liaison_scope", None)
    if cached is not None:
        return cached
    scope = _build_scope(user)
    user._liaison_scope = scope
    return scope


def _build_scope(user) -> Scope:
    if user.is_superuser:
        return Scope(is_superuser=True)
    deputy = Deputy.objects.filter(user=user, is_active=True).only("pk").first()
    deputy_station_ids: frozenset[int] = frozenset()
    if deputy is not None:
        deputy_station_ids = frozenset(
            Stationing.objects.current().filter(deputy=deputy).values_list("station_id", flat=True)
        )
    memberships = list(StaffMembership.objects.filter(user=user).select_related("region"))
    staff_station_ids = frozenset(m.station_id for m in memberships if m.role == StaffMembership.Role.STATION_STAFF)
    region_paths = tuple(m.region.path for m in memberships if m.role == StaffMembership.Role.TOWNSHIP_STAFF)
    township_station_ids: frozenset[int] = frozenset()
    if region_paths:
        region_q = Q()
        for path in region_paths:
            region_q |= Q(region__path__startswith=path)
        township_station_ids = frozenset(Station.objects.filter(region_q).values_list("pk", flat=True))
    return Scope(
        deputy_id=deputy.pk if deputy else None,
        deputy_station_ids=deputy_station_ids,
        staff_station_ids=staff_station_ids,
        township_station_ids=township_station_ids,
        township_region_paths=region_paths,
    )
