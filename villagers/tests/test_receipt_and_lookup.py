"""No dead ends after sending: the receipt's QR code of the tracking link, the lookup of an
anonymous case by its query code alone (rate-limited like every lookup), the anonymous box that
says what it drops, and deadlines that say what they are for."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from pyzbar.pyzbar import decode

from issues.models import Issue
from issues.services import issue_accept, issue_reply, issue_review
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


def track_url(issue) -> str:
    return reverse("public:track", args=[issue.tracking_code])


def receipt_html(client, issue, query: str = "") -> str:
    response = client.get(reverse("public:receipt", args=[issue.tracking_code]) + query)
    assert response.status_code == 200
    return response.content.decode()


def lookup(client, code: str, digits: str = ""):
    return client.post(reverse("public:home"), {"code": code, "phone_last4": digits})


# --- the receipt's QR code -------------------------------------------------------------------


def test_the_receipt_shows_a_qr_code_that_decodes_to_the_tracking_link(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://liaison.example.cn"
    issue = world.submit()
    html = receipt_html(client, issue)
    src = re.search(r'<img class="qr" id="track-qr" src="([^"]+)"', html).group(1)
    assert zh("Save a screenshot of this QR code; scan it to see the progress.") in html
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        decoded = decode(image)[0].data.decode()
    assert decoded == f"https://liaison.example.cn{track_url(issue)}"
    assert f'href="{decoded}"' in html  # the same link the receipt gives in words


def test_the_qr_code_needs_the_tracking_code_not_the_short_code(client, world):
    issue = world.submit()
    assert client.get(reverse("public:tracking-qr", args=[issue.short_code])).status_code == 404
    assert client.get(reverse("public:tracking-qr", args=["not-a-tracking-code"])).status_code == 404


# --- code-only lookup of anonymous cases ------------------------------------------------------


def found(response, issue) -> bool:
    """Whether the response is the lookup's progress page of `issue`."""
    html = response.content.decode()
    return response.status_code == 200 and f'<strong id="short-code">{issue.short_code}</strong>' in html


def test_an_anonymous_case_opens_with_its_query_code_alone(client, world):
    issue = world.submit()
    for code in (issue.short_code, issue.short_code.lower().replace("-", "")):
        assert found(lookup(client, code), issue)


def test_a_case_with_a_phone_still_needs_its_last_four_digits(client, world):
    issue = world.submit(submitter_phone="13800138000")
    without_digits = lookup(client, issue.short_code)
    unknown_code = lookup(client, "AAAA-BBBB")
    assert without_digits.status_code == unknown_code.status_code == 400
    message = zh(
        "No case matches. Check the code on your receipt; if you left a phone number, also enter its last four digits."
    )
    # The same answer as for a code that does not exist: the form never confirms a code.
    assert message in without_digits.content.decode() and message in unknown_code.content.decode()
    assert issue.tracking_code not in without_digits.content.decode()
    assert found(lookup(client, issue.short_code, "8000"), issue)


def test_the_home_page_says_the_digits_may_be_left_out_for_an_anonymous_case(client, world):
    html = client.get(reverse("public:home")).content.decode()
    assert zh("Leave empty if you sent it anonymously.") == "匿名反映的可不填。"
    assert zh("Leave empty if you sent it anonymously.") in html


def test_code_only_lookups_count_against_the_same_rate_limit(client, world, settings):
    from liaison.ratelimit import Limit

    settings.RATE_LIMITS = {"lookup_ip": Limit(3, 600)}
    issue = world.submit()
    for _ in range(2):
        lookup(client, "AAAA-BBBB")
    assert found(lookup(client, issue.short_code), issue)  # the third try is still allowed
    refused = lookup(client, issue.short_code)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


# --- anonymous with a phone typed ---------------------------------------------------------------


def test_the_form_says_next_to_the_anonymous_box_that_name_and_phone_are_not_kept(client, world):
    html = client.get(reverse("public:deputy", args=[world.deputy_a.qr_token])).content.decode()
    note = zh("If you tick this, the name and phone below are not kept, and nobody can call you back.")
    assert f'<p class="hint anon-note" id="h-anonymous">{note}</p>' in html
    assert 'id="f-anonymous" name="anonymous" value="1" aria-describedby="h-anonymous"' in html


def test_an_anonymous_case_sent_with_a_phone_typed_is_told_on_the_receipt_that_it_was_not_kept(client, world):
    url = reverse("public:deputy", args=[world.deputy_a.qr_token])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    response = client.post(url, {"content": TEXT, "token": token, "anonymous": "1", "phone": "13800138000"})
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("?contact=dropped")
    assert (issue.submitter_name, issue.submitter_phone) == ("", "")
    html = client.get(response["Location"]).content.decode()
    assert (
        zh(
            "You ticked “Stay anonymous”, so the name and phone number you typed were not kept. "
            "Nobody can call you back: keep this page to follow your case."
        )
        in html
    )
    assert zh("On the home page you can also find your case with the query code alone.") in html


def test_an_anonymous_case_without_a_phone_typed_gets_no_such_message(client, world):
    url = reverse("public:deputy", args=[world.deputy_a.qr_token])
    token = re.search(r'name="token" value="([^"]+)"', client.get(url).content.decode()).group(1)
    response = client.post(url, {"content": TEXT, "token": token, "anonymous": "1"})
    assert "?" not in response["Location"]
    assert 'id="contact-dropped"' not in client.get(response["Location"]).content.decode()


def test_the_dropped_contact_message_is_never_shown_for_a_case_that_kept_a_phone(client, world):
    issue = world.submit(submitter_phone="13800138000")
    assert 'id="contact-dropped"' not in receipt_html(client, issue, "?contact=dropped")


# --- deadlines that say what they are for -----------------------------------------------------


def deadline_line(html: str) -> str:
    return re.search(r'<p id="deadline">([^<]+)</p>', html).group(1)


def test_each_deadline_says_what_it_is_for(client, world):
    from django.utils import formats, timezone

    def when(issue):
        issue.refresh_from_db()
        return formats.date_format(timezone.localtime(issue.deadline), "DATETIME_FORMAT")

    issue = world.submit()
    expected = zh("The deputy will accept your case by %(deadline)s.", deadline=when(issue))
    assert "代表将在" in expected and "前受理" in expected
    assert deadline_line(receipt_html(client, issue)) == expected
    assert deadline_line(client.get(track_url(issue)).content.decode()) == expected

    issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    expected = zh("The liaison station will look into your case by %(deadline)s.", deadline=when(issue))
    assert deadline_line(client.get(track_url(issue)).content.decode()) == expected

    issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    expected = zh("You will get an answer by %(deadline)s.", deadline=when(issue))
    assert deadline_line(client.get(track_url(issue)).content.decode()) == expected

    issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="已修好。")
    expected = zh("Please rate the answer by %(deadline)s.", deadline=when(issue))
    assert deadline_line(client.get(track_url(issue)).content.decode()) == expected


def test_a_case_sent_to_a_station_alone_is_accepted_by_the_station(client, world):
    issue = world.submit(station=world.xiushan_station)
    assert issue.deputy_id is None
    assert "联络站将在" in deadline_line(receipt_html(client, issue))


def test_the_photo_hint_speaks_of_phone_photos_not_file_formats(client, world):
    html = client.get(reverse("public:deputy", args=[world.deputy_a.qr_token])).content.decode()
    hint = re.search(r'<p class="hint" id="h-photos">([^<]+)</p>', html).group(1)
    assert hint == zh("Photos taken with your phone are fine (at most 5 MB each).")
    assert "手机拍的照片就可以" in hint and "JPEG" not in hint
