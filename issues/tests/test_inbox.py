from django.urls import reverse

from issues.models import Notification
from issues.notifications import notify


def test_each_user_sees_only_their_own_reminders_and_opening_one_marks_it_read(world, client):
    case = world.submit()
    mine = notify(
        user=world.station_staff, kind=Notification.Kind.OVERDUE, issue=case, message="我的提醒", dedupe_key="a"
    )
    notify(user=world.deputy_b_user, kind=Notification.Kind.OVERDUE, message="别人的提醒", dedupe_key="b")
    client.force_login(world.station_staff)

    page = client.get(reverse("admin:issues_notification_changelist")).content.decode()
    assert "我的提醒" in page and "别人的提醒" not in page

    opened = client.get(reverse("admin:issues_notification_change", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == reverse("admin:issues_issue_change", args=[case.pk])
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_nobody_opens_another_users_reminder(world, client):
    theirs = notify(user=world.deputy_b_user, kind=Notification.Kind.OVERDUE, message="别人的提醒", dedupe_key="b")
    client.force_login(world.admin)
    response = client.get(reverse("admin:issues_notification_change", args=[theirs.pk]))
    assert response.status_code in (302, 403, 404)
    assert "别人的提醒" not in client.get(reverse("admin:issues_notification_changelist")).content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None
