"""After 不满意 a person decides: the case goes back to the station (not to the department) with
an alert; staff send it back with instructions or answer it themselves; a second 不满意 escalates
it to the township; the villager's timeline says so each time."""

from django.urls import reverse

from issues import services
from issues.models import Action, Forwarding, Notification, Rating, State
from issues.permissions import VILLAGER
from issues.selectors import public_timeline
from issues.tests.lifecycle import drive_to


def unsatisfied(issue, comment="路灯还是不亮"):
    return services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.UNSATISFIED, comment=comment)


def test_an_unsatisfied_rating_returns_the_case_to_the_station_not_to_the_department(world):
    issue = drive_to(world, State.REPLIED)
    unsatisfied(issue)
    issue.refresh_from_db()
    assert (issue.state, issue.round, issue.department_id) == (State.REVIEWED, 2, world.department.pk)
    assert not Forwarding.objects.filter(issue=issue, round=2).exists()
    reopen = issue.events.get(action=Action.REOPEN)
    assert reopen.data["to"] == "station"
    alerted = set(
        Notification.objects.filter(issue=issue, kind=Notification.Kind.UNSATISFIED).values_list("user", flat=True)
    )
    assert alerted == {world.station_staff.pk, world.deputy_a_user.pk}
    assert world.township_staff.pk not in alerted


def test_the_villager_reads_what_was_decided(world, client):
    issue = drive_to(world, State.REPLIED)
    unsatisfied(issue)
    services.issue_assign(
        actor=world.actor("station_staff"),
        issue_id=issue.pk,
        department_id=world.department.pk,
        instructions="请换新灯具",
    )
    titles = [event.title for event in public_timeline(issue)]
    assert world.department.name in titles[-1]
    html = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    assert "联络站已收到您的评价" in html
    assert "请换新灯具" not in html  # the instructions are for the department


def test_staff_may_answer_the_villager_themselves_after_an_unsatisfied_rating(world):
    issue = drive_to(world, State.REPLIED)
    unsatisfied(issue)
    replied = services.issue_reply(
        actor=world.actor("station_staff"), issue_id=issue.pk, text="站长已到现场，更换了灯具。"
    )
    assert (replied.state, replied.round) == (State.REPLIED, 2)
    assert not Forwarding.objects.filter(issue=issue, round=2).exists()


def test_a_second_unsatisfied_rating_escalates_to_the_township(world, client):
    issue = drive_to(world, State.REPLIED)
    unsatisfied(issue)
    services.issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="已再次处理。")
    assert not Notification.objects.filter(user=world.township_staff).exists()
    unsatisfied(issue, comment="还是没有修好")
    issue.refresh_from_db()
    assert (issue.state, issue.round) == (State.REVIEWED, 3)
    township = Notification.objects.get(user=world.township_staff, kind=Notification.Kind.UNSATISFIED)
    assert township.issue_id == issue.pk
    assert issue.events.filter(action=Action.REOPEN).order_by("-pk").first().data["escalated"] == "township"
    html = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    assert "乡镇" in html
