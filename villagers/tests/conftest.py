"""Fixtures for the villager's pages: photos of every kind
a villager (or an attacker) might send, and media files kept out of the source tree."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image


@pytest.fixture(autouse=True)
def _villager_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RATE_LIMITS_ENABLED = True


def zh(msgid: str, **params) -> str:
    """The Chinese text villagers see for an English msgid."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    return text % params if params else text


def jpeg_bytes(size=(64, 48), *, exif_gps: bool = False) -> bytes:
    image = Image.new("RGB", size, (200, 60, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (30.0, 6.0, 0.0)}  # GPSInfo: a position on 舟山
        exif[0x010F] = "PhoneMaker"
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def photo(name="photo.jpg", content: bytes | None = None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content if content is not None else jpeg_bytes(), content_type=content_type)


def bomb_png() -> bytes:
    """A tiny PNG that declares 40,000 × 40,000 pixels: a decompression bomb."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 40_000, 40_000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
