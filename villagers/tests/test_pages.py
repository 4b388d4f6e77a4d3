import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from deputies.models import Stationing
from deputies.services import deputy_rotate_token
from issues.models import Channel, Issue
from stations.models import DutySlot
from stations.services import station_rotate_token
from villagers.tests.conftest import zh

pytestmark = pytest.mark.django_db


def deputy_url(deputy):
    return reverse("public:deputy", args=[deputy.qr_token])


def test_deputy_page_shows_who_the_deputy_is_and_the_form_in_chinese(client, world):
    DutySlot.objects.create(
        deputy=world.deputy_a, station=world.railway_point, date=timezone.localdate() + datetime.timedelta(days=3)
    )
    response = client.get(deputy_url(world.deputy_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in html
    assert "陈海涛" in html and "甬舟铁路项目人大代表联络点" in html
    assert "县（区）人大代表" in html
    assert zh("Next reception day: %(date)s, %(station)s", date="", station="").split("：")[0] in html
    assert "遇到了什么问题？（必填）" in html
    assert "基础设施" in html  # the category list


def test_deputy_page_has_a_label_for_every_field(client, world):
    html = client.get(deputy_url(world.deputy_a)).content.decode()
    form = html[html.index('<form class="card"') :]
    ids = set(re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', form))
    labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', form))
    assert ids and ids <= labelled


def test_deputy_page_weighs_under_30_kb_and_requests_nothing_from_elsewhere(client, world):
    response = client.get(deputy_url(world.deputy_a))
    html = response.content.decode()
    assert len(response.content) <= 30 * 1024
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html)
    assert "@import" not in html and "url(" not in html


def test_station_page_names_the_duty_deputy_and_sends_the_case_to_both(client, world):
    DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=timezone.localdate())
    url = reverse("public:station", args=[world.railway_point.qr_token])
    page = client.get(url)
    assert zh("Deputy on duty today: %(name)s", name="陈海涛") in page.content.decode()
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(url, {"content": "码头的护栏松动了，很危险。", "token": token})
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert (issue.station, issue.deputy, issue.channel) == (world.railway_point, world.deputy_a, Channel.STATION_QR)


def test_unknown_token_is_a_chinese_404(client, world):
    response = client.get("/d/not-a-real-token/")
    assert response.status_code == 404
    assert zh("Page not found") in response.content.decode()


def test_rotated_deputy_token_sends_the_villager_to_the_station(client, world):
    old_url = deputy_url(world.deputy_a)
    deputy = deputy_rotate_token(deputy=world.deputy_a, by_user=world.station_staff)
    assert deputy.qr_token != world.deputy_a.qr_token
    response = client.get(old_url)
    html = response.content.decode()
    assert response.status_code == 200
    assert zh("This QR code is no longer in use") in html
    assert reverse("public:station", args=[world.railway_point.qr_token]) in html
    assert client.get(deputy_url(deputy)).status_code == 200


def test_deputy_who_no_longer_serves_gets_the_same_friendly_page(client, world):
    Stationing.objects.filter(deputy=world.deputy_b).update(end_date=timezone.localdate() - datetime.timedelta(days=1))
    html = client.get(deputy_url(world.deputy_b)).content.decode()
    assert zh("This QR code is no longer in use") in html
    assert reverse("public:station", args=[world.xiushan_station.qr_token]) in html


def test_rotated_station_token_points_at_the_new_station_page(client, world):
    old_url = reverse("public:station", args=[world.railway_point.qr_token])
    station = station_rotate_token(station=world.railway_point, by_user=world.admin)
    html = client.get(old_url).content.decode()
    assert zh("This QR code is no longer in use") in html
    assert reverse("public:station", args=[station.qr_token]) in html


def test_home_page_has_the_lookup_form(client, world):
    html = client.get(reverse("public:home")).content.decode()
    assert 'name="code"' in html and 'name="phone_last4"' in html
    assert zh("Check the progress of a case you sent") in html


def test_every_text_of_the_public_templates_has_a_chinese_translation():
    from pathlib import Path

    texts = set()
    for template in (Path(__file__).resolve().parents[1] / "templates" / "public").glob("*.html"):
        texts |= set(re.findall(r'{% translate "([^"]+)" %}', template.read_text()))
    assert texts
    assert [t for t in sorted(texts) if zh(t) == t] == []


def test_station_page_lists_the_next_reception_days(world, client):
    import datetime

    from django.utils import timezone

    from stations.models import DutySlot

    day = timezone.localdate() + datetime.timedelta(days=3)
    DutySlot.objects.create(deputy=world.deputy_b, station=world.xiushan_station, date=day)
    page = client.get(f"/s/{world.xiushan_station.qr_token}/").content.decode()
    assert f"{day.month}月{day.day}日" in page
    assert world.deputy_b.name in page
