"""The admin's case page says whether the case's timeline chain is intact."""

import pytest
from django.db import connection
from django.urls import reverse

from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_timeline_as_verified(world):
    issue = world.submit()
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    html = page.content.decode()
    assert 'class="liaison-chain liaison-muted"' in html and "errornote" not in html


def test_the_case_page_says_when_the_chain_is_broken(world):
    issue = world.submit()
    with connection.cursor() as cursor:  # what someone with database rights could do
        if connection.vendor == "postgresql":  # the table's owner gets past the trigger so
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own pending foreign-key checks
            cursor.execute("ALTER TABLE issues_issueevent DISABLE TRIGGER ALL")
        cursor.execute("UPDATE issues_issueevent SET public_note = 'forged' WHERE issue_id = %s", [issue.pk])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE issues_issueevent ENABLE TRIGGER ALL")
    page = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    assert "errornote" in page.content.decode()
