"""Writes to stations and staff accounts."""

from django.contrib.auth.models import Group
from django.db import transaction

from liaison.errors import ActionForbidden
from stations.models import Region, StaffMembership, Station
from stations.scope import scope_of


@transaction.atomic
def membership_grant(
    *, user, role: str, station: Station | None = None, region: Region | None = None
) -> StaffMembership:
    """Make `user` staff of a station or of a township region (idempotent): the membership
    decides what they see, the role group opens the admin pages."""
    membership, _ = StaffMembership.objects.get_or_create(user=user, role=role, station=station, region=region)
    user.groups.add(Group.objects.get(name=role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def station_rotate_token(*, station: Station, by_user) -> Station:
    """Give the station a new QR token. The old one is kept as retired: its URL shows a friendly
    page that points at the station's current page instead of taking cases."""
    from liaison.tokens import new_public_token
    from stations.models import RetiredStationToken

    scope = scope_of(by_user)
    if not (scope.is_superuser or station.pk in scope.staff_station_ids):
        raise ActionForbidden()
    station = Station.objects.select_for_update().get(pk=station.pk)
    RetiredStationToken.objects.create(station=station, token=station.qr_token, retired_by=by_user)
    station.qr_token = new_public_token()
    station.save(update_fields=["qr_token"])
    return station
