"""Writes to stations and staff accounts."""

from django.contrib.auth.models import Group
from django.db import transaction

from stations.models import Region, StaffMembership, Station


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
