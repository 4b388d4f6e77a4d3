"""Villagers' photos: decoded and re-encoded with Pillow, so that what we store is a plain JPEG
without EXIF (GPS included), and what is not a real image — or is a decompression bomb — is
refused before anything is written."""

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from issues.errors import InvalidInput

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel phone photo; bombs declare far more
MAX_SIDE = 2560  # stored photos are scaled down to this
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    width: int
    height: int


def clean_photo(uploaded) -> CleanPhoto:
    """Check and re-encode one uploaded file (anything with .size and .read())."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > MAX_BYTES:
        raise InvalidInput(_("Each photo must be at most 5 MB."), field="photos")
    raw = uploaded.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise InvalidInput(_("Each photo must be at most 5 MB."), field="photos")
    if not raw:
        raise InvalidInput(_("The photo is empty."), field="photos")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ALLOWED_FORMATS:
                raise InvalidInput(_("Photos must be JPEG, PNG or WebP."), field="photos")
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput(_("The photo is too large to process."), field="photos")
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(_("The photo is too large to process."), field="photos") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidInput(_("This file is not a photo we can read."), field="photos") from None

    image = ImageOps.exif_transpose(image)  # keep the visible orientation, then drop EXIF
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
    return CleanPhoto(content=out.getvalue(), width=image.width, height=image.height)


def clean_photos(files) -> list[CleanPhoto]:
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    return [clean_photo(f) for f in files]
