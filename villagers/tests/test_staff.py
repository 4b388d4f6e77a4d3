import io

import pytest
from django.urls import reverse
from PIL import Image
from pyzbar.pyzbar import decode

from liaison.qr import deputy_public_url, station_public_url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _base(settings):
    settings.PUBLIC_BASE_URL = "https://liaison.zhoushan.example"


def test_qr_downloads_decode_to_the_public_urls(client, world):
    client.force_login(world.station_staff)
    response = client.get(reverse("public:deputy-qr", args=[world.deputy_a.pk, "png"]))
    assert response["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(response.content)) as image:
        assert [s.data.decode() for s in decode(image)] == [deputy_public_url(world.deputy_a)]
    response = client.get(reverse("public:station-qr", args=[world.railway_point.pk, "png"]))
    with Image.open(io.BytesIO(response.content)) as image:
        assert [s.data.decode() for s in decode(image)] == [station_public_url(world.railway_point)]
    svg = client.get(reverse("public:station-qr", args=[world.railway_point.pk, "svg"]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_qr_and_posters_need_a_login_and_stay_inside_the_scope(client, world):
    urls = [
        reverse("public:deputy-qr", args=[world.deputy_a.pk, "png"]),
        reverse("public:station-qr", args=[world.railway_point.pk, "svg"]),
        reverse("public:deputy-poster", args=[world.deputy_a.pk]),
        reverse("public:station-poster", args=[world.railway_point.pk]),
        reverse("public:station-cards", args=[world.railway_point.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(world.deputy_b_user)  # another township's deputy
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(world.station_staff)
    for url in urls:
        assert client.get(url).status_code == 200


def test_deputy_poster_has_name_level_station_instruction_and_an_inline_qr(client, world):
    client.force_login(world.deputy_a_user)
    html = client.get(reverse("public:deputy-poster", args=[world.deputy_a.pk])).content.decode()
    assert "陈海涛" in html and "甬舟铁路项目人大代表联络点" in html
    assert "<svg" in html and 'href="/static/public/poster.css"' in html  # the A4 page size is there
    a5 = client.get(reverse("public:deputy-poster", args=[world.deputy_a.pk]) + "?size=a5").content.decode()
    assert 'href="/static/public/poster-a5.css"' in a5 and "poster-a5.css" not in html
    assert deputy_public_url(world.deputy_a) in html
    assert "http" not in html.replace(deputy_public_url(world.deputy_a), "").replace("http://www.w3.org/2000/svg", "")


def test_station_cards_page_has_a_card_per_serving_deputy(client, world):
    client.force_login(world.admin)
    html = client.get(reverse("public:station-cards", args=[world.railway_point.pk])).content.decode()
    assert html.count('<div class="card">') == 1 and "陈海涛" in html and "林秀英" not in html
