"""Reads of the staff accounts a county, city or province administrator runs."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from stations.models import StaffMembership
from stations.scope import ADMIN_RANK, Scope


def grantable_roles(scope: Scope) -> list[str]:
    """The membership roles this user may give: every one for superusers; for an administrator
    the station and township roles and the administrator roles below their own."""
    if scope.is_superuser:
        return list(StaffMembership.Role.values)
    if not scope.admin_region_paths:
        return []
    below = [role for role, rank in ADMIN_RANK.items() if rank < scope.admin_rank]
    return [StaffMembership.Role.STATION_STAFF, StaffMembership.Role.TOWNSHIP_STAFF, *below]


def memberships_run_by(scope: Scope) -> QuerySet[StaffMembership]:
    """The memberships an administrator runs: of a grantable role, at a station or region inside
    their region."""
    if scope.is_superuser:
        return StaffMembership.objects.all()
    inside = Q(pk__in=[])
    for path in scope.admin_region_paths:
        inside |= Q(region__path__startswith=path) | Q(station__region__path__startswith=path)
    return StaffMembership.objects.filter(inside, role__in=grantable_roles(scope))


def users_run_by(scope: Scope) -> QuerySet:
    """The accounts an administrator runs: staff whose every membership they run, who hold no
    permission or group beyond those roles, and who are neither superusers nor deputies (their
    accounts are linked by superusers)."""
    users = get_user_model().objects.all()
    if scope.is_superuser:
        return users
    if not scope.admin_region_paths:
        return users.none()
    run = memberships_run_by(scope)
    foreign_groups = Group.objects.exclude(name__in=grantable_roles(scope))
    return (
        users.filter(is_superuser=False, deputy__isnull=True, pk__in=run.values("user_id"))
        .exclude(pk__in=StaffMembership.objects.exclude(pk__in=run.values("pk")).values("user_id"))
        .exclude(pk__in=users.filter(user_permissions__isnull=False).values("pk"))
        .exclude(pk__in=users.filter(groups__in=foreign_groups).values("pk"))
    )
