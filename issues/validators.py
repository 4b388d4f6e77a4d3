"""Parsing and masking of what villagers type, shared by forms, the API and the services."""

import re
import unicodedata

from django.utils.translation import gettext as _

from liaison.errors import InvalidInput

CONTENT_MIN = 5
CONTENT_MAX = 2000
NAME_MAX = 50
REASON_MAX = 1000
REPLY_MAX = 5000

_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")


def clean_content(raw: str, *, with_voice: bool = False) -> str:
    """The case's text. With a voice note the minimum does not apply: the recording says it."""
    text = (raw or "").strip()
    if len(text) < CONTENT_MIN and not with_voice:
        raise InvalidInput(
            _("Please describe the problem in at least %(n)d characters.") % {"n": CONTENT_MIN}, field="content"
        )
    if len(text) > CONTENT_MAX:
        raise InvalidInput(
            _("Please keep the description under %(n)d characters.") % {"n": CONTENT_MAX}, field="content"
        )
    return text


def clean_name(raw: str) -> str:
    name = (raw or "").strip()
    if len(name) > NAME_MAX:
        raise InvalidInput(_("The name is too long (at most %(n)d characters).") % {"n": NAME_MAX}, field="name")
    return name


def normalize_mobile(raw: str) -> str:
    """A mainland Chinese mobile number as 11 digits, or "" when none was given."""
    # NFKC folds full-width digits from a Chinese IME (１３８…) into ASCII ones.
    phone = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", raw or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    if not phone:
        return ""
    if not _MOBILE.match(phone):
        raise InvalidInput(_("Please enter an 11-digit mobile number starting with 1."), field="phone")
    return phone


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise one's own number, not enough to call it."""
    if not phone:
        return ""
    if len(phone) < 11:  # not a mobile number: show nothing of it
        return "*" * len(phone)
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_name(name: str) -> str:
    """张**: the family name and how long the name is, not who it is. A one-character name would
    be shown whole by that rule, so it is hidden entirely."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    return name[0] + "*" * (len(name) - 1)


def clean_text(raw: str, *, field: str, required_message: str, maximum: int) -> str:
    text = (raw or "").strip()
    if not text:
        raise InvalidInput(required_message, field=field)
    if len(text) > maximum:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).") % {"n": maximum}, field=field)
    return text
