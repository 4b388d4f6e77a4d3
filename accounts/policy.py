"""Who must use two-step verification (两步验证), in one place.

China's 等保 level 3 asks administrators for two factors: superusers always need it; so do the
members of the groups named in TWO_FACTOR_REQUIRED_GROUPS (the county administrators' group goes
there once that role exists); and, with TWO_FACTOR_REQUIRED_FOR_ALL_STAFF=1, everyone with staff
access. Anyone else may enroll by choice, and once enrolled must verify every new session."""

from django.conf import settings
from django_otp import user_has_device

from stations.scope import scope_of


def has_staff_access(user) -> bool:
    """Can reach the admin (is_staff) or the staff API (a station, region or deputy to work for)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.is_superuser or not scope_of(user).is_empty


def two_factor_required(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    groups = settings.TWO_FACTOR_REQUIRED_GROUPS
    if groups and user.groups.filter(name__in=groups).exists():
        return True
    return settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF and has_staff_access(user)


def is_enrolled(user) -> bool:
    """Has a confirmed device (authenticator app or recovery codes): every session must verify."""
    if user is None or not user.is_authenticated:
        return False
    return user_has_device(user, confirmed=True)
