"""Writes to deputies."""

from django.contrib.auth.models import Group
from django.db import transaction

from deputies.models import Deputy


@transaction.atomic
def deputy_link_user(*, deputy: Deputy, user) -> Deputy:
    """Give a deputy their login: they then see their own and their stations' cases."""
    deputy.user = user
    deputy.save(update_fields=["user"])
    user.groups.add(Group.objects.get(name="deputy"))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return deputy
