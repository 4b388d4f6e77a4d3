"""Alerts to the deputy and the station: a new case, an unsatisfied rating, once each; the
header counts what is unread, and opening an alert marks it read and leads to its case."""

from datetime import timedelta

import pytest
from django.urls import reverse

from issues import clock, services
from issues.alerts import send_new_case_alerts, unread_count
from issues.models import Notification, Rating, State
from issues.permissions import VILLAGER
from issues.tests.admin_support import client_for
from issues.tests.lifecycle import drive_to


def kinds_for(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).values_list("issue__short_code", flat=True))


def test_a_new_case_alerts_its_deputy_and_station_staff_once(world):
    issue = world.submit()
    assert send_new_case_alerts() == 2
    assert send_new_case_alerts() == 0
    assert kinds_for(world.deputy_a_user, Notification.Kind.NEW_CASE) == [issue.short_code]
    assert kinds_for(world.station_staff, Notification.Kind.NEW_CASE) == [issue.short_code]
    assert kinds_for(world.deputy_b_user, Notification.Kind.NEW_CASE) == []
    assert kinds_for(world.township_staff, Notification.Kind.NEW_CASE) == []


def test_a_case_already_accepted_or_long_past_raises_no_new_case_alert(world, settings):
    drive_to(world, State.ACCEPTED)
    with clock.frozen_at(clock.now() - timedelta(hours=settings.ALERT_NEW_CASE_LOOKBACK_HOURS + 1)):
        world.submit()
    assert send_new_case_alerts() == 0


def test_an_unsatisfied_rating_alerts_the_deputy_and_the_staff_in_the_same_step(world):
    issue = drive_to(world, State.REPLIED)
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.UNSATISFIED, comment="路灯还是不亮")
    alerts = Notification.objects.filter(kind=Notification.Kind.UNSATISFIED, issue=issue)
    assert {a.user for a in alerts} == {world.deputy_a_user, world.station_staff}
    assert all("路灯还是不亮" in a.message for a in alerts)


def test_a_satisfied_rating_raises_no_alert(world):
    issue = drive_to(world, State.REPLIED)
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.SATISFIED)
    assert not Notification.objects.filter(kind=Notification.Kind.UNSATISFIED).exists()


def test_the_header_shows_the_unread_count_and_opening_an_alert_marks_it_read_and_opens_its_case(world):
    issue = world.submit()
    send_new_case_alerts()
    client = client_for(world, "deputy_a")
    assert unread_count(world.deputy_a_user) == 1
    html = client.get(reverse("admin:index")).content.decode()
    assert '<span class="liaison-unread"' in html and ">1</span>" in html
    alert = Notification.objects.get(user=world.deputy_a_user)
    response = client.get(reverse("admin:issues_notification_change", args=[alert.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:issues_issue_change", args=[issue.pk])
    assert unread_count(world.deputy_a_user) == 0
    assert '<span class="liaison-unread"' not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("role", ["station_staff", "township_staff"])
def test_the_header_counts_only_the_users_own_alerts(world, role):
    world.submit()
    send_new_case_alerts()
    expected = 1 if role == "station_staff" else 0
    assert unread_count(getattr(world, role)) == expected
