""" "Me too" (我也遇到) on a station's page: nothing is shown unless staff chose to; a shown open
problem carries a plain POST form (no JavaScript) with the count; one per device (a signed
cookie) and one per mobile number, backed by the database; the phone is checked and needs
consent; a hidden or answered problem is refused in Chinese; posts are rate-limited per address.
Every refusal writes nothing."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from issues.models import PublicCall, Seconding
from issues.services import issue_accept, issue_reply, issue_review
from issues.services.metoo import public_call_hide, public_call_show
from liaison.ratelimit import Limit
from villagers.metoo_views import DEVICE_COOKIE
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db

PROBLEM = "我叫王秀英，住潮面村12号，村口的路灯坏了三天，晚上看不见路。电话13805801234。"


@pytest.fixture
def call(world) -> PublicCall:
    issue = world.submit(content=PROBLEM, submitter_name="王秀英", submitter_phone="13805801234")
    return public_call_show(
        actor=world.actor("station_staff"), issue_id=issue.pk, text="村口的路灯坏了三天，晚上看不见路。"
    )


def station_url(world, station=None) -> str:
    return reverse("public:station", args=[(station or world.railway_point).qr_token])


def metoo_url(world, call, station=None) -> str:
    return reverse("public:metoo", args=[(station or world.railway_point).qr_token, call.pk])


def press(client, world, call, **data):
    return client.post(metoo_url(world, call), data)


def test_nothing_is_shown_on_the_station_page_by_default(client, world):
    world.submit(content=PROBLEM, submitter_name="王秀英")
    html = client.get(station_url(world)).content.decode()
    assert "路灯" not in html and zh("Me too") not in html and 'id="metoo"' not in html


def test_a_shown_problem_is_listed_with_its_count_and_a_plain_form_without_personal_data(client, world, call):
    Seconding.objects.create(issue=call.issue, device="x" * 64)
    html = client.get(station_url(world)).content.decode()
    assert 'id="metoo"' in html and "村口的路灯坏了三天" in html
    assert f'action="{metoo_url(world, call)}"' in html and 'method="post"' in html
    assert zh("(%(n)s person so far)") % {"n": 1} in html
    assert 'name="csrfmiddlewaretoken"' in html and "\x00" not in html  # every form's token filled in
    for personal in ("王秀英", "13805801234", "12号", call.issue.short_code, call.issue.tracking_code):
        assert personal not in html
    other = client.get(station_url(world, world.xiushan_station)).content.decode()
    assert "路灯" not in other


def test_pressing_me_too_counts_once_and_sets_a_signed_device_cookie(client, world, call):
    response = press(client, world, call)
    assert response.status_code == 200
    assert zh("Thank you: you said “me too”") in response.content.decode()
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and int(cookie["max-age"]) > 365 * 24 * 3600 and ":" in cookie.value  # signed
    assert Seconding.objects.filter(issue=call.issue).count() == 1
    cache.clear()  # the page is cached for half a minute
    assert zh("(%(n)s person so far)") % {"n": 1} in client.get(station_url(world)).content.decode()


def test_the_same_device_cannot_say_me_too_twice(client, world, call):
    assert press(client, world, call).status_code == 200
    again = press(client, world, call, phone="13900001111", consent="1")
    assert again.status_code == 409
    assert zh("You already said “me too” to this problem. Thank you.") in again.content.decode()
    assert Seconding.objects.filter(issue=call.issue).count() == 1


def test_a_forged_device_cookie_counts_as_a_new_device_not_as_another_ones(client, world, call):
    client.cookies[DEVICE_COOKIE] = "someone-elses-device"  # not signed by us
    response = press(client, world, call)
    assert response.status_code == 200 and response.cookies[DEVICE_COOKIE].value != "someone-elses-device"


def test_the_same_phone_from_another_device_is_refused(client, world, call):
    assert press(client, world, call, phone="138 0000 1111", consent="1").status_code == 200
    other_device = Client()
    refused = press(other_device, world, call, phone="+86 13800001111", consent="1")
    assert refused.status_code == 409
    assert zh("You already said “me too” to this problem. Thank you.") in refused.content.decode()
    assert list(Seconding.objects.values_list("phone", "sms_consent")) == [("13800001111", True)]


def test_a_bad_phone_number_is_refused_in_chinese_and_nothing_is_written(client, world, call):
    response = press(client, world, call, phone="12345", consent="1")
    assert response.status_code == 400
    assert zh("Please enter an 11-digit mobile number starting with 1.") in response.content.decode()
    assert not Seconding.objects.exists()


def test_a_phone_without_consent_is_refused_and_nothing_is_written(client, world, call):
    response = press(client, world, call, phone="13800001111")
    assert response.status_code == 400
    html = response.content.decode()
    assert zh("You left your phone number: please tick the box to agree that we text you about this problem.") in html
    assert reverse("public:station", args=[world.railway_point.qr_token]) in html  # the way back
    assert not Seconding.objects.exists()


def test_a_hidden_problem_is_refused_and_leaves_the_page(client, world, call):
    public_call_hide(actor=world.actor("station_staff"), issue_id=call.issue_id)
    response = press(client, world, call)
    assert response.status_code == 404
    assert zh("This problem is no longer shown on the station's page.") in response.content.decode()
    assert not Seconding.objects.exists()
    cache.clear()
    assert "路灯" not in client.get(station_url(world)).content.decode()


def test_an_answered_problem_leaves_the_page_and_cannot_be_seconded(client, world, call):
    staff = world.actor("station_staff")
    issue_accept(actor=staff, issue_id=call.issue_id)
    issue_review(actor=staff, issue_id=call.issue_id)
    issue_reply(actor=staff, issue_id=call.issue_id, text="已修好。")
    assert press(client, world, call).status_code == 404
    assert not Seconding.objects.exists()
    assert "路灯" not in client.get(station_url(world)).content.decode()


def test_a_problem_is_seconded_only_through_its_own_stations_page(client, world, call):
    response = client.post(metoo_url(world, call, world.xiushan_station))
    assert response.status_code == 404 and not Seconding.objects.exists()
    assert client.post(reverse("public:metoo", args=["no-such-code", call.pk])).status_code == 404
    assert client.post(reverse("public:metoo", args=[world.railway_point.qr_token, 99999])).status_code == 404
    assert client.get(metoo_url(world, call)).status_code == 405


def test_a_problem_never_shown_cannot_be_seconded(client, world, call):
    never = world.submit(content="另一个问题：码头的护栏松了。")
    assert not PublicCall.objects.filter(issue=never).exists()
    # No call id names it: every id that is not a live call of this station is refused alike.
    assert client.post(reverse("public:metoo", args=[world.railway_point.qr_token, call.pk + 1])).status_code == 404
    assert not Seconding.objects.exists()


def test_me_too_works_without_javascript_with_the_csrf_check(world, call):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(station_url(world))
    token = page.cookies["csrftoken"].value
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken" value="' in html
    refused = browser.post(metoo_url(world, call), {})
    assert refused.status_code == 403 and not Seconding.objects.exists()
    form_token = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[-1]
    assert browser.post(metoo_url(world, call), {"csrfmiddlewaretoken": form_token}).status_code == 200
    assert token and Seconding.objects.count() == 1


def test_me_too_posts_are_rate_limited_per_address(client, world, call, settings):
    settings.RATE_LIMITS = {"second_ip": Limit(2, 3600)}
    statuses = [press(Client(), world, call).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert Seconding.objects.count() == 2


def test_the_elderly_mode_shows_the_same_buttons(client, world, call):
    client.cookies["liaison_mode"] = "elder"
    html = client.get(station_url(world)).content.decode()
    assert f'action="{metoo_url(world, call)}"' in html and zh("Me too") in html
