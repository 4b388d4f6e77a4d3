"""The duty roster: a monthly rule over a year, holidays, clashes, swaps."""

import datetime

import pytest

from activities.services import duty_rule_create, duty_rule_generate, duty_slot_swap
from deputies.models import Deputy, Stationing
from liaison.errors import ActionForbidden, InvalidInput
from stations.models import DutySlot, Station

D = datetime.date


@pytest.fixture
def shop(world):
    """A livelihood shop of 秀山乡 with three deputies: its head (resident) first."""
    shop = Station.objects.create(name="秀东村民生小铺", kind=Station.Kind.SHOP, region=world.xiushan)
    for name, kind in [("翁海燕", "resident"), ("林国栋", "visiting"), ("王德明", "visiting")]:
        deputy = Deputy.objects.create(name=name, level=Deputy.Level.TOWNSHIP)
        Stationing.objects.create(deputy=deputy, station=shop, kind=kind, start_date=D(2020, 1, 1))
    return shop


def _rule(world, station, **kwargs):
    params = {"day_of_month": 15, "valid_from": D(2024, 1, 1), "valid_until": D(2024, 12, 31)} | kwargs
    return duty_rule_create(actor=world.actor("admin"), station_id=station.pk, **params)


def test_the_15th_of_every_month_rotates_through_the_shops_deputies(world, shop):
    slots = duty_rule_generate(actor=world.actor("admin"), rule_id=_rule(world, shop).pk)
    assert [s.date for s in slots] == [D(2024, m, 15) for m in range(1, 13)]
    names = [Deputy.objects.get(pk=s.deputy_id).name for s in slots]
    assert names == ["翁海燕", "林国栋", "王德明"] * 4
    # Generating again changes nothing.
    assert duty_rule_generate(actor=world.actor("admin"), rule_id=_rule(world, shop).pk) == []
    assert DutySlot.objects.filter(station=shop).count() == 12


def test_a_rule_that_says_so_moves_a_holiday_or_weekend_to_the_next_working_day(world, shop):
    rule = _rule(world, shop, move_to_working_day=True)
    dates = [s.date for s in duty_rule_generate(actor=world.actor("admin"), rule_id=rule.pk)]
    assert dates == [
        D(2024, 1, 15),
        D(2024, 2, 18),  # 15 Feb is Spring Festival; Sunday 18 Feb is a make-up working day (调休)
        D(2024, 3, 15),
        D(2024, 4, 15),
        D(2024, 5, 15),
        D(2024, 6, 17),  # Saturday → Monday
        D(2024, 7, 15),
        D(2024, 8, 15),
        D(2024, 9, 18),  # Mid-Autumn holiday 15–17 Sep
        D(2024, 10, 15),
        D(2024, 11, 15),
        D(2024, 12, 16),  # Sunday → Monday
    ]


def test_a_rule_giving_a_deputy_two_slots_on_one_day_writes_nothing(world, shop):
    head = Deputy.objects.get(name="翁海燕")
    # The head also serves the 秀山乡 station, alone, and that station's rule is also on the 15th.
    Stationing.objects.create(deputy=head, station=world.xiushan_station, kind="visiting", start_date=D(2020, 1, 1))
    Stationing.objects.filter(deputy=world.deputy_b).delete()
    duty_rule_generate(actor=world.actor("admin"), rule_id=_rule(world, shop).pk)
    before = DutySlot.objects.count()
    with pytest.raises(InvalidInput) as error:
        duty_rule_generate(actor=world.actor("admin"), rule_id=_rule(world, world.xiushan_station).pk)
    assert "翁海燕" in str(error.value.message)
    assert DutySlot.objects.count() == before
    assert not DutySlot.objects.filter(station=world.xiushan_station).exists()


def test_staff_swap_two_slots_and_township_staff_cannot(world, shop):
    slots = duty_rule_generate(actor=world.actor("admin"), rule_id=_rule(world, shop, valid_until=D(2024, 2, 29)).pk)
    january, february = (DutySlot.objects.get(station=shop, date=s.date) for s in slots)
    first, second = january.deputy_id, february.deputy_id
    duty_slot_swap(actor=world.actor("admin"), slot_id=january.pk, other_slot_id=february.pk)
    january.refresh_from_db()
    february.refresh_from_db()
    assert (january.deputy_id, february.deputy_id) == (second, first)
    with pytest.raises(ActionForbidden):
        from stations.models import StaffMembership
        from stations.services import membership_grant

        membership_grant(user=world.township_staff, role=StaffMembership.Role.TOWNSHIP_STAFF, region=world.xiushan)
        township = world.township_staff.__class__.objects.get(pk=world.township_staff.pk)
        from issues.permissions import Actor

        duty_slot_swap(actor=Actor.of(township), slot_id=january.pk, other_slot_id=february.pk)
