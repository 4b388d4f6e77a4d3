import pytest
from django.urls import reverse

from issues.models import Evaluation, Issue, State
from issues.services import issue_accept, issue_reply, issue_review
from villagers.tests.conftest import photo, zh

pytestmark = pytest.mark.django_db

REPLY = "已联系供电所，路灯明天修好。"


def replied_case(world, **kwargs) -> Issue:
    issue = world.submit(**kwargs)
    issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    return issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text=REPLY)


def track_url(issue) -> str:
    return reverse("public:track", args=[issue.tracking_code])


def test_tracking_page_shows_a_public_timeline_without_staff_names(client, world):
    issue = world.submit()
    issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk, note="内部备注：先打电话")
    html = client.get(track_url(issue)).content.decode()
    assert zh("Your case was received") in html
    assert zh("A deputy accepted your case") in html
    assert zh("Received. Waiting for the deputy to accept it.") not in html
    assert "内部备注" not in html and "deputy_a" not in html
    assert issue.short_code in html


def test_tracking_code_that_does_not_exist_is_a_404(client, world):
    assert client.get("/t/nonexistent-code/").status_code == 404


def test_replied_case_shows_the_answer_and_the_rating_form(client, world):
    issue = replied_case(world)
    html = client.get(track_url(issue)).content.decode()
    assert REPLY in html
    assert zh("Are you satisfied with the answer?") in html
    for label in ("满意", "基本满意", "不满意"):
        assert label in html


def test_satisfied_rating_finishes_the_case(client, world):
    issue = replied_case(world)
    response = client.post(track_url(issue), {"rating": "satisfied"})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.state == State.EVALUATED
    html = client.get(response["Location"]).content.decode()
    assert zh("Thank you for your rating.") in html
    assert zh("Are you satisfied with the answer?") not in html


def test_unsatisfied_needs_a_comment(client, world):
    issue = replied_case(world)
    response = client.post(track_url(issue), {"rating": "unsatisfied", "comment": ""})
    assert response.status_code == 400
    assert zh("Please tell us what is still wrong.") in response.content.decode()
    assert Evaluation.objects.count() == 0


def test_unsatisfied_reopens_the_case_with_a_new_deadline_and_says_so(client, world):
    issue = replied_case(world)
    response = client.post(track_url(issue), {"rating": "unsatisfied", "comment": "路灯还是不亮。"})
    issue.refresh_from_db()
    assert issue.state == State.REVIEWED and issue.round == 2  # with the station, not the department
    html = client.get(response["Location"]).content.decode()
    assert "重新办理" in html
    assert zh("Are you satisfied with the answer?") not in html


def test_one_rating_per_round(client, world):
    issue = replied_case(world)
    client.post(track_url(issue), {"rating": "basically_satisfied"})
    again = client.post(track_url(issue), {"rating": "satisfied"})
    assert again.status_code == 409
    assert Evaluation.objects.count() == 1


def test_lookup_with_short_code_and_last_four_digits_shows_the_progress(client, world):
    issue = world.submit(submitter_phone="13800138000")
    for code in (issue.short_code, issue.short_code.lower().replace("-", "")):
        response = client.post(reverse("public:home"), {"code": code, "phone_last4": "8000"})
        html = response.content.decode()
        assert response.status_code == 200 and f'<strong id="short-code">{issue.short_code}</strong>' in html
        assert issue.tracking_code not in html


def test_lookup_with_wrong_digits_or_an_unknown_code_finds_nothing(client, world):
    with_phone = world.submit(submitter_phone="13800138000")
    for code in (with_phone.short_code, "AAAA-BBBB"):
        response = client.post(reverse("public:home"), {"code": code, "phone_last4": "1234"})
        assert response.status_code == 400
        assert "没有找到相符的反映" in response.content.decode()


def test_lookup_is_rate_limited(client, world, settings):
    from liaison.ratelimit import Limit

    settings.RATE_LIMITS = {"lookup_ip": Limit(3, 600)}
    for _ in range(3):
        client.post(reverse("public:home"), {"code": "AAAA-BBBB", "phone_last4": "1234"})
    response = client.post(reverse("public:home"), {"code": "AAAA-BBBB", "phone_last4": "1234"})
    assert response.status_code == 429 and response["Retry-After"]


def test_submitter_opens_their_photo_only_with_their_tracking_code(client, world):
    issue = world.submit(photos=[photo()])
    other = world.submit(content="另一件事情，没有照片。")
    attachment = issue.attachments.get()
    ok = client.get(reverse("public:submitter-photo", args=[issue.tracking_code, attachment.pk]))
    assert ok.status_code == 200 and ok["Content-Type"] == "image/jpeg"
    assert b"".join(ok.streaming_content)[:2] == b"\xff\xd8"
    assert client.get(reverse("public:submitter-photo", args=[other.tracking_code, attachment.pk])).status_code == 404


def test_staff_open_photos_only_inside_their_scope(client, world):
    issue = world.submit(photos=[photo()])
    url = reverse("public:staff-photo", args=[issue.attachments.get().pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.deputy_b_user)
    assert client.get(url).status_code == 404
    client.force_login(world.station_staff)
    assert client.get(url).status_code == 200
