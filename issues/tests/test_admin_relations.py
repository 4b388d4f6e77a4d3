"""The IDOR matrix for relations: every choice an admin form offers — the main form's and every
inline's, on add and change pages — lies inside the user's scope, for every role and every
registered model. And the deputy takeover found in the attack: a station's staff cannot station
another station's deputy, nor back-date a stationing to win the QR lookup."""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from deputies.models import Deputy, Stationing
from deputies.selectors import serving_post_lookup
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from stations.models import Station

pytestmark = pytest.mark.django_db

# role -> what lies outside its scope, as (model, world attribute) pairs.
OUTSIDE = {
    "station_staff": [(Deputy, "deputy_b"), (Station, "xiushan_station")],
    "deputy_a": [(Deputy, "deputy_b"), (Station, "xiushan_station")],
    "deputy_b": [(Deputy, "deputy_a"), (Station, "railway_point")],
    "township_staff": [(Deputy, "deputy_b"), (Station, "xiushan_station")],
}


def _choices(form: forms.BaseForm, html: str) -> dict[str, set]:
    """{"field": {(model, pk), …}} for every model choice a form offers on the page (a field
    shown read-only offers nothing)."""
    offered = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and f'name="{form.add_prefix(name)}"' in html:
            offered[name] = {(field.queryset.model, pk) for pk in field.queryset.values_list("pk", flat=True)}
    return offered


def _forms_of(context) -> list[tuple[str, forms.BaseForm]]:
    found = []
    adminform = context.get("adminform")
    if adminform is not None:
        found.append(("form", adminform.form))
    for inline in context.get("inline_admin_formsets") or []:
        formset = inline.formset
        found += [(f"{formset.prefix}-{n}", form) for n, form in enumerate(formset.forms)]
        found.append((f"{formset.prefix}-empty", formset.empty_form))
    return found


def _own_object(world, model):
    """An object of `model` inside the station staff's scope, for its change page."""
    own = {Station: world.railway_point, Deputy: world.deputy_a}
    return own.get(model) or model._default_manager.first()


@pytest.mark.parametrize("role", sorted(OUTSIDE))
def test_no_admin_form_or_inline_offers_a_choice_outside_the_users_scope(world, role):
    client = client_for(world, role)
    forbidden = {(model, getattr(world, attr).pk) for model, attr in OUTSIDE[role]}
    checked = 0
    for model in admin.site._registry:
        opts = model._meta
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_add")]
        obj = _own_object(world, model)
        if obj is not None:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200 or response.context is None:
                continue
            html = response.content.decode()
            for where, form in _forms_of(response.context):
                for field, offered in _choices(form, html).items():
                    checked += 1
                    leaked = offered & forbidden
                    assert not leaked, (opts.label, role, url, where, field, leaked)
    if role == "station_staff":
        assert checked > 0  # the station page's inlines were looked at


def station_form(world, **stationing) -> dict:
    """The railway point's change form as the admin renders it, plus one new stationing row."""
    station = world.railway_point
    existing = list(Stationing.objects.filter(station=station).order_by("pk"))
    data = {
        "name": station.name,
        "address": station.address,
        "phone": station.phone,
        "description": station.description,
        "kind": station.kind,  # shown to superusers only; ignored as read-only for staff
        "region": str(station.region_id),
        "is_active": "on",
        "stationings-TOTAL_FORMS": str(len(existing) + 1),
        "stationings-INITIAL_FORMS": str(len(existing)),
        "stationings-MIN_NUM_FORMS": "0",
        "stationings-MAX_NUM_FORMS": "1000",
        "duty_slots-TOTAL_FORMS": "0",
        "duty_slots-INITIAL_FORMS": "0",
        "duty_slots-MIN_NUM_FORMS": "0",
        "duty_slots-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(existing):
        data.update(
            {
                f"stationings-{n}-id": str(row.pk),
                f"stationings-{n}-station": str(station.pk),
                f"stationings-{n}-deputy": str(row.deputy_id),
                f"stationings-{n}-kind": row.kind,
                f"stationings-{n}-start_date": row.start_date.isoformat(),
                f"stationings-{n}-end_date": row.end_date.isoformat() if row.end_date else "",
            }
        )
    n = len(existing)
    data.update({f"stationings-{n}-station": str(station.pk)})
    data.update({f"stationings-{n}-{key}": value for key, value in stationing.items()})
    return data


def _inline_prefix_is_right(world):
    client = client_for(world, "admin")
    response = client.get(reverse("admin:stations_station_change", args=[world.railway_point.pk]))
    prefixes = {inline.formset.prefix for inline in response.context["inline_admin_formsets"]}
    assert prefixes == {"stationings", "duty_slots"}, prefixes


def test_station_staff_cannot_station_another_townships_deputy_even_back_dated(world):
    _inline_prefix_is_right(world)
    before = serving_post_lookup(deputy_id=world.deputy_b.pk).first_row()
    url = reverse("admin:stations_station_change", args=[world.railway_point.pk])
    response = client_for(world, "station_staff").post(
        url,
        station_form(world, deputy=str(world.deputy_b.pk), kind="resident", start_date="2020-01-01", end_date=""),
    )
    assert response.status_code == 200  # the form comes back with its errors
    assert not Stationing.objects.filter(deputy=world.deputy_b, station=world.railway_point).exists()
    assert serving_post_lookup(deputy_id=world.deputy_b.pk).first_row() == before


def test_station_staff_cannot_back_date_a_stationing_of_their_own_deputy(world):
    url = reverse("admin:stations_station_change", args=[world.railway_point.pk])
    response = client_for(world, "station_staff").post(
        url, station_form(world, deputy=str(world.deputy_a.pk), kind="visiting", start_date="2021-06-01")
    )
    assert response.status_code == 200
    assert "进驻开始日期不能早于今天" in response.content.decode()
    assert not Stationing.objects.filter(deputy=world.deputy_a, start_date="2021-06-01").exists()


def test_station_staff_may_renew_their_own_deputy_from_today(world):
    today = timezone.localdate()
    url = reverse("admin:stations_station_change", args=[world.railway_point.pk])
    response = client_for(world, "station_staff").post(
        url,
        station_form(
            world, deputy=str(world.deputy_a.pk), kind="visiting", start_date=(today + datetime.timedelta(days=1))
        ),
    )
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert Stationing.objects.filter(deputy=world.deputy_a, kind="visiting").exists()


def test_no_deputy_is_resident_at_two_stations_at_once_not_even_by_a_superuser(world):
    url = reverse("admin:stations_station_change", args=[world.railway_point.pk])
    response = client_for(world, "admin").post(
        url, station_form(world, deputy=str(world.deputy_b.pk), kind="resident", start_date="2020-01-01")
    )
    assert response.status_code == 200
    assert "常驻" in response.content.decode()
    assert not Stationing.objects.filter(deputy=world.deputy_b, station=world.railway_point).exists()


def test_a_back_dated_visiting_row_added_later_does_not_take_the_deputys_code(world):
    home = serving_post_lookup(deputy_id=world.deputy_b.pk).first_row()
    client = client_for(world, "admin")  # only a superuser may bring a deputy in from elsewhere
    url = reverse("admin:stations_station_change", args=[world.railway_point.pk])
    response = client.post(
        url, station_form(world, deputy=str(world.deputy_b.pk), kind="visiting", start_date="2000-01-01")
    )
    assert response.status_code == 302
    assert serving_post_lookup(deputy_id=world.deputy_b.pk).first_row() == home
