import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from PIL import Image

from deputies.services import deputy_rotate_token
from issues.models import Attachment, Issue
from villagers.forms import SUBMISSION_TOKEN_MAX_AGE
from villagers.tests.conftest import bomb_png, jpeg_bytes, photo, zh

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


def form_token(client, url) -> str:
    html = client.get(url).content.decode()
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


@pytest.fixture
def url(world):
    return reverse("public:deputy", args=[world.deputy_a.qr_token])


def send(client, url, **fields):
    data = {"content": TEXT, "token": form_token(client, url), **fields}
    return client.post(url, data)


def test_a_villager_sends_a_case_with_a_photo_and_gets_a_receipt(client, world, url):
    response = send(client, url, name="王阿婆", phone="138 0013 8000", consent="1", photos=[photo()])
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public:receipt", args=[issue.tracking_code])
    assert (issue.deputy, issue.station, issue.submitter_phone) == (world.deputy_a, world.railway_point, "13800138000")
    receipt = client.get(response["Location"]).content.decode()
    assert issue.short_code in receipt and issue.tracking_code in receipt
    assert zh("Please keep this code") in receipt


def test_photos_are_re_encoded_without_exif_and_gps(client, world, url):
    send(client, url, photos=[photo(content=jpeg_bytes(exif_gps=True))])
    attachment = Attachment.objects.get()
    with attachment.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert not image.getexif()


def test_tapping_send_twice_or_refreshing_creates_one_case(client, world, url):
    data = {"content": TEXT, "token": form_token(client, url)}
    first = client.post(url, data)
    second = client.post(url, data)
    assert Issue.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_anonymous_villager_leaves_no_name_or_phone(client, world, url):
    send(client, url, anonymous="1", name="王阿婆", phone="12345")
    issue = Issue.objects.get()
    assert (issue.submitter_name, issue.submitter_phone) == ("", "")


BAD_INPUTS = [
    ("too_short", {"content": "灯坏"}, "Please describe the problem in at least %(n)d characters.", {"n": 5}),
    ("too_long", {"content": "长" * 2001}, "Please keep the description under %(n)d characters.", {"n": 2000}),
    ("bad_phone", {"phone": "1234567", "consent": "1"}, "Please enter an 11-digit mobile number starting with 1.", {}),
    (
        "no_consent",
        {"phone": "13800138000"},
        "You left your name or phone number: please tick the box to agree that we use them for this case.",
        {},
    ),
    (
        "fake_image",
        {"photos": [photo("x.jpg", b"this is not a picture at all")]},
        "This file is not a photo we can read.",
        {},
    ),
    (
        "oversized_image",
        {"photos": [photo("big.jpg", b"\xff\xd8" + b"0" * (5 * 1024 * 1024))]},
        "Each photo must be at most 5 MB.",
        {},
    ),
    ("bomb_image", {"photos": [photo("bomb.png", bomb_png(), "image/png")]}, "The photo is too large to process.", {}),
    ("four_photos", {"photos": [photo(), photo(), photo(), photo()]}, "At most %(n)d photos.", {"n": 3}),
    ("category_not_a_number", {"category": "路灯"}, "Choose a category from the list.", {}),
    ("category_unknown", {"category": "99999"}, "Unknown category.", {}),
    (
        "forged_token",
        {"token": "forged:token"},
        "The form could not be verified. Please check your text and send it again.",
        {},
    ),
]


@pytest.mark.parametrize(("case", "fields", "msgid", "params"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_shows_its_chinese_message_keeps_the_text_and_writes_nothing(
    client, world, url, case, fields, msgid, params
):
    content = fields.get("content", TEXT)
    response = send(client, url, **fields)
    html = response.content.decode()
    assert response.status_code == 400
    message = zh(msgid, **params)
    assert re.search(r"[\u4e00-\u9fff]", message), "the message must be Chinese"
    assert message in html
    assert f">{content}</textarea>" in html
    assert Issue.objects.count() == 0 and Attachment.objects.count() == 0


def test_stale_submission_token_asks_to_send_again_and_keeps_the_text(client, world, url, monkeypatch):
    token = form_token(client, url)
    real_loads = signing.loads
    monkeypatch.setattr(
        signing, "loads", lambda value, **kw: real_loads(value, **{**kw, "max_age": -1 if kw.get("max_age") else None})
    )
    response = client.post(url, {"content": TEXT, "token": token})
    html = response.content.decode()
    assert SUBMISSION_TOKEN_MAX_AGE >= 3600
    assert zh("This page was open for a long time. Please check your text and send it again.") in html
    assert f">{TEXT}</textarea>" in html
    assert Issue.objects.count() == 0


def test_csrf_failure_shows_the_form_again_in_chinese_with_the_text(world, url):
    client = Client(enforce_csrf_checks=True)
    token = form_token(client, url)
    client.cookies.clear()
    response = client.post(url, {"content": TEXT, "token": token})
    html = response.content.decode()
    assert response.status_code == 403
    assert zh("The page's security check failed. Your text is kept: please tap “Send” again.") in html
    assert f">{TEXT}</textarea>" in html
    assert Issue.objects.count() == 0
    retry = client.post(
        url,
        {
            "content": TEXT,
            "token": re.search(r'name="token" value="([^"]+)"', html).group(1),
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1),
        },
    )
    assert retry.status_code == 302 and Issue.objects.count() == 1


def test_a_revoked_code_keeps_the_text_and_offers_the_station_form(client, world, url):
    token = form_token(client, url)
    deputy_rotate_token(deputy=world.deputy_a, by_user=world.admin)
    response = client.post(url, {"content": TEXT, "token": token})
    html = response.content.decode()
    assert response.status_code == 409
    assert (
        zh(
            "This QR code is no longer in use. Your text is kept below: you can send it to %(station)s.",
            station=world.railway_point.name,
        )
        in html
    )
    assert f">{TEXT}</textarea>" in html
    assert Issue.objects.count() == 0


def test_the_honeypot_turns_away_a_bot(client, world, url):
    response = send(client, url, website="http://spam.example")
    assert response.status_code == 400
    assert Issue.objects.count() == 0


def test_too_many_submissions_from_one_ip_get_a_chinese_429(client, world, url, settings):
    from liaison.ratelimit import Limit

    settings.RATE_LIMITS = {"submit_ip": Limit(2, 3600)}
    for n in range(2):
        assert send(client, url, content=f"{TEXT}{n}").status_code == 302
    response = send(client, url)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert zh("Too many requests") in response.content.decode()
    assert f">{TEXT}</textarea>" in response.content.decode()
    assert Issue.objects.count() == 2


def test_a_script_payload_is_shown_as_text_everywhere(client, world, url):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = send(client, url, content=payload, name="<b>王</b>", consent="1", phone="13800138000")
    issue = Issue.objects.get()
    for page in (client.get(response["Location"]), client.get(reverse("public:track", args=[issue.tracking_code]))):
        html = page.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    too_short = send(client, url, content="<b>")
    assert "<b></textarea>" not in too_short.content.decode()
