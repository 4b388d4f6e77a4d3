"""Looking a case up without its tracking link: guesses stop per code as well as per address,
unknown codes are throttled exactly like known ones, staff hear of guessing, and the lookup's
result is a read-only page that never hands out the tracking code or the rating."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from issues.models import Evaluation, Notification
from issues.notifications import recipients_for
from issues.services import issue_accept, issue_reply, issue_review
from liaison.ratelimit import Limit
from villagers.lookup import GUESSING_ALERT_KIND
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db

PHONE = "13800138000"
PAUSED = (
    "This code was tried too many times with wrong digits, so looking it up here is paused for %(minutes)d "
    "minutes. You can follow your case at any time with the link or QR code on your receipt."
)


def lookup(client, code: str, digits: str = "", address: str = "198.51.100.1"):
    return client.post(reverse("public:home"), {"code": code, "phone_last4": digits}, REMOTE_ADDR=address)


def found(response, issue) -> bool:
    html = response.content.decode()
    return response.status_code == 200 and f'<strong id="short-code">{issue.short_code}</strong>' in html


def wrong_digits(n: int) -> str:
    return f"{n:04d}" if f"{n:04d}" != PHONE[-4:] else "9999"


@pytest.fixture
def case(world):
    return world.submit(submitter_phone=PHONE)


# --- guesses per code, from any address (finding 9) --------------------------------------------


def test_100_wrong_guesses_from_10_addresses_lock_the_code_for_the_right_one_from_an_11th(client, world, case):
    for n in range(100):
        response = lookup(client, case.short_code, wrong_digits(n), address=f"198.51.100.{n // 10 + 1}")
        assert response.status_code in (400, 429)
        assert case.tracking_code not in response.content.decode()
    right = lookup(client, case.short_code, PHONE[-4:], address="203.0.113.11")
    html = right.content.decode()
    assert right.status_code == 429 and int(right["Retry-After"]) > 0
    assert zh(PAUSED, minutes=(int(right["Retry-After"]) + 59) // 60) in html
    assert case.tracking_code not in html and not found(right, case)


def test_the_code_locks_after_10_failures_and_opens_again_when_the_hour_is_over(client, world, case, monkeypatch):
    statuses = [lookup(client, case.short_code, wrong_digits(n), f"198.51.100.{n}").status_code for n in range(11)]
    assert statuses == [400] * 10 + [429]
    assert lookup(client, case.short_code, PHONE[-4:], address="203.0.113.1").status_code == 429

    later = time.time() + 3600

    class AnHourLater:
        @staticmethod
        def time():
            return later

    monkeypatch.setattr("liaison.ratelimit.time", AnHourLater)
    assert found(lookup(client, case.short_code, PHONE[-4:], address="203.0.113.1"), case)


def test_a_lock_counts_the_code_however_it_is_typed(client, world, case, settings):
    settings.RATE_LIMITS = {"lookup_code_fail": Limit(3, 3600)}
    spellings = [case.short_code, case.short_code.lower(), case.short_code.replace("-", " ")]
    for n, code in enumerate(spellings):
        assert lookup(client, code, wrong_digits(n), f"198.51.100.{n}").status_code == 400
    assert lookup(client, case.short_code.replace("-", ""), PHONE[-4:], "203.0.113.1").status_code == 429


def test_unknown_codes_lock_the_same_way_so_a_lock_tells_nothing(client, world, case, settings):
    settings.RATE_LIMITS = {"lookup_code_fail": Limit(3, 3600)}
    answers = {}
    for code in (case.short_code, "AAAA-BBBB"):
        answers[code] = [lookup(client, code, "0000", f"198.51.100.{n}") for n in range(4)]
    known, unknown = answers[case.short_code], answers["AAAA-BBBB"]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [400, 400, 400, 429]
    assert page_text(known[-1]) == page_text(unknown[-1]).replace("AAAA-BBBB", case.short_code)


def page_text(response) -> str:
    """The page without its CSRF token, which differs on every page."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_staff_answering_for_the_case_hear_of_the_guessing_once_an_hour(client, world, case, settings):
    settings.RATE_LIMITS = {"lookup_code_fail": Limit(3, 3600)}
    for n in range(12):
        lookup(client, case.short_code, wrong_digits(n), f"198.51.100.{n}")
    alerts = Notification.objects.filter(issue=case)
    recipients = recipients_for(case)
    assert {world.station_staff, world.deputy_a_user} <= set(recipients)
    assert sorted(a.user_id for a in alerts) == sorted(u.pk for u in recipients)
    assert {a.kind for a in alerts} == {GUESSING_ALERT_KIND}
    assert all(case.short_code in a.message and "猜" in a.message for a in alerts)

    from villagers import lookup as module

    module._warn_of_guessing(case.short_code)  # the same hour: nobody is told twice
    assert Notification.objects.filter(issue=case).count() == len(recipients)


def test_failures_of_an_unknown_code_alert_nobody(client, world, settings):
    settings.RATE_LIMITS = {"lookup_code_fail": Limit(2, 3600)}
    for n in range(3):
        lookup(client, "AAAA-BBBB", "0000", f"198.51.100.{n}")
    assert not Notification.objects.exists()


# --- unknown tracking codes are throttled like known ones (finding 14) ----------------------------


def test_unknown_tracking_codes_spend_the_same_budget_as_known_ones(client, world, case, settings):
    settings.RATE_LIMITS = {"page_ip": Limit(5, 60)}
    unknown = [client.get(reverse("public:track", args=[f"no-such-code-{n}"])).status_code for n in range(6)]
    assert unknown == [404] * 5 + [429]
    assert client.get(reverse("public:track", args=[case.tracking_code])).status_code == 429  # the same budget

    other = Client(REMOTE_ADDR="203.0.113.7")
    known = [other.get(reverse("public:track", args=[case.tracking_code])).status_code for _ in range(6)]
    assert known == [200] * 5 + [429]


def test_a_throttled_lookup_never_reaches_the_database_known_code_or_not(
    client, world, case, settings, django_assert_num_queries
):
    settings.RATE_LIMITS = {"page_ip": Limit(1, 60), "evaluate_ip": Limit(1, 60)}
    client.get("/t/spent-the-budget/")
    client.post("/t/spent-the-budget/", {"rating": "satisfied"})
    paths = [reverse("public:track", args=[code]) for code in (case.tracking_code, "no-such-code")]
    for path in paths:
        with django_assert_num_queries(0):
            assert client.get(path).status_code == 429
        with django_assert_num_queries(0):
            assert client.post(path, {"rating": "satisfied"}).status_code == 429
        with django_assert_num_queries(0):
            assert client.get(f"{path}photos/1/").status_code == 429


def test_unknown_codes_on_the_photo_address_are_throttled_too(client, world, settings):
    settings.RATE_LIMITS = {"page_ip": Limit(3, 60)}
    statuses = [client.get(f"/t/no-such-code-{n}/photos/{n}/").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- the lookup's result is read-only (finding 3) ------------------------------------------------


def replied(world, issue):
    issue_accept(actor=world.actor("deputy_a_user"), issue_id=issue.pk)
    issue_review(actor=world.actor("station_staff"), issue_id=issue.pk)
    issue_reply(actor=world.actor("station_staff"), issue_id=issue.pk, text="路灯已经修好了。")


def test_a_lookup_with_code_and_digits_shows_the_progress_without_the_tracking_code(client, world, case):
    replied(world, case)
    response = lookup(client, case.short_code, PHONE[-4:])
    html = response.content.decode()
    assert found(response, case)
    assert case.tracking_code not in html
    assert "路灯已经修好了。" in html and 'id="timeline"' in html
    assert "评价请用回执上的链接或二维码（或短信中的链接）" in html
    assert 'id="rate"' not in html and 'name="rating"' not in html and "/t/" not in html
    assert response["Cache-Control"] == "no-store"


def test_no_rating_form_or_endpoint_takes_the_short_code(client, world, case):
    replied(world, case)
    rating = {"rating": "satisfied", "comment": ""}
    assert client.post(reverse("public:track", args=[case.short_code]), rating).status_code == 404
    assert client.get(reverse("public:track", args=[case.short_code])).status_code == 404
    api = client.post(f"/api/public/issues/{case.short_code}/evaluation/", rating, content_type="application/json")
    assert api.status_code == 404
    client.post(reverse("public:home"), {"code": case.short_code, "phone_last4": PHONE[-4:], **rating})
    assert not Evaluation.objects.exists()
    # The tracking link still rates.
    response = client.post(reverse("public:track", args=[case.tracking_code]), rating)
    assert response.status_code == 302 and Evaluation.objects.count() == 1
