"""accounts.policy.two_factor_required, per role of the named world and per setting."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from accounts.policy import has_staff_access, is_enrolled, two_factor_required
from accounts.tests.support import enroll

pytestmark = pytest.mark.django_db

STAFF_ROLES = ["deputy_a_user", "deputy_b_user", "station_staff", "township_staff"]


def test_superusers_always_need_it(world, settings):
    settings.TWO_FACTOR_REQUIRED_GROUPS = []
    settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = False
    assert two_factor_required(world.admin)


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_deputies_and_staff_may_choose_by_default(world, role):
    assert not two_factor_required(getattr(world, role))


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_required_for_all_staff_covers_deputies_and_staff(world, settings, role):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = True
    assert two_factor_required(getattr(world, role))


def test_a_member_of_a_named_group_needs_it(world, settings):
    settings.TWO_FACTOR_REQUIRED_GROUPS = ["县级管理员"]
    world.township_staff.groups.add(Group.objects.create(name="县级管理员"))
    world.station_staff.groups.add(Group.objects.create(name="其他组"))
    assert two_factor_required(world.township_staff)
    assert not two_factor_required(world.station_staff)


def test_an_account_without_staff_access_never_needs_it(world, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ALL_STAFF = True
    nobody = get_user_model().objects.create_user("nobody", password="x")
    assert not has_staff_access(nobody)
    assert not two_factor_required(nobody)
    assert not two_factor_required(AnonymousUser())


def test_an_inactive_superuser_is_not_asked(world):
    world.admin.is_active = False
    assert not two_factor_required(world.admin)


def test_enrolled_means_a_confirmed_device(world, clock):
    from accounts import services

    services.authenticator_pending(user=world.deputy_a_user)
    assert not is_enrolled(world.deputy_a_user)  # set up begun, not confirmed
    enroll(world.deputy_b_user)
    assert is_enrolled(world.deputy_b_user)
    assert not is_enrolled(AnonymousUser())
