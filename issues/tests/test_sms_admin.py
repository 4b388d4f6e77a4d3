"""Texts in the admin: the case page lists its texts with the number masked; the list of texts
is scoped like cases; the fixed templates are shown with it."""

import pytest
from django.urls import reverse

from issues.models import State
from issues.services import issue_accept
from issues.sms.models import SmsMessage
from issues.sms.templates import TEMPLATES
from issues.tests.admin_support import client_for
from issues.tests.lifecycle import drive_to

PHONE = "13800138000"


def other_station_case(world):
    issue = world.submit(station=world.xiushan_station, submitter_phone=PHONE, sms_consent=True)
    return issue_accept(actor=world.actor("admin"), issue_id=issue.pk)


@pytest.fixture
def texted(world):
    return drive_to(world, State.ASSIGNED, submitter_phone=PHONE, sms_consent=True)


def test_the_case_page_shows_its_texts_with_the_number_masked(world, texted):
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[texted.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="texts"' in html
    assert html.count("<code>accepted</code>") == 1
    assert html.count("<code>assigned</code>") == 1
    assert "138****8000" in html
    assert PHONE not in html


def test_the_list_of_texts_shows_the_templates_and_only_texts_in_scope(world, texted):
    other = other_station_case(world)
    url = reverse("admin:issues_smsmessage_changelist")
    mine = client_for(world, "station_staff").get(url).content.decode()
    assert texted.short_code in mine
    assert other.short_code not in mine
    assert PHONE not in mine
    for template in TEMPLATES.values():
        assert f"<code>{template.key}</code>" in mine
    everyone = client_for(world, "admin").get(url).content.decode()
    assert texted.short_code in everyone and other.short_code in everyone


def test_a_text_of_another_station_cannot_be_opened(world, texted):
    other = other_station_case(world)
    message = SmsMessage.objects.get(issue=other)
    client = client_for(world, "station_staff")
    response = client.get(reverse("admin:issues_smsmessage_change", args=[message.pk]))
    assert response.status_code in (302, 403, 404)
    own = SmsMessage.objects.filter(issue=texted).first()
    page = client.get(reverse("admin:issues_smsmessage_change", args=[own.pk]))
    assert page.status_code == 200
    assert PHONE not in page.content.decode()
