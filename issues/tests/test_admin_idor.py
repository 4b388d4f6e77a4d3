"""Every admin page of every registered model, generated from the admin's own URL list, for
every role: an object outside the role's scope is a 404 or a 403 without its data, and
township staff change nothing anywhere. A newly registered model fails here until it says how
it is scoped."""

import datetime

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse

from deputies.models import Deputy
from issues.models import Category, Department, Issue
from issues.tests.admin_support import ROLES, _plain_static_files, client_for, user_of  # noqa: F401
from stations.models import DutySlot, Region, Station
from testsupport.regions import grow_province

pytestmark = pytest.mark.django_db

# With the county administrator of 定海区 (testsupport.regions), whose county holds deputy A's side.
STAFF_ROLES = [*(role for role in ROLES if role != "admin"), "county_admin"]
SITE_B = {"deputy_a", "station_staff", "township_staff", "county_admin"}  # roles whose scope is deputy A's side


def _other_side(world, role, a, b):
    return b if role in SITE_B else a


# model -> (world, role) -> (an object outside the role's scope, text that must never show).
OUTSIDE = {
    Issue: lambda w, role: _case(w, _other_side(w, role, w.railway_point, w.xiushan_station)),
    Station: lambda w, role: (s := _other_side(w, role, w.railway_point, w.xiushan_station), s.name),
    Deputy: lambda w, role: (d := _other_side(w, role, w.deputy_a, w.deputy_b), d.name),
    DutySlot: lambda w, role: (
        s := DutySlot.objects.get(station=_other_side(w, role, w.railway_point, w.xiushan_station)),
        s.note,
    ),
    Region: lambda w, role: (w.xiushan, "秀山乡"),
}
# Reference data every staff role may read and only superusers change.
REFERENCE = {Category, Department}


def _case(world, station):
    issue = Issue.objects.get(station=station)
    return issue, issue.content


@pytest.fixture
def populated(world):
    grow_province(world)
    Department.objects.create(name="秀山乡农办", region=world.xiushan)
    for station, deputy, note in [
        (world.railway_point, world.deputy_a, "铁路点值班备注"),
        (world.xiushan_station, world.deputy_b, "秀山站值班备注"),
    ]:
        DutySlot.objects.create(station=station, deputy=deputy, date=datetime.date(2030, 5, 1), note=note)
    world.submit(content="甲站：村口路灯坏了三天。", submitter_phone="13812345678")
    world.submit(deputy=world.deputy_b, content="乙站：渡口栏杆断了。", submitter_phone="13987654321")
    return world


def _named_urls(model_admin, object_id):
    """Every named URL of a ModelAdmin, with its parameters filled in."""
    for pattern in model_admin.get_urls():
        name = getattr(pattern, "name", None)
        if not name:
            continue
        params = {}
        for param in pattern.pattern.converters:
            params[param] = object_id if param == "object_id" else "accept"
        try:
            yield name, reverse(f"admin:{name}", kwargs=params)
        except NoReverseMatch:
            continue


def _objectless_urls(model_admin) -> set[str]:
    """The ModelAdmin's URLs that take no parameter: pages of no particular object."""
    return {
        reverse(f"admin:{pattern.name}")
        for pattern in model_admin.get_urls()
        if getattr(pattern, "name", None) and not pattern.pattern.converters
    }


def _opened_to(model_admin, user) -> bool:
    """Whether the ModelAdmin itself lets this user in at all (its own answer, not the groups')."""
    request = _request(user)
    return (
        model_admin.has_module_permission(request)
        or model_admin.has_view_or_change_permission(request)
        or model_admin.has_add_permission(request)
    )


def _outside_rule(model, model_admin):
    """How to find an object outside a role's scope: OUTSIDE above, or the ModelAdmin's own
    `idor_outside(world, role) -> (object, text that must never show)` for other apps' models."""
    return OUTSIDE.get(model) or getattr(model_admin, "idor_outside", None)


_POST_DATA = {
    "post": "yes",
    "name": "改掉",
    "reason": "改掉",
    "text": "改掉",
    "note": "改掉",
    "content": "改掉改掉改掉",
}


def test_every_admin_page_hides_objects_outside_the_users_scope(populated):
    world = populated
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        for role in STAFF_ROLES:
            user = user_of(world, role)
            client = client_for(world, role)
            if not _opened_to(model_admin, user):
                # Not opened to this role at all: every page refuses, whatever the object.
                obj = model._default_manager.first()
                # Without any row Django's own admins redirect with "does not exist" first.
                refused = (403, 404, 405) if obj else (302, 403, 404, 405)
                for name, url in _named_urls(model_admin, obj.pk if obj else 1):
                    status = client.get(url).status_code  # POSTs: see the township test below
                    assert status in refused, (label, role, name, status)
                continue
            if model in REFERENCE:
                continue  # read by all, written by superusers: checked below
            rule = _outside_rule(model, model_admin)
            assert rule is not None, (
                f"{label} is opened to {role}: give its ModelAdmin an `idor_outside(world, role)` that returns "
                "(an object outside that role's scope, a text of it that must never show), or add it to OUTSIDE"
            )
            found = rule(world, role)
            if found is None:
                continue  # nothing of this model lies outside this role's scope
            obj, marker = found
            for name, url in _named_urls(model_admin, obj.pk):
                objectless = url in _objectless_urls(model_admin)  # a list, the add page, a custom list
                for method in ("get", "post"):
                    response = getattr(client, method)(url, _POST_DATA if method == "post" else None)
                    body = response.content.decode()
                    if objectless:  # pages of no particular object
                        assert response.status_code in (200, 302, 403), (label, role, name, method)
                    else:
                        assert response.status_code in (403, 404, 405), (label, role, name, method)
                    assert marker not in body, (label, role, name, method)
                    assert (
                        f"/{obj.pk}/change/" not in body
                        or model_admin.get_queryset(_request(user)).filter(pk=obj.pk).exists()
                    ), (label, role, name)
            changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            searched = client.get(changelist, {"q": marker})
            if (
                searched.status_code == 200 and model_admin.search_fields
            ):  # the search box echoes the term: count the rows instead
                assert searched.context["cl"].result_count == 0, (label, role, "search")


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_reference_data_is_changed_by_superusers_only(populated):
    world = populated
    for model in REFERENCE:
        # Outside the county administrator's county: theirs they may change (test_region_admins).
        obj = Department.objects.get(name="秀山乡农办") if model is Department else model._default_manager.first()
        opts = model._meta
        count = model._default_manager.count()
        for role in STAFF_ROLES:
            client = client_for(world, role)
            for view, args in [("change", [obj.pk]), ("delete", [obj.pk]), ("add", [])]:
                url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)
                status = client.post(url, {"name": "改掉", "post": "yes"}).status_code
                # A county administrator adds departments of their county: one without a region
                # is the form again with its error (and nothing written, counted below).
                adds_departments = role == "county_admin" and model is Department and view == "add"
                assert status in ((200, 403) if adds_departments else (403,)), (opts.label, role, view)
        assert model._default_manager.filter(pk=obj.pk, name=str(obj)).exists()
        assert model._default_manager.count() == count


def _snapshot():
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in admin.site._registry}


def test_township_staff_cannot_change_anything_anywhere(populated):
    world = populated
    user = world.township_staff
    client = client_for(world, "township_staff")
    before = _snapshot()
    data = {**_POST_DATA, "department": world.department.pk, "deadline": "2099-01-01", "apply": "1"}
    for model, model_admin in admin.site._registry.items():
        visible = model_admin.get_queryset(_request(user)).first() if _opened_to(model_admin, user) else None
        obj = visible or model._default_manager.first()
        for name, url in _named_urls(model_admin, obj.pk if obj else 1):
            response = client.post(url, data)
            read_only = name.endswith(("_changelist", "_history"))  # POST changes nothing there
            allowed = (200, 302, 403, 404) if read_only else (302, 403, 404, 405)
            assert response.status_code in allowed, (model._meta.label, name, response.status_code)
        changelist = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        if obj is not None:
            for action in ("delete_selected", "accept_selected", "assign_selected", "merge_selected"):
                client.post(reverse(changelist), {"action": action, "_selected_action": [obj.pk], **data})
    assert _snapshot() == before


def test_filters_with_another_stations_ids_show_nothing(populated):
    world = populated
    client = client_for(world, "deputy_a")
    url = reverse("admin:issues_issue_changelist")
    for params in [
        {"station__id__exact": world.xiushan_station.pk},
        {"deputy__id__exact": world.deputy_b.pk},
        {"q": Issue.objects.get(station=world.xiushan_station).short_code},
    ]:
        response = client.get(url, params)
        body = response.content.decode()
        assert response.status_code == 200
        # A filter with one choice only is hidden and ignored by Django: then A's own case shows.
        assert [i.station_id for i in response.context["cl"].result_list] in ([], [world.railway_point.pk])
        assert "乙站" not in body and world.xiushan_station.name not in body and world.deputy_b.name not in body


def test_filter_choices_and_counts_come_from_the_users_cases_only(populated):
    world = populated
    response = client_for(world, "deputy_a").get(reverse("admin:issues_issue_changelist"))
    body = response.content.decode()
    assert world.railway_point.name in body
    assert world.xiushan_station.name not in body and world.deputy_b.name not in body
    # The list counts up to a cap, no longer every case of the scope (issues.admin.listing).
    every_case = client_for(world, "deputy_a").get(reverse("admin:issues_issue_changelist"), {"queue": "all"})
    assert every_case.context["cl"].result_count == 1
    for spec in response.context["cl"].filter_specs:
        for choice in spec.choices(response.context["cl"]):
            assert "乙站" not in str(choice.get("display"))


@pytest.mark.parametrize("field", ["station", "deputy"])
def test_autocomplete_with_another_stations_names_finds_nothing(populated, field):
    world = populated
    term = {"station": "秀山", "deputy": world.deputy_b.name}[field]
    params = {"app_label": "issues", "model_name": "issue", "field_name": field, "term": term}
    response = client_for(world, "deputy_a").get(reverse("admin:autocomplete"), params)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.json()["results"] == []
    response = client_for(world, "deputy_b").get(reverse("admin:autocomplete"), params)
    assert [r["text"] for r in response.json()["results"]]  # the same search finds B's own


def test_merging_never_reaches_a_case_outside_the_users_scope(populated):
    """The merge page of a case the user sees, given a case they do not: not found, nothing merged."""
    world = populated
    for role in STAFF_ROLES:
        user = user_of(world, role)
        inside = _admin_cases(user).first()
        outside, marker = OUTSIDE[Issue](world, role)
        if inside is None:
            continue
        client = client_for(world, role)
        response = client.post(reverse("admin:issues_issue_merge", args=[inside.pk]), {"cases": [outside.pk]})
        assert response.status_code == 404, role
        assert marker not in response.content.decode()
        response = client.post(reverse("admin:issues_issue_merge", args=[outside.pk]), {"cases": [inside.pk]})
        assert response.status_code == 404, role
        bulk = {"action": "merge_selected", "_selected_action": [inside.pk, outside.pk], "main": outside.pk}
        client.post(reverse("admin:issues_issue_changelist"), {**bulk, "apply": "1"})
    assert not Issue.objects.filter(merged_into__isnull=False).exists()


def _admin_cases(user):
    return admin.site._registry[Issue].get_queryset(_request(user))


def test_the_one_click_escalation_of_a_proposal_refuses_cases_outside_the_scope(populated):
    """activities' one-click URL (the escalation chain's proposal) takes a case id, which the
    generated matrix above cannot fill: each role tries a proposed case outside its scope, with
    an appointment planned at that case's station that a broken scope would use."""
    from activities.models import Activity
    from activities.models import Kind as ActivityKind
    from issues import clock

    world = populated
    for station in (world.railway_point, world.xiushan_station):
        Activity.objects.create(
            station=station,
            kind=ActivityKind.TOWNSHIP_HEAD_APPOINTMENT,
            theme="乡长有约",
            date=datetime.date(2099, 1, 1),
        )
    Issue.objects.update(escalation_proposed_at=clock.now())
    for role in STAFF_ROLES:
        issue, marker = _case(world, _other_side(world, role, world.railway_point, world.xiushan_station))
        url = reverse("admin:activities_escalate_proposed", args=[issue.pk])
        for method in ("get", "post"):
            response = getattr(client_for(world, role), method)(url)
            assert response.status_code in (403, 404, 405), (role, method, response.status_code)
            assert marker not in response.content.decode()
        assert not issue.escalations.exists(), role
        assert Issue.objects.get(pk=issue.pk).escalation_proposed_at is not None
