"""The case list at millions of cases (issue 18): nothing on the page grows with the rows. The
same number of queries with many cases as with few, a count that stops at a cap, late pages past
it, a case code found through its index, filters listing the scope, counts on request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deputies.models import Deputy, Stationing
from issues import pagination
from issues.admin import listing
from issues.models import Channel, Issue
from issues.selectors import issues_visible_to
from issues.tests.admin_support import ROLES, _plain_static_files, client_for, user_of  # noqa: F401
from stations.models import Station

pytestmark = pytest.mark.django_db

LIST = "admin:issues_issue_changelist"


def _many_cases(world, n: int, *, station=None, deputy=None) -> list[Issue]:
    station = station or world.railway_point
    deputy = deputy if deputy is not None else world.deputy_a
    return Issue.objects.bulk_create(
        [
            Issue(
                station=station,
                deputy=deputy,
                category=world.category,
                channel=Channel.DEPUTY_QR,
                content=f"第{i}件：村口路灯坏了。",
                region_path=station.region.path,  # bulk_create skips save(), which sets it
            )
            for i in range(n)
        ]
    )


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST), params or {})
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("params", [{}, {"queue": "all"}, {"state": "submitted", "queue": "all"}, {"p": "2"}])
def test_the_case_list_takes_as_many_queries_with_many_cases_as_with_a_few(world, role, params):
    Station.objects.create(name="潮面村第二联络点", region=world.chaomian)  # the township has two
    client = client_for(world, role)
    for station in (world.railway_point, world.xiushan_station):
        _many_cases(world, 30, station=station, deputy=world.deputy_a)
    _queries(client, params)  # what a session pays once (its login, its two-step device)
    few = _queries(client, params)
    # Ten times the cases, more stations and deputies of the same townships: not one query more.
    for k in range(3):
        extra = Station.objects.create(name=f"新联络点{k}", region=world.chaomian)
        deputy = Deputy.objects.create(name=f"新代表{k}", level=Deputy.Level.TOWNSHIP)
        Stationing.objects.create(deputy=deputy, station=extra, kind="resident", start_date="2020-01-01")
        _many_cases(world, 40, station=extra, deputy=deputy)
    for station in (world.railway_point, world.xiushan_station):
        _many_cases(world, 200, station=station, deputy=world.deputy_a)
    assert _queries(client, params) == few


def test_past_the_cap_the_list_says_more_than_the_cap_instead_of_counting_every_case(world, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 30)
    _many_cases(world, 45)
    client = client_for(world, "admin")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST))
    paginator = response.context["cl"].paginator
    assert paginator.capped and paginator.count == 31
    page = response.content.decode()
    pagination = page[page.index('<p class="paginator">') :].split("</p>", 1)[0]
    assert "超过 30 件" in pagination and "45" not in pagination, pagination
    sql = [q["sql"] for q in captured.captured_queries]
    counts = [q for q in sql if q.upper().startswith("SELECT COUNT(") and 'FROM "issues_issue"' in q]
    assert counts and all("LIMIT 31" in sql for sql in counts)


def test_below_the_cap_the_list_gives_the_exact_number(world, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 30)
    _many_cases(world, 12)
    response = client_for(world, "admin").get(reverse(LIST))
    paginator = response.context["cl"].paginator
    assert not paginator.capped and paginator.count == 12
    assert response.context["cl"].result_count == 12


def test_a_late_page_past_the_cap_still_opens_with_its_rows(world, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 30)
    cases = _many_cases(world, 110)
    response = client_for(world, "admin").get(reverse(LIST), {"p": "5"})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert len(shown) == 10  # 110 cases, 25 a page: the fifth holds the last ten
    assert {i.pk for i in shown} <= {i.pk for i in cases}


@pytest.mark.parametrize("page", ["abc", "-3", "0"])
def test_a_page_number_that_is_not_one_opens_the_first_page(world, page):
    _many_cases(world, 30)
    response = client_for(world, "admin").get(reverse(LIST), {"p": page})
    # Django's own answer to a page it cannot read: the list again, flagged with ?e=1.
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert "e=1" in response["Location"]


def test_a_page_beyond_the_last_answers_like_any_bad_filter_not_with_an_error(world):
    _many_cases(world, 30)
    response = client_for(world, "admin").get(reverse(LIST), {"p": "40"})
    assert response.status_code == 302 and "e=1" in response["Location"]


@pytest.mark.parametrize("typed", ["as stored", "lower case", "without the dash"])
def test_a_whole_case_code_is_found_however_it_is_typed(world, typed):
    issue = world.submit()
    Issue.objects.filter(pk=issue.pk).update(short_code="K7QM-3XPA")
    code = "K7QM-3XPA"
    term = {"as stored": code, "lower case": code.lower(), "without the dash": code.replace("-", "")}[typed]
    response = client_for(world, "station_staff").get(reverse(LIST), {"q": term})
    assert [i.pk for i in response.context["cl"].result_list] == [issue.pk]


def test_a_word_shaped_like_a_code_still_searches_the_content(world):
    issue = world.submit(content="路灯 handover 之后还是不亮")
    response = client_for(world, "admin").get(reverse(LIST), {"q": "handover"})
    assert [i.pk for i in response.context["cl"].result_list] == [issue.pk]


def test_a_case_code_outside_the_scope_finds_nothing(world):
    other = world.submit(station=world.xiushan_station)
    response = client_for(world, "station_staff").get(reverse(LIST), {"q": other.short_code})
    assert list(response.context["cl"].result_list) == []


def test_a_tracking_code_finds_its_case_and_words_still_search_the_content(world):
    issue = world.submit(content="码头的护栏松动了")
    world.submit(content="村口路灯坏了")
    client = client_for(world, "admin")
    by_code = client.get(reverse(LIST), {"q": issue.tracking_code})
    assert [i.pk for i in by_code.context["cl"].result_list] == [issue.pk]
    by_words = client.get(reverse(LIST), {"q": "护栏"})
    assert [i.pk for i in by_words.context["cl"].result_list] == [issue.pk]


def _choices(response, title_param: str) -> set[str]:
    for spec in response.context["cl"].filter_specs:
        if title_param in spec.expected_parameters()[0]:
            return {str(label) for _pk, label in spec.lookup_choices}
    raise AssertionError(title_param)


def test_the_station_and_deputy_filters_list_the_scope_only(world):
    second = Station.objects.create(name="潮面村第二联络点", region=world.chaomian)
    response = client_for(world, "township_staff").get(reverse(LIST))
    assert _choices(response, "station__id") == {world.railway_point.name, second.name}
    assert _choices(response, "deputy__id") == {world.deputy_a.name}
    admin_view = client_for(world, "admin").get(reverse(LIST))
    assert world.xiushan_station.name in _choices(admin_view, "station__id")


def test_past_the_limit_a_filter_lists_nothing_and_still_filters_from_a_link(world, monkeypatch):
    monkeypatch.setattr(listing, "CHOICES_MAX", 1)
    a = world.submit()
    world.submit(station=world.xiushan_station)
    client = client_for(world, "admin")
    response = client.get(reverse(LIST))
    assert "station__id__exact" not in {p for s in response.context["cl"].filter_specs for p in s.expected_parameters()}
    linked = client.get(reverse(LIST), {"station__id__exact": world.railway_point.pk})
    assert [i.pk for i in linked.context["cl"].result_list] == [a.pk]
    assert _choices(linked, "station__id") == {world.railway_point.name}  # the sidebar says what filters


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("view", ["mine", "all"])
def test_the_filters_counts_wait_for_show_counts(world, role, view):
    world.submit()
    client = client_for(world, role)
    page = client.get(reverse(LIST), {"queue": view})
    assert page.context["cl"].add_facets is False and page.context["cl"].is_facets_optional is True
    assert client.get(reverse(LIST), {"queue": view, "_facets": "True"}).context["cl"].add_facets is True


def _cases_with_tied_deadlines(world) -> None:
    """Cases whose order needs every key of the list's order: shared deadlines, none at all,
    at the world's stations and, for deputy_a, at a station that is not theirs."""
    now = timezone.now()
    deadlines = [
        None,
        now + timedelta(days=1),
        now + timedelta(days=1),
        now - timedelta(days=2),
        now + timedelta(days=9),
    ]
    cases = []
    for i in range(60):
        station = (world.railway_point, world.xiushan_station)[i % 2]
        deputy = world.deputy_a if i % 3 == 0 else (world.deputy_b if station == world.xiushan_station else None)
        cases.append(
            Issue(
                station=station,
                deputy=deputy,
                category=world.category,
                channel=Channel.DEPUTY_QR,
                content=f"第{i}件：码头的护栏松动了。",
                deadline=deadlines[i % len(deadlines)],
                region_path=station.region.path,
            )
        )
    Issue.objects.bulk_create(cases)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_shows_the_same_cases_in_the_same_order_as_one_plain_query(world, role, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 20)  # the later pages lie past the cap
    _cases_with_tied_deadlines(world)
    client = client_for(world, role)
    user = user_of(world, role)
    expected = list(
        issues_visible_to(user)
        .order_by(F("deadline").asc(nulls_last=True), "-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    shown, page = [], 1
    while len(shown) < len(expected):
        response = client.get(reverse(LIST), {"queue": "all", "p": str(page)})
        assert response.status_code == 200, (page, response.status_code)
        rows = [issue.pk for issue in response.context["cl"].result_list]
        assert rows, page
        shown += rows
        page += 1
    assert shown == expected
    if role == "deputy_a":  # their own cases at a station that is not theirs are on the list
        assert Issue.objects.filter(pk__in=shown, deputy=world.deputy_a, station=world.xiushan_station).exists()


@pytest.mark.parametrize("role", ["admin", "township_staff", "deputy_a"])
def test_a_late_page_takes_as_many_queries_as_the_first(world, role):
    _many_cases(world, 120)
    client = client_for(world, role)
    _queries(client, {"queue": "all"})
    assert _queries(client, {"queue": "all", "p": "5"}) == _queries(client, {"queue": "all"})


def test_a_page_reads_its_ids_without_the_rows_joins_then_only_its_own_rows(world):
    _many_cases(world, 60)
    client = client_for(world, "township_staff")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(LIST), {"queue": "all", "p": "2"})
    assert response.status_code == 200
    cases = [q["sql"] for q in captured.captured_queries if 'FROM "issues_issue"' in q["sql"]]
    ids = [sql for sql in cases if sql.startswith('SELECT "issues_issue"."id" AS "pk" FROM')]
    assert len(ids) == 1 and "issues_seconding" not in ids[0] and "OFFSET 25" in ids[0]
    rows = [sql for sql in cases if '"issues_issue"."id" IN (' in sql and "issues_seconding" in sql]
    assert len(rows) == 1 and "OFFSET" not in rows[0]


def test_page_rows_keeps_the_order_and_reads_lists_and_unordered_querysets_as_they_are(world):
    cases = _many_cases(world, 7)
    ordered = Issue.objects.order_by("-pk")
    assert pagination.page_rows(ordered, 2, 5) == list(ordered[2:5])
    assert pagination.page_rows(Issue.objects.order_by("pk"), 10, 12) == []
    assert pagination.page_rows(cases, 1, 3) == cases[1:3]
    assert len(pagination.page_rows(Issue.objects.all().order_by(), 0, 4)) == 4


def test_page_rows_reads_values_querysets_in_one_slice(world):
    _many_cases(world, 5)
    values = Issue.objects.order_by("-pk").values("pk", "content")
    assert pagination.page_rows(values, 1, 3) == list(values[1:3])


def test_past_the_cap_the_action_bar_offers_no_select_all_with_the_capped_number(world, monkeypatch):
    """ "Select all 31 cases" would be a lie (there are more) and an action on every case of a
    province is not what anyone means: past the cap only the page's cases can be selected.
    Below the cap the exact number is offered as before."""
    monkeypatch.setattr(listing, "COUNT_CAP", 30)
    _many_cases(world, 45)
    client = client_for(world, "admin")
    page = client.get(reverse(LIST), {"queue": "all"}).content.decode()
    assert 'class="action-counter"' in page
    assert 'class="question hidden"' not in page and "31" not in page.split('class="actions"', 1)[1].split("</div>")[0]

    Issue.objects.filter(pk__in=Issue.objects.order_by("pk").values("pk")[:18]).delete()  # 27: two pages
    page = client.get(reverse(LIST), {"queue": "all"}).content.decode()
    actions = page.split('class="actions"', 1)[1].split("</div>")[0]
    assert 'class="question hidden"' in actions and "27" in actions
