"""The villager's form promises that only those handling the case see their name and phone
(只有办理您这件事的工作人员能看到). Both are masked for everyone on every page and in the API;
those who handle the case may reveal them on the case page, and each reveal is recorded."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from issues import services
from issues.models import Action, IssueEvent, State
from issues.tests.admin_support import client_for, user_of
from issues.validators import mask_name
from liaison.errors import ActionForbidden, IssueNotFound

NAME, PHONE = "赵大爷", "13812345678"
MASKED_NAME, MASKED_PHONE = "赵**", "138****5678"
HANDLERS = ["deputy_a", "station_staff", "admin"]


@pytest.fixture
def case(world):
    issue = world.submit(submitter_name=NAME, submitter_phone=PHONE)
    services.issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)
    return issue


def _case_page(world, role, issue) -> str:
    return client_for(world, role).get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()


def _reveals(issue):
    return IssueEvent.objects.filter(issue=issue, action=Action.REVEAL_PHONE)


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("王伟", "王*"), ("李", "*"), ("", ""), ("  王伟 ", "王*"), ("Li Lei", "L*****")],
)
def test_a_masked_name_keeps_only_its_first_character(name, masked):
    assert mask_name(name) == masked


def test_township_staff_sees_the_villagers_name_masked_on_the_case_page(world, case):
    page = _case_page(world, "township_staff", case)
    assert MASKED_NAME in page and MASKED_PHONE in page
    assert NAME not in page and PHONE not in page
    assert "reveal-contact" not in page


def test_township_staff_sees_the_villagers_name_masked_in_the_case_list(world, case):
    listing = client_for(world, "township_staff").get(reverse("admin:issues_issue_changelist")).content.decode()
    assert case.short_code in listing
    assert MASKED_NAME in listing and NAME not in listing and PHONE not in listing


@pytest.mark.parametrize("role", HANDLERS)
def test_those_handling_the_case_see_the_name_masked_until_they_reveal_it(world, case, role):
    page = _case_page(world, role, case)
    assert MASKED_NAME in page and NAME not in page
    assert "reveal-contact" in page
    listing = client_for(world, role).get(reverse("admin:issues_issue_changelist"), {"queue": "all"})
    assert MASKED_NAME in listing.content.decode() and NAME not in listing.content.decode()


@pytest.mark.parametrize("role", HANDLERS)
def test_revealing_shows_name_and_phone_and_records_who_looked(world, case, role):
    response = client_for(world, role).post(reverse("admin:issues_issue_reveal_contact", args=[case.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert NAME in body and PHONE in body
    assert "no-store" in response["Cache-Control"]
    event = _reveals(case).get()
    assert event.actor == user_of(world, role)
    assert event.data == {"revealed": ["name", "phone"]}
    assert event.from_state == event.to_state == State.ACCEPTED


def test_a_case_with_a_name_but_no_phone_can_still_be_revealed(world):
    issue = world.submit(submitter_name=NAME)
    assert "reveal-contact" in _case_page(world, "station_staff", issue)
    contact = services.issue_reveal_contact(actor=world.actor("station_staff"), issue_id=issue.pk)
    assert (contact.name, contact.phone) == (NAME, "")
    assert _reveals(issue).get().data == {"revealed": ["name"]}


def test_a_case_without_name_or_phone_offers_nothing_to_reveal(world):
    issue = world.submit()
    page = _case_page(world, "station_staff", issue)
    assert "reveal-contact" not in page
    assert "（未留姓名）" in page


def test_township_staff_cannot_reveal_the_name_and_nothing_is_recorded(world, case):
    client = client_for(world, "township_staff")
    response = client.post(reverse("admin:issues_issue_reveal_contact", args=[case.pk]), follow=True)
    body = response.content.decode()
    assert NAME not in body and PHONE not in body
    with pytest.raises(ActionForbidden):
        services.issue_reveal_contact(actor=world.actor("township_staff"), issue_id=case.pk)
    assert not _reveals(case).exists()


def test_a_deputy_of_another_station_cannot_learn_the_case_exists_by_revealing(world, case):
    response = client_for(world, "deputy_b").post(reverse("admin:issues_issue_reveal_contact", args=[case.pk]))
    assert response.status_code == 404
    assert NAME not in response.content.decode()
    with pytest.raises(IssueNotFound):
        services.issue_reveal_contact(actor=world.actor("deputy_b_user"), issue_id=case.pk)
    assert not _reveals(case).exists()


def test_revealing_by_get_is_refused_and_not_recorded(world, case):
    response = client_for(world, "station_staff").get(reverse("admin:issues_issue_reveal_contact", args=[case.pk]))
    assert response.status_code == 405
    assert not _reveals(case).exists()


def test_the_timeline_shows_the_reveal_but_never_the_name_to_township_staff(world, case):
    services.issue_reveal_contact(actor=world.actor("station_staff"), issue_id=case.pk)
    page = _case_page(world, "township_staff", case)
    assert "查看姓名和电话" in page  # the reveal is on the timeline, as a fact
    assert NAME not in page and PHONE not in page


@pytest.mark.parametrize("role", ["deputy_a", "station_staff", "township_staff", "admin"])
def test_the_api_masks_name_and_phone_for_every_role(world, case, role):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user_of(world, role)).key}")
    detail = client.get(f"/api/issues/{case.pk}/").json()
    assert (detail["submitter_name"], detail["submitter_phone"]) == (MASKED_NAME, MASKED_PHONE)
    listing = client.get("/api/issues/").content.decode()
    assert NAME not in listing and PHONE not in listing
    assert not _reveals(case).exists()


def test_the_api_gives_a_deputy_of_another_station_nothing(world, case):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=world.deputy_b_user).key}")
    assert client.get(f"/api/issues/{case.pk}/").status_code == 404
