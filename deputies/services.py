"""Writes to deputies."""

from django.contrib.auth.models import Group
from django.db import transaction

from deputies.models import Deputy, Stationing
from liaison.errors import ActionForbidden
from stations.scope import scope_of


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


@transaction.atomic
def deputy_rotate_token(*, deputy: Deputy, by_user) -> Deputy:
    """Give the deputy a new QR token (a poster was lost or misprinted). The old token is kept as
    retired: its URL no longer takes cases but sends the villager on to the deputy's station."""
    from deputies.models import RetiredDeputyToken
    from liaison.tokens import new_public_token

    scope = scope_of(by_user)
    serves_at = set(Stationing.objects.current().filter(deputy=deputy).values_list("station_id", flat=True))
    if not (scope.is_superuser or serves_at & scope.staff_station_ids):
        raise ActionForbidden()
    deputy = Deputy.objects.select_for_update().get(pk=deputy.pk)
    RetiredDeputyToken.objects.create(deputy=deputy, token=deputy.qr_token, retired_by=by_user)
    deputy.qr_token = new_public_token()
    deputy.save(update_fields=["qr_token"])
    return deputy
