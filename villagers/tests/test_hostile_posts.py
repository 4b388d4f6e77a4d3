"""The QR code's form under attack: junk posts cannot lock a code for its villagers, a few bytes
declaring a huge picture are refused before a pixel is decoded, an oversized body is refused
before it is read, and a phone's multi-picture JPEG (MPO) is taken as the photo it is."""

import io
import re

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from PIL import Image, ImageFile

from issues.models import Attachment, Issue
from issues.photos import MAX_FORM_BYTES, clean_photo
from liaison.errors import InvalidInput
from liaison.ratelimit import Limit
from villagers.limits import FormBodyLimitMiddleware
from villagers.tests.conftest import photo, zh

pytestmark = pytest.mark.django_db

TEXT = "村口路灯坏了三天，晚上看不见路。"


@pytest.fixture
def url(world):
    return reverse("public:deputy", args=[world.deputy_a.qr_token])


def send(client, url, address: str, **fields):
    html = client.get(url, REMOTE_ADDR=address).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    return client.post(url, {"content": TEXT, "token": token, **fields}, REMOTE_ADDR=address)


def png_declaring(width: int, height: int) -> bytes:
    """A black-and-white PNG of that size: a few kilobytes, however large it declares itself."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, format="PNG", optimize=True)
    return out.getvalue()


def jpeg(width: int, height: int, colour=(90, 120, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


# --- junk posts do not lock a code (finding 5) -------------------------------------------------


def test_300_junk_posts_from_5_addresses_leave_the_form_open_to_a_villager_from_a_6th(client, world, url):
    for n in range(300):
        junk = client.post(url, {"content": "x"}, REMOTE_ADDR=f"198.51.100.{n % 5 + 1}")
        assert junk.status_code == 400
    response = send(client, url, "203.0.113.6")
    assert response.status_code == 302
    assert Issue.objects.count() == 1


def test_an_address_past_its_share_of_a_code_spends_none_of_the_codes_budget(client, world, url, settings):
    settings.RATE_LIMITS = {"submit_code_ip": Limit(2, 3600), "submit_code": Limit(5, 3600)}
    statuses = [send(client, url, "198.51.100.1", content=f"{TEXT}{n}").status_code for n in range(10)]
    assert statuses == [302, 302] + [429] * 8
    others = [send(client, url, f"203.0.113.{n // 2 + 1}", content=f"{TEXT}另{n}").status_code for n in range(4)]
    assert others == [302, 302, 302, 429]  # the code's 5: 2 from the first address, 3 from others
    assert Issue.objects.count() == 5


def test_a_refused_share_keeps_the_villagers_text_on_a_chinese_page(client, world, url, settings):
    settings.RATE_LIMITS = {"submit_code_ip": Limit(1, 3600)}
    assert send(client, url, "198.51.100.1").status_code == 302
    response = send(client, url, "198.51.100.1", content=f"{TEXT}再一次")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert f">{TEXT}再一次</textarea>" in response.content.decode()


# --- pictures that declare more than a phone takes (finding 6) -----------------------------------


class Upload(io.BytesIO):
    def __init__(self, content: bytes, name: str = "photo"):
        super().__init__(content)
        self.size, self.name = len(content), name


def test_a_4_kb_png_declaring_6300_by_6300_pixels_is_refused_before_it_is_decoded(client, world, url, monkeypatch):
    content = png_declaring(6300, 6300)
    assert len(content) < 8 * 1024

    def decode(image):
        raise AssertionError("a picture past the limits must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    response = send(client, url, "198.51.100.1", photos=[photo("big.png", content, "image/png")])
    html = response.content.decode()
    assert response.status_code == 400
    message = zh(
        "This picture is too big to process (%(width)d × %(height)d pixels). Please send a photo taken with "
        "the phone camera's usual setting, or a screenshot of it.",
        width=6300,
        height=6300,
    )
    assert "图片太大" in message and message in html
    assert f">{TEXT}</textarea>" in html
    assert not Issue.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("label", "content"),
    [
        ("png over 16 megapixels", lambda: png_declaring(4001, 4000)),
        ("jpeg side over 12000", lambda: jpeg(12001, 16)),
    ],
)
def test_pictures_past_the_declared_limits_are_refused(label, content):
    with pytest.raises(InvalidInput) as refused:
        clean_photo(Upload(content()))
    assert refused.value.field == "photos" and "×" in str(refused.value.message)


def test_a_49_megapixel_jpeg_and_a_16_megapixel_png_are_still_taken_and_scaled_down():
    for content in (jpeg(7000, 7000), png_declaring(4000, 4000)):
        cleaned = clean_photo(Upload(content))
        assert max(cleaned.width, cleaned.height) == 2560
        with Image.open(io.BytesIO(cleaned.content)) as stored:
            assert stored.format == "JPEG" and stored.size == (cleaned.width, cleaned.height)


def test_a_phone_photo_turned_by_its_exif_is_stored_upright():
    image = Image.new("RGB", (300, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: turn 90° clockwise to show
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    cleaned = clean_photo(Upload(out.getvalue()))
    assert (cleaned.width, cleaned.height) == (200, 300)
    with Image.open(io.BytesIO(cleaned.content)) as stored:
        assert not stored.getexif()


# --- a body longer than a form can be (finding 6) ----------------------------------------------


def test_a_post_declaring_200_mb_is_refused_with_a_chinese_413_before_its_body_is_read(world, url):
    request = RequestFactory().post(url, {"content": TEXT}, CONTENT_LENGTH=str(200 * 1024 * 1024))

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body must not be read")

        readline = read

    request._stream = Unreadable()
    response = FormBodyLimitMiddleware(lambda request: HttpResponse("view reached"))(request)
    html = response.content.decode()
    assert response.status_code == 413
    assert zh("The photos are too large to send") in html
    assert "照片不能超过 5 MB" in html and f'href="{url}"' in html


def test_the_413_comes_through_the_whole_stack_and_writes_nothing(client, world, url):
    response = client.post(url, {"content": TEXT}, CONTENT_LENGTH=str(MAX_FORM_BYTES + 1), REMOTE_ADDR="198.51.100.9")
    assert response.status_code == 413 and response["Content-Language"] == "zh-hans"
    assert "Content-Security-Policy" in response
    assert not Issue.objects.exists()


def test_a_form_at_the_limit_and_other_addresses_are_left_to_their_views(world, url):
    middleware = FormBodyLimitMiddleware(lambda request: HttpResponse("view reached"))
    factory = RequestFactory()
    at_the_limit = factory.post(url, {"content": TEXT}, CONTENT_LENGTH=str(MAX_FORM_BYTES))
    elsewhere = factory.post("/admin/deputies/deputy/add/", {}, CONTENT_LENGTH=str(MAX_FORM_BYTES + 1))
    for request in (at_the_limit, elsewhere):
        assert middleware(request).content == b"view reached"


# --- multi-picture JPEGs from phones (finding 12) ----------------------------------------------


def mpo_bytes() -> bytes:
    first = Image.new("RGB", (320, 240), (200, 40, 40))
    second = Image.new("RGB", (320, 240), (40, 40, 200))
    out = io.BytesIO()
    first.save(out, format="MPO", save_all=True, append_images=[second])
    return out.getvalue()


def test_a_multi_picture_jpeg_is_taken_and_its_first_picture_stored_as_jpeg(client, world, url):
    content = mpo_bytes()
    with Image.open(io.BytesIO(content)) as image:
        assert image.format == "MPO" and image.n_frames == 2
    response = send(client, url, "198.51.100.1", photos=[photo("IMG_0001.JPG", content)])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    with attachment.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1
        red, _green, blue = image.convert("RGB").getpixel((10, 10))
        assert red > 150 and blue < 100  # the first picture, not the second
