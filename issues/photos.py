"""Villagers' photos: decoded and re-encoded with Pillow, so that what we store is a plain JPEG
without EXIF (GPS included), and what is not a real image — or is a decompression bomb — is
refused before anything is written."""

import datetime
import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import ExifTags, Image, UnidentifiedImageError

from issues.voice import VOICE_MAX_BYTES
from liaison.errors import InvalidInput

MAX_PHOTOS = 3
MAX_BYTES = 5 * 1024 * 1024
# The most a villager's form may post: three photos, a voice note and a generous margin for the
# text fields and the multipart framing. A longer body is refused before it is read
# (villagers.limits).
MAX_FORM_BYTES = MAX_PHOTOS * MAX_BYTES + VOICE_MAX_BYTES + 1024 * 1024
MAX_SIDE = 2560  # stored photos are scaled down to this
# What a picture may declare in its header, checked before any pixel is decoded (Image.open reads
# only the header): a few bytes can declare a huge picture, and decoding and scaling it costs the
# web worker seconds. JPEG is what phone cameras write, up to 50 megapixels (8160 × 6120, the
# largest sensors' full-size mode), and libjpeg decodes it at a fraction of its size (draft), so
# it costs little more than a 12-megapixel photo. PNG and WebP cannot be decoded smaller; a
# phone's screenshot has about 5 megapixels, so 16 keep their cost near a camera photo's. No
# phone writes a side longer than 12000 pixels (a 108-megapixel mode is 12000 × 9000).
MAX_DECLARED_SIDE = 12_000
MAX_DECLARED_PIXELS = {"JPEG": 50_000_000, "MPO": 50_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
ALLOWED_FORMATS = set(MAX_DECLARED_PIXELS)
# Phones that take depth or wide-angle pictures write a JPEG with more frames (MPO, "multi-picture
# object"); the first frame is the photo, and it is all that is kept.
_JPEG_FORMATS = {"JPEG", "MPO"}
# EXIF orientation -> the turn that shows the picture upright (as ImageOps.exif_transpose does).
# Into a square box, scaling and turning give the same picture in either order: the small one is
# turned.
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# How long a photo chosen on a form that was not sent is kept (issues.models.KeptPhoto): longer
# than a form lives (villagers.forms.SUBMISSION_TOKEN_MAX_AGE), so none goes while its form
# can still be sent.
KEPT_PHOTO_MAX_AGE = datetime.timedelta(hours=7)


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
            _check_declared_size(image)
            if image.format in _JPEG_FORMATS:
                # Decode at 1/2, 1/4 or 1/8 of the size when that still covers MAX_SIDE: the
                # stored photo is no larger, and the work shrinks with the square of the scale.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            image.load()
    except InvalidInput:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidInput(_("The photo is too large to process."), field="photos") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidInput(_("This file is not a photo we can read."), field="photos") from None

    # Read before any conversion, which would drop it; applied once the picture is small.
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    if image.mode in ("RGBA", "LA", "P", "PA"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode == "1":
        image = image.convert("L")
    elif image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    # reducing_gap=1: a fast box reduction to about the size, then bicubic for the rest.
    image.thumbnail((MAX_SIDE, MAX_SIDE), reducing_gap=1.0)
    if orientation in _TURNS:  # keep the visible orientation; the EXIF itself is not carried over
        image = image.transpose(_TURNS[orientation])
    if image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, optimize=True)  # no exif= argument: nothing carried over
    return CleanPhoto(content=out.getvalue(), width=image.width, height=image.height)


def _check_declared_size(image) -> None:
    width, height = image.size
    if width > MAX_DECLARED_SIDE or height > MAX_DECLARED_SIDE or width * height > MAX_DECLARED_PIXELS[image.format]:
        raise InvalidInput(
            _(
                "This picture is too big to process (%(width)d × %(height)d pixels). Please send a photo "
                "taken with the phone camera's usual setting, or a screenshot of it."
            )
            % {"width": width, "height": height},
            field="photos",
        )


def clean_photos(files) -> list[CleanPhoto]:
    """Check and re-encode uploaded files; a CleanPhoto (checked already) passes as it is."""
    files = [f for f in (files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise InvalidInput(_("At most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos")
    return [f if isinstance(f, CleanPhoto) else clean_photo(f) for f in files]


@dataclass(frozen=True)
class ChosenPhoto:
    """A photo a villager chose, checked, with what they will recognise it by."""

    photo: CleanPhoto
    name: str
    size: int


def check_chosen(files, *, already: int = 0) -> tuple[list[ChosenPhoto], list[str]]:
    """Check every uploaded file at once, next to `already` photos kept from earlier: the good
    ones, and one message per problem (naming the file), so that a villager learns of every bad
    photo in one round. Too many photos together refuses all the new ones."""
    files = [f for f in (files or []) if f]
    if already + len(files) > MAX_PHOTOS:
        if already:
            message = _("At most %(n)d photos: %(kept)d are kept already, so choose at most %(left)d more.") % {
                "n": MAX_PHOTOS,
                "kept": already,
                "left": max(0, MAX_PHOTOS - already),
            }
        else:
            message = _("At most %(n)d photos.") % {"n": MAX_PHOTOS}
        return [], [message]
    good, errors = [], []
    for uploaded in files:
        name = _display_name(getattr(uploaded, "name", ""))
        try:
            good.append(ChosenPhoto(photo=clean_photo(uploaded), name=name, size=getattr(uploaded, "size", 0) or 0))
        except InvalidInput as error:
            errors.append(_("%(name)s: %(error)s") % {"name": name or _("a photo"), "error": error.message})
    return good, errors


def _display_name(name: str) -> str:
    """A file name short enough to show and store; browsers send only the base name."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if len(name) <= 60 else f"{name[:28]}…{name[-28:]}"
