"""The admin's login and session: brute force is locked out, sessions expire, and the case list
costs the same number of queries however many cases there are."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from issues.models import Channel, Issue
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from testsupport.world import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, password):
    return client.post(reverse("admin:login"), {"username": "deputy_a", "password": password, "next": "/admin/"})


def test_login_is_locked_after_the_failure_limit_even_with_the_right_password(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "wrong password")
    response = _login(client, PASSWORD)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to the login page


def test_a_right_password_below_the_limit_logs_in_and_resets_the_count(world):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "wrong password")
    assert _login(client, PASSWORD).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_admin_session_expires(world):
    client = Client()
    _login(client, PASSWORD)
    session = client.session
    assert session.get_expire_at_browser_close()
    assert 0 < session.get_expiry_age() <= settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert client.get(reverse("admin:issues_issue_changelist")).status_code == 200
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now())
    response = client.get(reverse("admin:issues_issue_changelist"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def _many_cases(world, count):
    # Rows written directly: this measures the list page, not the submission service.
    Issue.objects.bulk_create(
        Issue(
            channel=Channel.DEPUTY_QR,
            station=world.railway_point,
            deputy=world.deputy_a,
            category=world.category,
            content=f"第{n}件：路灯坏了。",
            submitter_phone="13812345678",
            deadline=timezone.now() + timezone.timedelta(hours=n - count // 2),
        )
        for n in range(count)
    )


# Facet counts cost a few queries per filter (the queue view is one), the header one for the
# queue count; none of them depends on the number of rows.
LIST_QUERIES = 45


def test_case_list_costs_the_same_queries_with_5_and_100_cases(world, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(admin.site._registry[Issue], "list_per_page", 100)  # every row on one page
    client = client_for(world, "station_staff")
    url = reverse("admin:issues_issue_changelist")
    counted = []
    for total in (5, 100):
        _many_cases(world, total - Issue.objects.count())
        with django_assert_max_num_queries(LIST_QUERIES) as queries:
            response = client.get(url)
        assert response.context["cl"].result_count == total
        counted.append(len(queries))
    assert counted[0] == counted[1]
