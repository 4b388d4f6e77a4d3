"""/favicon.ico is a real icon, and the admin, the dashboard and the villager's pages link it."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401


def test_favicon_answers_with_an_icon_that_browsers_can_read(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/")
    assert "max-age" in response["Cache-Control"]
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(icon.info["sizes"])


def test_favicon_answers_head_and_refuses_post(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_the_admin_login_page_links_the_icon(client):
    page = client.get(reverse("admin:login")).content.decode()
    assert 'rel="icon" href="/static/favicon.ico"' in page


@pytest.mark.django_db
def test_the_dashboard_links_the_icon(world):
    page = client_for(world, "township_staff").get(reverse("dashboard:index")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page
    assert 'href="data:,"' not in page


@pytest.mark.django_db
def test_the_villagers_home_page_links_the_icon(client):
    page = client.get(reverse("public:home")).content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page
