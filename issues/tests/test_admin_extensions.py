"""Station staff decide a department's extension request on its admin page; township staff
read it but cannot decide; a refusal without a reason is refused."""

import datetime

import pytest
from django.urls import reverse

from issues.models import ExtensionRequest, Forwarding, PlatformNotice
from issues.permissions import PLATFORM, Actor
from issues.services import issue_accept, issue_assign, issue_review
from issues.services.exchange import issue_request_extension
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_row(world):
    staff = Actor.of(world.station_staff)
    issue = world.submit()
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk)
    issue.refresh_from_db()
    issue_request_extension(
        actor=PLATFORM,
        forwarding_id=Forwarding.objects.get(issue=issue).pk,
        message_id="ext-admin",
        deadline=issue.deadline + datetime.timedelta(days=3),
        reason="护栏需定制",
    )
    return ExtensionRequest.objects.get()


def page(row) -> str:
    return reverse("admin:issues_extensionrequest_change", args=[row.pk])


def test_station_staff_approve_on_the_requests_page(world, request_row):
    client = client_for(world, "station_staff")
    listing = client.get(reverse("admin:issues_extensionrequest_changelist"))
    assert listing.status_code == 200 and "护栏需定制" in listing.content.decode()

    response = client.post(page(request_row), {"decision": "approve", "note": ""})

    assert response.status_code == 302
    request_row.refresh_from_db()
    assert request_row.status == ExtensionRequest.Status.APPROVED
    assert request_row.issue.deadline == request_row.requested_deadline
    assert PlatformNotice.objects.filter(issue=request_row.issue).exists()


def test_a_refusal_needs_a_reason_on_the_page_too(world, request_row):
    client = client_for(world, "station_staff")

    response = client.post(page(request_row), {"decision": "refuse", "note": ""})

    assert response.status_code == 200  # the form again, with its error
    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.PENDING
    refused = client.post(page(request_row), {"decision": "refuse", "note": "时限内能办完"})
    assert refused.status_code == 302
    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.REFUSED


def test_township_staff_read_the_request_but_cannot_decide_it(world, request_row):
    client = client_for(world, "township_staff")

    assert client.get(page(request_row)).status_code == 200
    assert client.post(page(request_row), {"decision": "approve"}).status_code == 403
    assert ExtensionRequest.objects.get().status == ExtensionRequest.Status.PENDING
