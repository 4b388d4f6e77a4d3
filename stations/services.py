"""Writes to stations and staff accounts."""

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from liaison.errors import ActionForbidden, InvalidInput
from stations.models import Region, StaffMembership, Station
from stations.scope import scope_of
from stations.selectors import grantable_roles, memberships_run_by


@transaction.atomic
def membership_grant(
    *, user, role: str, station: Station | None = None, region: Region | None = None
) -> StaffMembership:
    """Make `user` staff of a station or of a region (idempotent): the membership decides what
    they see, the role group opens the admin pages. An administrator's region must be of the
    level of their role (a county administrator's a district or county)."""
    _check_level(StaffMembership(user=user, role=role, station=station, region=region))
    membership, _ = StaffMembership.objects.get_or_create(user=user, role=role, station=station, region=region)
    _open_admin(user, role)
    return membership


@transaction.atomic
def membership_save(*, by_user, membership: StaffMembership) -> StaffMembership:
    """Save a membership given or changed in the admin. A superuser gives any; a county, city or
    province administrator only memberships inside their region, of a role below their own, to
    accounts they run (stations.selectors), and changes only memberships they run."""
    scope = scope_of(by_user)
    _check_level(membership)
    if not scope.is_superuser:
        run = memberships_run_by(scope)
        if membership.pk is not None and not run.filter(pk=membership.pk).exists():
            raise ActionForbidden(_("This membership is not yours to change."))
        if membership.role not in grantable_roles(scope):
            raise ActionForbidden(_("You may not give this role."))
        place = membership.region if membership.region_id else getattr(membership.station, "region", None)
        if place is None or not scope.administers(place.path):
            raise ActionForbidden(_("You may give memberships inside your own region only."))
        others = StaffMembership.objects.filter(user=membership.user).exclude(pk=membership.pk)
        if membership.user.is_superuser or not set(others.values_list("pk", flat=True)) <= set(
            run.filter(user=membership.user).values_list("pk", flat=True)
        ):
            raise ActionForbidden(_("This account is not yours to change."))
    membership.save()
    _open_admin(membership.user, membership.role)
    return membership


def _check_level(membership: StaffMembership) -> None:
    try:
        membership.clean()
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages), field="region") from None


def _open_admin(user, role: str) -> None:
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


@transaction.atomic
def station_rotate_token(*, station: Station, by_user) -> Station:
    """Give the station a new QR token. The old one is kept as retired: its URL shows a friendly
    page that points at the station's current page instead of taking cases."""
    from liaison.tokens import new_public_token
    from stations.models import RetiredStationToken

    scope = scope_of(by_user)
    if not (scope.is_superuser or station.pk in scope.staff_station_ids or scope.administers(station.region.path)):
        raise ActionForbidden()
    station = Station.objects.select_for_update().get(pk=station.pk)
    RetiredStationToken.objects.create(station=station, token=station.qr_token, retired_by=by_user)
    station.qr_token = new_public_token()
    station.save(update_fields=["qr_token"])
    return station
