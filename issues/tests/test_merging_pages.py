"""Merging where people see it (the admin speaks Chinese: messages are matched in Chinese): the
case page's similar-case panel and undo button, the bulk
action on the case list, the queue, and the figures of the dashboard and /api/stats/ (a merged
group is one problem, with how many reports it had)."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dashboard.forms import FilterForm
from dashboard.selectors import dashboard_data
from issues.models import Issue, State
from issues.queue import my_queue
from issues.services import issue_accept, issue_review
from issues.services.merging import issue_merge
from issues.stats import issue_stats
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401

pytestmark = pytest.mark.django_db

LAMP = "村口路灯坏了三天，晚上看不见路。"


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _change(issue) -> str:
    return reverse("admin:issues_issue_change", args=[issue.pk])


def test_the_similar_panel_offers_merge_into_this_case_and_it_merges(world):
    main, duplicate = world.submit(content=LAMP), world.submit(content="村口的路灯坏了好几天，晚上看不见路。")
    client = client_for(world, "station_staff")
    page = client.get(_change(main)).content.decode()
    assert 'data-action="merge"' in page and reverse("admin:issues_issue_merge", args=[main.pk]) in page

    response = client.post(reverse("admin:issues_issue_merge", args=[main.pk]), {"cases": [duplicate.pk]}, follow=True)

    assert response.status_code == 200
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == main.pk
    page = response.content.decode()
    assert duplicate.short_code in page and 'id="merged"' in page


def test_a_merge_refused_by_the_service_shows_its_reason_and_changes_nothing(world):
    main = world.submit()
    response = client_for(world, "station_staff").post(
        reverse("admin:issues_issue_merge", args=[main.pk]), {"cases": [main.pk]}, follow=True
    )
    assert any("自身" in text for text in _messages(response))
    assert not Issue.objects.filter(merged_into__isnull=False).exists()


def test_merging_a_case_of_another_station_through_the_page_is_not_found(world):
    main, theirs = world.submit(), world.submit(deputy=world.deputy_b)
    response = client_for(world, "station_staff").post(
        reverse("admin:issues_issue_merge", args=[main.pk]), {"cases": [theirs.pk]}
    )
    assert response.status_code == 404
    assert Issue.objects.get(pk=theirs.pk).merged_into_id is None


def test_merge_and_unmerge_pages_answer_only_post(world):
    main = world.submit()
    client = client_for(world, "station_staff")
    assert client.get(reverse("admin:issues_issue_merge", args=[main.pk])).status_code == 405
    assert client.get(reverse("admin:issues_issue_unmerge", args=[main.pk])).status_code == 405


def test_the_merged_case_page_names_its_main_case_and_undoes_the_merge(world):
    main, duplicate = world.submit(), world.submit()
    issue_merge(actor=world.actor("station_staff"), main_id=main.pk, issue_ids=[duplicate.pk])
    client = client_for(world, "station_staff")
    page = client.get(_change(duplicate)).content.decode()
    assert main.short_code in page and reverse("admin:issues_issue_unmerge", args=[duplicate.pk]) in page
    assert 'data-action="accept"' not in page  # handled on the main case, not here

    client.post(reverse("admin:issues_issue_unmerge", args=[duplicate.pk]))

    duplicate.refresh_from_db()
    assert (duplicate.merged_into_id, duplicate.state) == (None, State.SUBMITTED)


def test_township_staff_read_a_merge_but_cannot_undo_it(world):
    main, duplicate = world.submit(), world.submit()
    issue_merge(actor=world.actor("station_staff"), main_id=main.pk, issue_ids=[duplicate.pk])
    client = client_for(world, "township_staff")
    page = client.get(_change(duplicate)).content.decode()
    assert main.short_code in page
    assert reverse("admin:issues_issue_unmerge", args=[duplicate.pk]) not in page
    response = client.post(reverse("admin:issues_issue_unmerge", args=[duplicate.pk]), follow=True)
    assert Issue.objects.get(pk=duplicate.pk).merged_into_id == main.pk
    assert _messages(response)


def test_bulk_merge_asks_for_the_main_case_then_merges_the_others(world):
    cases = [world.submit() for _ in range(3)]
    ids = [c.pk for c in cases]
    client = client_for(world, "station_staff")
    url = reverse("admin:issues_issue_changelist")
    asked = client.post(url, {"action": "merge_selected", "_selected_action": ids})
    assert asked.status_code == 200 and b'name="main"' in asked.content

    client.post(url, {"action": "merge_selected", "_selected_action": ids, "main": cases[1].pk, "apply": "1"})

    assert set(Issue.objects.filter(merged_into=cases[1]).values_list("pk", flat=True)) == {ids[0], ids[2]}


def test_bulk_merge_with_a_main_case_not_ticked_or_one_case_changes_nothing(world):
    cases = [world.submit() for _ in range(2)]
    client = client_for(world, "station_staff")
    url = reverse("admin:issues_issue_changelist")
    stranger = world.submit()
    response = client.post(
        url,
        {"action": "merge_selected", "_selected_action": [c.pk for c in cases], "main": stranger.pk, "apply": "1"},
        follow=True,
    )
    assert any("主案件" in text for text in _messages(response))
    response = client.post(url, {"action": "merge_selected", "_selected_action": [cases[0].pk]}, follow=True)
    assert any("至少勾选两件" in text for text in _messages(response))
    assert not Issue.objects.filter(merged_into__isnull=False).exists()


def test_bulk_merge_across_stations_is_refused_for_the_superuser_too(world):
    mine, theirs = world.submit(), world.submit(deputy=world.deputy_b)
    response = client_for(world, "admin").post(
        reverse("admin:issues_issue_changelist"),
        {"action": "merge_selected", "_selected_action": [mine.pk, theirs.pk], "main": mine.pk, "apply": "1"},
        follow=True,
    )
    assert any("其他联络站" in text for text in _messages(response))
    assert not Issue.objects.filter(merged_into__isnull=False).exists()


def test_the_queue_lists_the_main_case_once_with_its_reports(world):
    main, duplicates = world.submit(), [world.submit(), world.submit()]
    issue_merge(actor=world.actor("station_staff"), main_id=main.pk, issue_ids=[d.pk for d in duplicates])

    assert list(my_queue(world.station_staff)) == [main]
    assert list(my_queue(world.deputy_a_user)) == [main]
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_changelist")).content.decode()
    assert "另有 2 份反映" in page and duplicates[0].short_code not in page


def test_a_merged_group_is_one_problem_in_every_figure(world):
    staff = world.actor("station_staff")
    main, duplicates = world.submit(), [world.submit(), world.submit()]
    alone = world.submit()
    issue_accept(actor=staff, issue_id=main.pk)
    issue_merge(actor=staff, main_id=main.pk, issue_ids=[d.pk for d in duplicates])
    issue_review(actor=staff, issue_id=main.pk)
    assert alone.pk

    for user in (world.station_staff, world.township_staff, world.admin):
        figures = issue_stats(user)
        assert (figures["received"]["value"], figures["reports"]["value"]) == (2, 4)
        data = dashboard_data(user, FilterForm(user=user).filters())
        assert data["figures"]["received"]["value"] == 2
        assert sum(row["received"] for row in data["stations"]) == 2
        assert sum(row["n"] for row in data["categories"]) == 2

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.township_staff).key}")
    body = api.get("/api/stats/").json()
    assert (body["received"]["value"], body["reports"]["value"]) == (2, 4)


def test_the_api_shows_which_case_a_duplicate_is_merged_into(world):
    main, duplicate = world.submit(), world.submit()
    issue_merge(actor=world.actor("station_staff"), main_id=main.pk, issue_ids=[duplicate.pk])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.station_staff).key}")
    rows = {row["id"]: row for row in api.get("/api/issues/").json()["results"]}
    assert rows[duplicate.pk]["merged_into"] == main.pk and rows[main.pk]["merged_into"] is None
