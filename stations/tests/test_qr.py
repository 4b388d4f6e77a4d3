"""Every QR image, from the library, the staff's download and the `qrcodes` command, decodes
with a real decoder (zbar) to exactly the absolute public URL."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from PIL import Image
from pyzbar.pyzbar import decode

from deputies.models import Deputy
from liaison.qr import deputy_public_url, qr_png, qr_svg, station_public_url

pytestmark = pytest.mark.django_db

BASE = "https://liaison.zhoushan.example"


@pytest.fixture(autouse=True)
def _public_base(settings):
    settings.PUBLIC_BASE_URL = BASE
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the world's five accounts


def decoded(png: bytes) -> list[str]:
    with Image.open(io.BytesIO(png)) as image:
        return [symbol.data.decode() for symbol in decode(image)]


def test_public_urls_are_absolute_and_carry_the_token(world):
    assert deputy_public_url(world.deputy_a) == f"{BASE}/d/{world.deputy_a.qr_token}/"
    assert station_public_url(world.railway_point) == f"{BASE}/s/{world.railway_point.qr_token}/"


def test_deputy_and_station_pngs_decode_to_exactly_their_urls(world):
    for url in (deputy_public_url(world.deputy_a), station_public_url(world.xiushan_station)):
        assert decoded(qr_png(url)) == [url]


def test_a_qr_code_survives_a_weathered_print(world):
    """Error correction H: a quarter of the code's middle blotted out still decodes."""
    url = deputy_public_url(world.deputy_a)
    with Image.open(io.BytesIO(qr_png(url))) as image:
        image = image.convert("L")
        w, h = image.size
        image.paste(255, (int(w * 0.40), int(h * 0.40), int(w * 0.62), int(h * 0.62)))
        assert [s.data.decode() for s in decode(image)] == [url]


def _svg_to_png(svg: bytes) -> bytes:
    """Draw the SVG's unit squares (qrcode's path of `M x,y H.. V.. H.. z` boxes) with Pillow."""
    import re

    root = ET.fromstring(svg)  # noqa: S314 (our own SVG)
    size = int(float(root.get("viewBox").split()[2]))
    image = Image.new("L", (size * 8, size * 8), 255)
    path = next(el for el in root.iter() if el.tag.endswith("path")).get("d")
    pixels = image.load()
    for x, y in re.findall(r"M([\d.]+),([\d.]+)H", path):
        x0, y0 = int(float(x)) * 8, int(float(y)) * 8
        for dx in range(8):
            for dy in range(8):
                pixels[x0 + dx, y0 + dy] = 0
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_svg_draws_the_same_code(world):
    url = station_public_url(world.railway_point)
    assert decoded(_svg_to_png(qr_svg(url))) == [url]


def test_qrcodes_command_writes_one_decodable_png_per_active_deputy_and_station(world, tmp_path, monkeypatch):
    from stations.management.commands import qrcodes

    retired = Deputy.objects.create(name="退任代表", level=Deputy.Level.TOWNSHIP, is_active=False)
    monkeypatch.setattr(qrcodes, "PROGRESS_EVERY", 2)
    out = io.StringIO()
    call_command("qrcodes", "--out", str(tmp_path / "codes"), stdout=out)
    files = sorted(p.name for p in (tmp_path / "codes").glob("*.png"))
    expected = {
        f"deputy-{world.deputy_a.pk}.png": deputy_public_url(world.deputy_a),
        f"deputy-{world.deputy_b.pk}.png": deputy_public_url(world.deputy_b),
        f"station-{world.railway_point.pk}.png": station_public_url(world.railway_point),
        f"station-{world.xiushan_station.pk}.png": station_public_url(world.xiushan_station),
    }
    assert files == sorted(expected)
    assert f"deputy-{retired.pk}.png" not in files
    for name, url in expected.items():
        assert decoded((tmp_path / "codes" / name).read_bytes()) == [url]
    assert "2/4 images written" in out.getvalue() and "4/4 images written" in out.getvalue()


def test_qrcodes_command_writes_svg_on_request(world, tmp_path):
    call_command("qrcodes", "--out", str(tmp_path), "--format", "svg", stdout=io.StringIO())
    svg = (tmp_path / f"station-{world.railway_point.pk}.svg").read_bytes()
    assert decoded(_svg_to_png(svg)) == [station_public_url(world.railway_point)]
