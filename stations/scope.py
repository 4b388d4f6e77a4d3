"""What one user may see: the stations they serve at as a deputy or as station staff (named one
by one: small sets), the regions they watch as township staff or run as a county, city or
province administrator (region path prefixes, matched against the path each case and station
carries), and their own cases as a deputy. Computed once per request; issues.permissions builds
on it (what an actor may do to a case), and every list, page, export, figure and API response is
filtered by it: cases through `issue_filter()`, anything tied to a station through
`station_filter(prefix)`."""

from dataclasses import dataclass, field

from django.db.models import Q

from deputies.models import Deputy, Stationing
from stations.models import StaffMembership, Station


class Role:
    ADMIN = "admin"
    DEPUTY = "deputy"
    STATION_STAFF = "station_staff"
    # Read-only: township staff, and the county, city and province administrators, who watch the
    # cases of their region without taking part in them.
    TOWNSHIP_STAFF = "township_staff"
    VILLAGER = "villager"  # holds the tracking code
    SYSTEM = "system"  # scheduled tasks
    PLATFORM = "platform"  # the governance platform, through a signed callback


# How far an administrator's role reaches, from the smallest region to the largest.
ADMIN_RANK = {
    StaffMembership.Role.COUNTY_ADMIN: 1,
    StaffMembership.Role.CITY_ADMIN: 2,
    StaffMembership.Role.PROVINCE_ADMIN: 3,
}


def _within(paths: tuple[str, ...], lookup: str) -> Q:
    """Rows whose `lookup` starts with one of `paths` (nothing when there is none)."""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{lookup}__startswith": path})
    return q


def _outermost(paths) -> tuple[str, ...]:
    """The paths without those inside another one of them, sorted (a stable cache key)."""
    ordered = sorted(set(paths), key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(outer) for outer in kept):
            kept.append(path)
    return tuple(sorted(kept))


@dataclass(frozen=True)
class Scope:
    """What one user may see, computed once per request from their deputy record and memberships."""

    is_superuser: bool = False
    deputy_id: int | None = None
    deputy_station_ids: frozenset[int] = field(default_factory=frozenset)
    staff_station_ids: frozenset[int] = field(default_factory=frozenset)
    township_region_paths: tuple[str, ...] = ()  # watched read-only
    admin_region_paths: tuple[str, ...] = ()  # run as a county, city or province administrator
    admin_rank: int = 0  # the largest administrator role held (ADMIN_RANK), 0 for none

    @property
    def named_station_ids(self) -> frozenset[int]:
        """The stations named one by one: where the user serves as a deputy or works as staff."""
        return self.deputy_station_ids | self.staff_station_ids

    @property
    def region_paths(self) -> tuple[str, ...]:
        """The regions whose every station and case this user may see."""
        return _outermost(self.township_region_paths + self.admin_region_paths)

    @property
    def is_empty(self) -> bool:
        return not self.is_superuser and self.deputy_id is None and not self.named_station_ids and not self.region_paths

    @property
    def cache_key(self) -> str:
        """Who sees the same rows sees the same figures: the regions, the named stations, the deputy."""
        if self.is_superuser:
            return "all"
        return f"r{','.join(self.region_paths)}|s{','.join(map(str, sorted(self.named_station_ids)))}|d{self.deputy_id}"

    def issue_filter(self) -> Q:
        """The Q that limits Issue rows to this scope (superusers are not filtered)."""
        q = _within(self.region_paths, "region_path")
        if self.named_station_ids:
            q |= Q(station_id__in=self.named_station_ids)
        if self.deputy_id is not None:
            q |= Q(deputy_id=self.deputy_id)
        return q

    def station_filter(self, prefix: str = "") -> Q:
        """The Q that limits rows tied to a station to this scope's stations: `prefix` is the path
        from the model to the station ("" for Station itself, "station__" for a DutySlot)."""
        return self._stations(prefix, self.named_station_ids)

    def staff_station_filter(self, prefix: str = "") -> Q:
        """Like station_filter, without the stations where the user is only a deputy: those they
        work at as staff, and those of the regions they watch or run."""
        return self._stations(prefix, self.staff_station_ids)

    def _stations(self, prefix: str, named: frozenset[int]) -> Q:
        q = _within(self.region_paths, f"{prefix}region__path")
        if named:
            q |= Q(**{f"{prefix}pk__in": named})
        return q

    def region_filter(self, lookup: str = "path") -> Q:
        """The Q for rows whose region path (at `lookup`) lies in the regions this user sees."""
        return _within(self.region_paths, lookup)

    def in_regions(self, path: str | None) -> bool:
        return bool(path) and any(path.startswith(outer) for outer in self.region_paths)

    def administers(self, path: str | None) -> bool:
        """Whether a region (by its path) lies in a region this user runs as an administrator."""
        return bool(path) and any(path.startswith(outer) for outer in self.admin_region_paths)

    def sees_station(self, station_id: int | None) -> bool:
        """Whether the user may see the station (one query for region watchers, none otherwise)."""
        if station_id is None:
            return False
        if self.is_superuser or station_id in self.named_station_ids:
            return True
        return bool(self.region_paths) and Station.objects.filter(self.station_filter(), pk=station_id).exists()

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
        if self.in_regions(issue.region_path):
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
    township = tuple(m.region.path for m in memberships if m.role == StaffMembership.Role.TOWNSHIP_STAFF)
    administered = [m for m in memberships if m.role in ADMIN_RANK]
    return Scope(
        deputy_id=deputy.pk if deputy else None,
        deputy_station_ids=deputy_station_ids,
        staff_station_ids=staff_station_ids,
        township_region_paths=township,
        admin_region_paths=_outermost(m.region.path for m in administered),
        admin_rank=max((ADMIN_RANK[m.role] for m in administered), default=0),
    )
