"""QR codes (代表码 / 联络站码): the absolute public URL of a deputy's or a station's page, drawn
with error correction H so that a weathered or partly torn poster on a door still scans."""

import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.urls import reverse

_ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_H


def _absolute(path: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def deputy_public_url(deputy) -> str:
    return _absolute(reverse("public:deputy", args=[deputy.qr_token]))


def station_public_url(station) -> str:
    return _absolute(reverse("public:station", args=[station.qr_token]))


def _code(url: str, *, box_size: int, image_factory=None) -> "qrcode.QRCode":
    code = qrcode.QRCode(error_correction=_ERROR_CORRECTION, box_size=box_size, border=4, image_factory=image_factory)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str) -> bytes:
    """A black-on-white PNG, about 10 px per module: sharp when printed at 5 cm or more."""
    image = _code(url, box_size=10).make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(url: str) -> bytes:
    """A single-path SVG with a white background (sizes itself to its container when inlined)."""
    image = _code(url, box_size=10, image_factory=qrcode.image.svg.SvgPathFillImage).make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
