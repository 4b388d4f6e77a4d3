"""长辈版 (elderly mode): the switch on every villager page, the cookie that remembers it, its own
stylesheet allowed by the Content-Security-Policy, the form's essential fields, and the pages'
weight in both modes."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from issues.models import Issue
from villagers.elder import COOKIE, ELDER
from villagers.tests.conftest import zh
from villagers.tests.test_csp import policy, villager_pages

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


def deputy_url(world) -> str:
    return reverse("public:deputy", args=[world.deputy_a.qr_token])


def elder_stylesheet() -> str:
    from django.template.loader import render_to_string

    return render_to_string("public/_elder.css")


def test_the_switch_remembers_the_elderly_mode_and_comes_back_to_the_page(client, world):
    page = deputy_url(world)
    html = client.get(page).content.decode()
    switch = re.search(r'id="mode-switch" href="([^"]+)">([^<]+)<', html)
    assert switch.group(2) == zh("Large-text version for elders") == "长辈版（大字）"
    assert elder_stylesheet() not in html

    response = client.get(switch.group(1).replace("&amp;", "&"))
    assert response.status_code == 302 and response["Location"] == page
    cookie = response.cookies[COOKIE]
    assert cookie.value == ELDER and cookie["max-age"] > 365 * 24 * 3600 and cookie["samesite"] == "Lax"

    html = client.get(page).content.decode()
    assert elder_stylesheet() in html
    back = re.search(r'id="mode-switch" href="([^"]+)">([^<]+)<', html)
    assert back.group(2) == "标准版"
    response = client.get(back.group(1).replace("&amp;", "&"))
    assert response["Location"] == page and response.cookies[COOKIE].value == ""
    assert elder_stylesheet() not in client.get(page).content.decode()


ELSEWHERE = ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "", "/" + "a" * 400]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_the_switch_never_sends_the_villager_to_another_site(client, target):
    response = client.get(reverse("public:mode", args=["elder"]), {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_unknown_mode_is_a_chinese_404_and_sets_nothing(client):
    response = client.get("/mode/huge/?next=/")
    assert response.status_code == 404 and zh("Page not found") in response.content.decode()
    assert COOKIE not in response.cookies


def test_every_villager_page_has_the_switch_and_in_elderly_mode_its_allowed_stylesheet(client, world):
    client.cookies[COOKIE] = ELDER
    pages = villager_pages(client, world)
    assert len(pages) >= 10
    for name, response in pages.items():
        html = response.content.decode()
        assert 'id="mode-switch"' in html and "标准版" in html, name
        assert elder_stylesheet() in html, name
        assert "Cookie" in response["Vary"], name
        styles = re.findall(r"<style>(.*?)</style>", html, re.S)
        assert len(styles) == 2, name
        for style in styles:
            source = "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
            assert source in policy(response)["style-src"], f"{name}: its inline style is not allowed by its hash"


def test_the_elderly_form_asks_only_for_the_text_the_photos_the_voice_note_and_the_phone(client, world):
    client.cookies[COOKIE] = ELDER
    html = client.get(deputy_url(world)).content.decode()
    form = html[html.index('<form class="card"') :]
    fields = set(re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', form))
    essential = {"content", "photos", "voice", "phone", "consent"}
    assert fields == {"csrfmiddlewaretoken", "token", "website", *essential}
    assert zh("Your phone number (optional)") in form


def test_a_case_sent_from_the_elderly_form_keeps_the_phone(client, world):
    client.cookies[COOKIE] = ELDER
    page = client.get(deputy_url(world)).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    missing_consent = client.post(deputy_url(world), {"content": TEXT, "token": token, "phone": "13800138000"})
    assert missing_consent.status_code == 400 and not Issue.objects.exists()
    assert "长辈版" not in missing_consent.content.decode()  # drawn again in the same mode: the switch says 标准版
    assert "标准版" in missing_consent.content.decode()
    response = client.post(deputy_url(world), {"content": TEXT, "token": token, "phone": "13800138000", "consent": "1"})
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.content, issue.submitter_phone, issue.submitter_name) == (TEXT, "13800138000", "")


def test_the_cached_form_page_is_kept_apart_for_each_mode(client, world):
    from django.test import Client

    standard = client.get(deputy_url(world)).content.decode()  # fills the cache for the standard mode
    elder = Client()
    elder.cookies[COOKIE] = ELDER
    html = elder.get(deputy_url(world)).content.decode()
    assert elder_stylesheet() in html and elder_stylesheet() not in standard
    assert elder_stylesheet() not in client.get(deputy_url(world)).content.decode()


@pytest.mark.parametrize("mode", ["standard", "elder"])
def test_the_deputy_page_weighs_at_most_15_kb_in_both_modes(client, world, mode):
    import datetime

    from django.utils import timezone

    from stations.models import DutySlot

    DutySlot.objects.create(
        deputy=world.deputy_a, station=world.railway_point, date=timezone.localdate() + datetime.timedelta(days=2)
    )
    if mode == "elder":
        client.cookies[COOKIE] = ELDER
    response = client.get(deputy_url(world))
    assert response.status_code == 200
    assert len(response.content) <= 15 * 1024, len(response.content)
    assert (elder_stylesheet() in response.content.decode()) == (mode == "elder")
