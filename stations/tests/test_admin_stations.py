"""Stations, duty slots and deputies in the admin: read within the scope, edited only by
superusers and the station's own staff, QR tokens rotated by them alone."""

import datetime

import pytest
from django.urls import reverse

from deputies.models import Deputy
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from stations.models import DutySlot, Station

pytestmark = pytest.mark.django_db


def _station_form(station, **changes):
    """The station's change form as a browser posts it, with both inlines left as they are."""
    data = {
        "name": station.name,
        "address": station.address,
        "phone": station.phone,
        "description": station.description,
        "kind": station.kind,
        "region": station.region_id,
        "is_active": "on",
        "_save": "1",
    }
    for prefix, rows in [("stationings", station.stationings.all()), ("duty_slots", station.duty_slots.all())]:
        rows = list(rows)
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for n, row in enumerate(rows):
            data[f"{prefix}-{n}-id"] = row.pk
            data[f"{prefix}-{n}-station"] = station.pk
            data[f"{prefix}-{n}-deputy"] = row.deputy_id
            if prefix == "stationings":
                data[f"{prefix}-{n}-kind"] = row.kind
                data[f"{prefix}-{n}-start_date"] = row.start_date.isoformat()
            else:
                data[f"{prefix}-{n}-date"] = row.date.isoformat()
    data.update(changes)
    return data


# role -> (status of station A's page, may save it)
STATION_A = {
    "admin": (200, True),
    "station_staff": (200, True),
    "township_staff": (200, False),
    "deputy_a": (200, False),
    "deputy_b": (404, False),
}


@pytest.mark.parametrize("role", STATION_A)
def test_only_superusers_and_the_stations_own_staff_edit_a_station(world, role):
    station = world.railway_point
    client = client_for(world, role)
    url = reverse("admin:stations_station_change", args=[station.pk])
    status, may_save = STATION_A[role]
    page = client.get(url)
    assert page.status_code == status
    if status == 200:
        body = page.content.decode()
        assert world.deputy_a.name in body  # its deputies are listed
        assert ('name="_save"' in body) is may_save
    response = client.post(url, _station_form(station, address="潮面村村委会二楼"))
    station.refresh_from_db()
    assert (station.address == "潮面村村委会二楼") is may_save, response.status_code
    if not may_save:
        assert response.status_code in (403, 404)


def test_station_staff_cannot_move_their_station_to_another_region(world):
    station = world.railway_point
    client = client_for(world, "station_staff")
    url = reverse("admin:stations_station_change", args=[station.pk])
    client.post(url, _station_form(station, region=world.xiushan.pk, is_active=""))
    station.refresh_from_db()
    assert (station.region, station.is_active) == (world.chaomian, True)


def test_station_staff_add_duty_slots_only_at_their_station(world):
    client = client_for(world, "station_staff")
    form = client.get(reverse("admin:stations_dutyslot_add")).context["adminform"].form
    assert list(form.fields["station"].queryset) == [world.railway_point]
    assert list(form.fields["deputy"].queryset) == [world.deputy_a]
    data = {"station": world.xiushan_station.pk, "deputy": world.deputy_b.pk, "date": "2030-05-02"}
    client.post(reverse("admin:stations_dutyslot_add"), data)
    assert not DutySlot.objects.exists()
    data = {"station": world.railway_point.pk, "deputy": world.deputy_a.pk, "date": "2030-05-02"}
    assert client.post(reverse("admin:stations_dutyslot_add"), data).status_code == 302
    assert DutySlot.objects.get().station == world.railway_point


def test_township_staff_and_deputies_read_the_roster_but_do_not_change_it(world):
    slot = DutySlot.objects.create(station=world.railway_point, deputy=world.deputy_a, date=datetime.date(2030, 5, 1))
    for role in ("township_staff", "deputy_a"):
        client = client_for(world, role)
        assert client.get(reverse("admin:stations_dutyslot_changelist")).status_code == 200
        url = reverse("admin:stations_dutyslot_change", args=[slot.pk])
        data = {"station": slot.station_id, "deputy": slot.deputy_id, "date": "2030-06-01"}
        assert client.post(url, data).status_code == 403
        assert (
            client.post(reverse("admin:stations_dutyslot_delete", args=[slot.pk]), {"post": "yes"}).status_code == 403
        )
    slot.refresh_from_db()
    assert slot.date == datetime.date(2030, 5, 1)


def test_deputy_page_shows_the_qr_code_and_poster_links(world):
    page = client_for(world, "township_staff").get(reverse("admin:deputies_deputy_change", args=[world.deputy_a.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="liaison-qr"' in body or "QR" in body
    assert "rotate-token" not in body  # township staff read only


@pytest.mark.parametrize(
    ("role", "kind", "status", "rotated"),
    [
        ("station_staff", "deputy", 302, True),
        ("admin", "deputy", 302, True),
        ("township_staff", "deputy", 403, False),
        ("deputy_a", "deputy", 403, False),
        ("deputy_b", "deputy", 404, False),
        ("station_staff", "station", 302, True),
        ("township_staff", "station", 403, False),
    ],
)
def test_only_the_stations_staff_rotate_a_qr_token(world, role, kind, status, rotated):
    obj = world.deputy_a if kind == "deputy" else world.railway_point
    app = "deputies" if kind == "deputy" else "stations"
    url = reverse(f"admin:{app}_{kind}_rotate_token", args=[obj.pk])
    client = client_for(world, role)
    assert client.get(url).status_code == 405
    before = obj.qr_token
    assert client.post(url).status_code == status
    model = Deputy if kind == "deputy" else Station
    assert (model.objects.get(pk=obj.pk).qr_token != before) is rotated
