"""What villagers type: the length of a case, their mobile number, and how it is masked."""

import pytest

from issues.validators import CONTENT_MAX, CONTENT_MIN, clean_content, clean_name, mask_phone, normalize_mobile
from liaison.errors import InvalidInput


@pytest.mark.parametrize(
    "text",
    ["路灯坏了。", "路" * CONTENT_MIN, "路" * CONTENT_MAX, "  村口路灯坏了  "],
    ids=["short-sentence", "minimum", "maximum", "padded"],
)
def test_content_within_bounds_is_kept_without_surrounding_spaces(text):
    assert clean_content(text) == text.strip()


@pytest.mark.parametrize(
    "text",
    ["", None, "    ", "路" * (CONTENT_MIN - 1), f"  {'路' * (CONTENT_MIN - 1)}  ", "路" * (CONTENT_MAX + 1)],
    ids=["empty", "none", "blank", "one-short", "one-short-padded", "one-too-long"],
)
def test_content_outside_bounds_is_refused(text):
    with pytest.raises(InvalidInput) as refused:
        clean_content(text)
    assert refused.value.field == "content"


def test_name_longer_than_fifty_characters_is_refused():
    assert clean_name(" 张" + "三" * 49 + " ") == "张" + "三" * 49
    with pytest.raises(InvalidInput) as refused:
        clean_name("张" * 51)
    assert refused.value.field == "name"


@pytest.mark.parametrize(
    "typed",
    [
        "13800138000",
        "+8613800138000",
        "+86 138 0013 8000",
        "+86-138-0013-8000",
        "0086 138 0013 8000",
        "138-0013-8000",
        " 138 0013 8000 ",
        "(138)0013-8000",
        "（138）00138000",
        "138\t0013\t8000",
    ],
)
def test_mobile_number_is_normalised_to_eleven_digits(typed):
    assert normalize_mobile(typed) == "13800138000"


@pytest.mark.parametrize("typed", ["", None, "   ", " - "])
def test_no_mobile_number_is_an_empty_string(typed):
    assert normalize_mobile(typed) == ""


@pytest.mark.parametrize(
    "typed",
    [
        "12800138000",  # no mobile network starts with 12
        "1380013800",  # ten digits
        "138001380000",  # twelve digits
        "0580-2020202",  # a landline
        "+1 415 555 0100",  # not a mainland number
        "1380013800O",  # a letter O for a zero
        "+86+8613800138000",
        "86 13800138000",  # the country code without + or 00
    ],
)
def test_anything_but_a_mainland_mobile_number_is_refused(typed):
    with pytest.raises(InvalidInput) as refused:
        normalize_mobile(typed)
    assert refused.value.field == "phone"


@pytest.mark.parametrize("typed", ["13８００１３８０００", "13٨٠٠١٣٨٠٠٠"], ids=["full-width", "arabic-indic"])
def test_mobile_number_is_stored_in_ascii_digits_whatever_digits_were_typed(typed):
    try:
        normalized = normalize_mobile(typed)
    except InvalidInput:
        return
    assert normalized == "13800138000"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13800138000", "138****8000"), ("", ""), ("123456", "******"), ("12345678901234", "123*******1234")],
)
def test_masked_phone_keeps_only_the_first_three_and_last_four_digits(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("phone", ["2020202", "20202020"])
def test_masked_phone_never_shows_a_whole_number(phone):
    masked = mask_phone(phone)
    assert len(masked) == len(phone)
    assert masked.count("*") >= 4
