import pytest

from deputies.models import RetiredDeputyToken
from deputies.services import deputy_rotate_token
from liaison.errors import ActionForbidden
from stations.models import RetiredStationToken
from stations.services import station_rotate_token


@pytest.mark.parametrize("who", ["deputy_a_user", "deputy_b_user", "township_staff"])
def test_only_the_stations_staff_or_an_admin_may_rotate_a_deputys_qr_code(world, who):
    old = world.deputy_a.qr_token
    with pytest.raises(ActionForbidden):
        deputy_rotate_token(deputy=world.deputy_a, by_user=getattr(world, who))
    world.deputy_a.refresh_from_db()
    assert world.deputy_a.qr_token == old
    assert not RetiredDeputyToken.objects.exists()


def test_station_staff_rotating_a_deputys_code_retires_the_old_token(world):
    old = world.deputy_a.qr_token
    deputy = deputy_rotate_token(deputy=world.deputy_a, by_user=world.station_staff)
    assert deputy.qr_token != old
    assert RetiredDeputyToken.objects.get(token=old).retired_by == world.station_staff


@pytest.mark.parametrize("who", ["deputy_a_user", "township_staff", "station_staff"])
def test_nobody_but_its_own_staff_or_an_admin_rotates_a_stations_code(world, who):
    # station_staff works at the railway point, not at 秀山乡's station
    with pytest.raises(ActionForbidden):
        station_rotate_token(station=world.xiushan_station, by_user=getattr(world, who))
    assert not RetiredStationToken.objects.exists()


def test_an_admin_may_rotate_any_stations_code(world):
    old = world.xiushan_station.qr_token
    station = station_rotate_token(station=world.xiushan_station, by_user=world.admin)
    assert station.qr_token != old and RetiredStationToken.objects.filter(token=old).exists()
