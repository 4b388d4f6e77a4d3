import io

import pytest
from PIL import Image

from issues.models import Attachment, Issue, IssueEvent, State
from issues.services import issue_accept, issue_reply, issue_review
from liaison.ratelimit import Limit

SUBMIT = "/api/public/issues/"
CONTENT = "村口路灯坏了三天，晚上看不见路。"


def _png(size=(8, 8)) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(out, format="PNG")
    out.seek(0)
    out.name = "photo.png"
    return out


def _replied(world) -> Issue:
    issue = world.submit(submitter_phone="13812345678", submitter_name="王大伯")
    staff = world.actor("station_staff")
    issue_accept(actor=staff, issue_id=issue.pk, note="内部：王主任跟进")
    issue_review(actor=staff, issue_id=issue.pk, note="内部备注不给村民看")
    return issue_reply(actor=staff, issue_id=issue.pk, text="路灯已经修好了。")


def test_villager_submits_to_a_deputy_by_token_and_gets_a_tracking_code(world, anon):
    response = anon.post(SUBMIT, {"deputy_token": world.deputy_a.qr_token, "content": CONTENT}, format="json")
    assert response.status_code == 201
    body = response.json()
    issue = Issue.objects.get(tracking_code=body["tracking_code"])
    assert issue.deputy == world.deputy_a and issue.station == world.railway_point
    assert issue.channel == "deputy_qr" and body["short_code"] == issue.short_code
    assert body["tracking_url"].endswith(f"/t/{issue.tracking_code}/")


def test_villager_submits_to_a_station_with_photos_as_multipart(world, anon):
    data = {"station_token": world.xiushan_station.qr_token, "content": CONTENT, "phone": "138 1234 5678"}
    data["photos"] = [_png(), _png()]
    response = anon.post(SUBMIT, data, format="multipart")
    assert response.status_code == 201, response.json()
    issue = Issue.objects.get(tracking_code=response.json()["tracking_code"])
    assert issue.station == world.xiushan_station and issue.deputy is None
    assert issue.submitter_phone == "13812345678"
    assert Attachment.objects.filter(issue=issue).count() == 2


def test_a_retry_with_the_same_idempotency_key_returns_the_same_case_with_200(world, anon):
    data = {"deputy_token": world.deputy_a.qr_token, "content": CONTENT}
    first = anon.post(SUBMIT, data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = anon.post(SUBMIT, data, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Issue.objects.count() == 1
    assert Issue.objects.get().submission_key == "api:k-1"


def test_the_same_idempotency_key_with_other_content_is_422(world, anon):
    anon.post(SUBMIT, {"deputy_token": world.deputy_a.qr_token, "content": CONTENT}, HTTP_IDEMPOTENCY_KEY="k")
    other = anon.post(
        SUBMIT, {"deputy_token": world.deputy_a.qr_token, "content": "另一件事情，桥坏了。"}, HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_conflict"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"content": CONTENT}, "deputy_token"),
        ({"deputy_token": "no-such-token", "content": CONTENT}, "deputy_token"),
        ({"deputy_token": "DEPUTY", "content": "短"}, "content"),
        ({"deputy_token": "DEPUTY", "content": CONTENT, "phone": "12345"}, "phone"),
        ({"deputy_token": "DEPUTY", "content": CONTENT, "category": 999999}, "category"),
    ],
)
def test_bad_submissions_are_400_with_the_field_and_nothing_is_written(world, anon, data, field):
    if data.get("deputy_token") == "DEPUTY":
        data["deputy_token"] = world.deputy_a.qr_token
    response = anon.post(SUBMIT, data, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"] and field in error["fields"]
    assert not Issue.objects.exists()


def test_more_than_three_photos_is_400_and_a_fake_photo_too(world, anon):
    data = {"deputy_token": world.deputy_a.qr_token, "content": CONTENT, "photos": [_png() for _ in range(4)]}
    assert anon.post(SUBMIT, data, format="multipart").status_code == 400
    fake = io.BytesIO(b"not an image at all")
    fake.name = "x.jpg"
    data["photos"] = [fake]
    response = anon.post(SUBMIT, data, format="multipart")
    assert response.status_code == 400 and "photos" in response.json()["error"]["fields"]
    assert not Issue.objects.exists()


def test_a_photo_over_5_mb_is_413(world, anon, monkeypatch):
    monkeypatch.setattr("api.views.MAX_BYTES", 100)
    data = {"deputy_token": world.deputy_a.qr_token, "content": CONTENT, "photos": [_png((64, 64))]}
    response = anon.post(SUBMIT, data, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_too_many_submissions_from_one_ip_are_429_with_retry_after(world, anon, settings):
    settings.RATE_LIMITS = {"submit_ip": Limit(2, 3600)}
    data = {"deputy_token": world.deputy_a.qr_token, "content": CONTENT}
    codes = [anon.post(SUBMIT, data, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    response = anon.post(SUBMIT, data, format="json")
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "rate_limited"


def test_public_tracking_shows_the_timeline_without_staff_names_notes_or_phone(world, anon):
    issue = _replied(world)
    response = anon.get(f"/api/public/issues/{issue.tracking_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "replied" and body["awaiting_rating"] is True
    assert [e["action"] for e in body["timeline"]] == ["submit", "accept", "review", "reply"]
    text = response.content.decode()
    assert "station_staff" not in text and "内部" not in text and "王主任" not in text
    assert "13812345678" not in text and "5678" not in text and "王大伯" not in text


def test_an_unknown_tracking_code_is_404_and_the_short_code_opens_nothing(world, anon):
    issue = world.submit()
    for code in ("no-such-code", issue.short_code):
        response = anon.get(f"/api/public/issues/{code}/")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_villager_rates_a_reply_satisfied_and_the_case_is_finished(world, anon):
    issue = _replied(world)
    url = f"/api/public/issues/{issue.tracking_code}/evaluation/"
    response = anon.post(url, {"rating": "satisfied", "comment": "谢谢"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == State.EVALUATED
    again = anon.post(url, {"rating": "satisfied"}, format="json")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "illegal_transition"


def test_rating_a_case_that_was_not_replied_to_is_409(world, anon):
    issue = world.submit()
    response = anon.post(f"/api/public/issues/{issue.tracking_code}/evaluation/", {"rating": "satisfied"})
    assert response.status_code == 409


def test_an_unsatisfied_rating_needs_a_comment_and_a_bad_rating_is_400(world, anon):
    issue = _replied(world)
    url = f"/api/public/issues/{issue.tracking_code}/evaluation/"
    no_comment = anon.post(url, {"rating": "unsatisfied"}, format="json")
    assert no_comment.status_code == 400 and "comment" in no_comment.json()["error"]["fields"]
    bad = anon.post(url, {"rating": "great"}, format="json")
    assert bad.status_code == 400 and "rating" in bad.json()["error"]["fields"]
    assert anon.post("/api/public/issues/nope/evaluation/", {"rating": "satisfied"}).status_code == 404
    assert not IssueEvent.objects.filter(issue=issue, action="evaluate").exists()


def test_public_endpoints_ignore_a_bad_token(world, anon):
    issue = world.submit()
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anon.get(f"/api/public/issues/{issue.tracking_code}/").status_code == 200
