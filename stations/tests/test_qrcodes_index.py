"""`manage.py qrcodes` says whose each image is: index.csv (for the print shop's spreadsheet) and
index.html (the images with their names, to print) name the deputy or station, their station(s)
and township, the kind of code and the URL encoded, which is the URL the image decodes to."""

import csv
import datetime
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image
from pyzbar.pyzbar import decode

from deputies.models import Deputy, Stationing
from liaison.qr import deputy_public_url, station_public_url
from stations.models import Station
from testsupport.browser import screenshot

pytestmark = pytest.mark.django_db

BASE = "https://liaison.zhoushan.example"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = BASE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the world's five accounts


def write_codes(folder: Path, *args: str) -> Path:
    call_command("qrcodes", "--out", str(folder), *args, stdout=io.StringIO())
    return folder


def index_rows(folder: Path) -> dict[str, dict]:
    with open(folder / "index.csv", encoding="utf-8-sig", newline="") as file:
        return {row["file"]: row for row in csv.DictReader(file)}


class Cards(HTMLParser):
    """The images of index.html and the text of the page."""

    def __init__(self):
        super().__init__()
        self.images: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def cards(folder: Path) -> Cards:
    parser = Cards()
    parser.feed((folder / "index.html").read_text(encoding="utf-8"))
    return parser


def test_the_index_names_the_deputy_or_station_of_every_image_and_the_url_it_decodes_to(world, tmp_path):
    folder = write_codes(tmp_path)
    rows = index_rows(folder)
    expected = {
        f"deputy-{world.deputy_a.pk}.png": ("deputy", "陈海涛", "甬舟铁路项目人大代表联络点", "白泉镇"),
        f"deputy-{world.deputy_b.pk}.png": ("deputy", "林秀英", "秀山乡人大代表联络站", "秀山乡"),
        # The railway point lies in a village (潮面村): the index gives its township.
        f"station-{world.railway_point.pk}.png": ("station", *(["甬舟铁路项目人大代表联络点"] * 2), "白泉镇"),
        f"station-{world.xiushan_station.pk}.png": ("station", *(["秀山乡人大代表联络站"] * 2), "秀山乡"),
    }
    assert sorted(rows) == sorted(expected)
    assert list(next(iter(rows.values()))) == ["file", "kind", "name", "station", "township", "url"]
    for name, (kind, who, station, township) in expected.items():
        row = rows[name]
        assert (row["kind"], row["name"], row["station"], row["township"]) == (kind, who, station, township)
        with Image.open(folder / name) as image:
            assert [symbol.data.decode() for symbol in decode(image)] == [row["url"]]
    assert rows[f"deputy-{world.deputy_a.pk}.png"]["url"] == deputy_public_url(world.deputy_a)
    assert rows[f"station-{world.xiushan_station.pk}.png"]["url"] == station_public_url(world.xiushan_station)


def test_a_deputy_at_two_stations_lists_both_and_one_no_longer_stationed_lists_none(world, tmp_path):
    Stationing.objects.create(
        deputy=world.deputy_a, station=world.xiushan_station, start_date=datetime.date(2021, 1, 1)
    )
    Stationing.objects.filter(deputy=world.deputy_b).update(end_date=datetime.date(2022, 1, 1))
    rows = index_rows(write_codes(tmp_path))

    deputy_a = rows[f"deputy-{world.deputy_a.pk}.png"]
    assert deputy_a["station"].split("、") == sorted(["甬舟铁路项目人大代表联络点", "秀山乡人大代表联络站"])
    assert set(deputy_a["township"].split("、")) == {"白泉镇", "秀山乡"}
    deputy_b = rows[f"deputy-{world.deputy_b.pk}.png"]
    assert (deputy_b["station"], deputy_b["township"]) == ("", "")
    assert "目前未进驻联络站" in cards(tmp_path).text


def test_retired_deputies_and_closed_stations_are_neither_drawn_nor_listed(world, tmp_path):
    retired = Deputy.objects.create(name="退任代表", level=Deputy.Level.TOWNSHIP, is_active=False)
    closed = Station.objects.create(name="已撤销的联络点", region=world.baiquan, is_active=False)
    folder = write_codes(tmp_path)
    rows = index_rows(folder)
    assert f"deputy-{retired.pk}.png" not in rows and f"station-{closed.pk}.png" not in rows
    assert not (folder / f"deputy-{retired.pk}.png").exists()
    assert {image["src"] for image in cards(folder).images} == set(rows)


def test_the_html_index_shows_each_image_with_its_name_and_kind_for_printing(world, tmp_path):
    folder = write_codes(tmp_path)
    page = cards(folder)
    rows = index_rows(folder)
    assert [image["src"] for image in page.images] == list(rows)  # one card per image, in the same order
    for image in page.images:
        assert (folder / image["src"]).is_file()
        assert image["alt"] == rows[image["src"]]["name"]
    assert "代表码与联络站码" in page.text
    assert page.text.count("代表码") == 2 and page.text.count("联络站码") == 2
    for row in rows.values():
        assert row["name"] in page.text and row["url"] in page.text and row["file"] in page.text


def test_a_name_that_reads_like_a_formula_or_markup_stays_plain_text_in_both_indexes(world, tmp_path):
    station = Station.objects.create(name='=HYPERLINK("http://evil.example")<b>', region=world.baiquan)
    folder = write_codes(tmp_path)
    row = index_rows(folder)[f"station-{station.pk}.png"]
    assert row["name"] == "'" + station.name  # a spreadsheet shows it, never runs it
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


def test_svg_codes_are_indexed_under_their_svg_names(world, tmp_path):
    rows = index_rows(write_codes(tmp_path, "--format", "svg"))
    assert sorted(rows) == sorted(
        [
            f"deputy-{world.deputy_a.pk}.svg",
            f"deputy-{world.deputy_b.pk}.svg",
            f"station-{world.railway_point.pk}.svg",
            f"station-{world.xiushan_station.pk}.svg",
        ]
    )


@pytest.mark.browser
def test_the_printed_index_shows_every_code_with_its_caption(world, tmp_path, browser):
    folder = write_codes(tmp_path)
    page = browser.new_page(viewport={"width": 900, "height": 700})
    page.goto((folder / "index.html").as_uri())
    sizes = page.eval_on_selector_all("img", "images => images.map(i => [i.naturalWidth, i.complete])")
    assert sizes and all(width > 0 and complete for width, complete in sizes), "every image loads"
    screenshot(page, "qrcodes-index")
    page.emulate_media(media="print")
    screenshot(page, "qrcodes-index-print")
    page.close()
