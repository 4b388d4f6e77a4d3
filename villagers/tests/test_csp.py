"""Content-Security-Policy on every page: what the header says, and that the villager's pages need
nothing it forbids (no inline script; their one inline <style> is allowed by its hash)."""

import base64
import hashlib
import re

import pytest
from django.urls import reverse

from deputies.services import deputy_rotate_token
from liaison.csp import inline_style_sources
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def villager_pages(client, world) -> dict:
    deputy_url = reverse("public:deputy", args=[world.deputy_a.qr_token])
    station_url = reverse("public:station", args=[world.railway_point.qr_token])
    token = re.search(r'name="token" value="([^"]+)"', client.get(deputy_url).content.decode()).group(1)
    sent = client.post(deputy_url, {"content": TEXT, "token": token})
    issue = world.submit()
    old_url = deputy_url
    pages = {
        "home": client.get("/"),
        "deputy form": client.get(deputy_url),
        "deputy form (cached)": client.get(deputy_url),
        "station form": client.get(station_url),
        "form with errors": client.post(station_url, {"content": "短"}),
        "receipt": client.get(sent["Location"]),
        "tracking": client.get(reverse("public:track", args=[issue.tracking_code])),
        "lookup result": client.post("/", {"code": issue.short_code}),
        "not found": client.get("/t/no-such-code/"),
    }
    deputy_rotate_token(deputy=world.deputy_a, by_user=world.admin)
    pages["moved"] = client.get(old_url)
    return pages


def test_every_villager_page_has_a_strict_policy_and_needs_nothing_it_forbids(client, world):
    for name, response in villager_pages(client, world).items():
        assert response.status_code < 500, name
        rules = policy(response)
        assert rules["script-src"] == ["'self'"], name
        assert rules["object-src"] == ["'none'"] and rules["frame-ancestors"] == ["'none'"], name
        assert rules["base-uri"] == ["'self'"] and rules["form-action"] == ["'self'"], name
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], name
        html = response.content.decode()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), f"{name}: an inline script"
        assert not re.search(r"\son[a-z]+=", html), f"{name}: an event-handler attribute"
        assert not re.search(r"\sstyle=", html), f"{name}: a style attribute"
        for style in re.findall(r"<style>(.*?)</style>", html, re.S):
            source = "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
            assert source in rules["style-src"], f"{name}: its inline style is not allowed by its hash"


def test_the_form_script_is_a_static_file_and_the_sending_text_a_data_attribute(client, world):
    html = client.get(reverse("public:deputy", args=[world.deputy_a.qr_token])).content.decode()
    assert '<script src="/static/public/submit.js" defer></script>' in html
    assert f'data-sending="{zh("Sending, please wait…")}"' in html


def test_the_style_hash_is_computed_once_per_process_in_production(settings):
    import liaison.csp

    settings.DEBUG = False
    liaison.csp._inline_style_sources_once.cache_clear()
    first, second = inline_style_sources(), inline_style_sources()
    info = liaison.csp._inline_style_sources_once.cache_info()
    assert first == second and len(first) == len(liaison.csp.INLINE_STYLE_TEMPLATES) + 1
    assert (info.misses, info.hits) == (1, 1)


def test_the_api_docs_alone_relax_the_policy(client, world):
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "'unsafe-inline'" in policy(docs)["script-src"]
    assert policy(docs)["style-src"] == ["'self'", "'unsafe-inline'"]  # no hash, which would void it
    assert policy(docs)["frame-ancestors"] == ["'none'"]
    client.force_login(world.station_staff)
    for path in ("/admin/", "/admin/issues/issue/", "/dashboard/"):
        response = client.get(path)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path


def test_the_failsafe_pages_style_is_allowed_by_its_hash(client):
    from liaison.failsafe import PAGE_STYLE

    source = "'sha256-" + base64.b64encode(hashlib.sha256(PAGE_STYLE.encode()).digest()).decode() + "'"
    assert source in inline_style_sources()
