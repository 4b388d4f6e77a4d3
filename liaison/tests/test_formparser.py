"""Small multipart posts are read by the fast parser exactly as Django's own parser reads them;
everything else is left to Django's parser."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from liaison.formparser import SMALL_BODY_MAX, SmallMultipartMiddleware, parse_fields

FIELD = 'Content-Disposition: form-data; name="{name}"'
CONTENT = FIELD.format(name="content")
EMPTY_FILE = 'Content-Disposition: form-data; name="{name}"; filename=""\r\nContent-Type: application/octet-stream'


def body(*parts: tuple[str, str], boundary: str = BOUNDARY, end: str = "--\r\n") -> bytes:
    """A multipart body as a browser writes it: each part is (headers, content)."""
    out = "".join(f"--{boundary}\r\n{headers}\r\n\r\n{content}\r\n" for headers, content in parts)
    return (out + f"--{boundary}{end}").encode()


def villager_form(content: str = "村口路灯坏了三天，晚上看不见路。") -> bytes:
    return body(
        (FIELD.format(name="csrfmiddlewaretoken"), "a" * 64),
        (FIELD.format(name="token"), "eyJuIjoiYWJjIn0:1sX:sig"),
        (FIELD.format(name="content"), content),
        (FIELD.format(name="category"), ""),
        (EMPTY_FILE.format(name="photos"), ""),
        (FIELD.format(name="name"), ""),
        (FIELD.format(name="phone"), ""),
        (FIELD.format(name="website"), ""),
    )


def django_reads(data: bytes, boundary: str = BOUNDARY):
    """What Django's own parser makes of a body: {name: [values]} and the files."""
    meta = {"CONTENT_TYPE": f"multipart/form-data; boundary={boundary}", "CONTENT_LENGTH": str(len(data))}
    post, files = MultiPartParser(meta, io.BytesIO(data), [], "utf-8").parse()
    return {key: post.getlist(key) for key in post}, files


def fast_reads(data: bytes, boundary: str = BOUNDARY):
    """What the fast parser makes of it, in the same shape (None: left to Django)."""
    fields = parse_fields(data, boundary, "utf-8")
    if fields is None:
        return None
    grouped: dict[str, list[str]] = {}
    for name, value in fields:
        grouped.setdefault(name, []).append(value)
    return grouped


def parsed_request(data: bytes, boundary: str = BOUNDARY):
    request = RequestFactory().generic("POST", "/d/x/", data, content_type=f"multipart/form-data; boundary={boundary}")
    SmallMultipartMiddleware(lambda r: None)(request)
    return request


def test_the_villagers_form_without_photos_reads_as_django_reads_it():
    data = villager_form()
    fields, files = django_reads(data)
    assert fast_reads(data) == fields
    assert not files
    request = parsed_request(data)
    assert "_post" in vars(request)  # read by the middleware, not later by Django
    assert request.POST["content"] == "村口路灯坏了三天，晚上看不见路。"
    assert request.POST["photos"] == "" and not request.FILES  # an empty file input, as Django reads it
    assert not request.POST._mutable


def test_random_plain_forms_read_as_django_reads_them():
    rng = random.Random(20261127)
    alphabet = "ab村路\r\n-—\"'%<>;= \t" + BOUNDARY[:6]
    for _ in range(300):
        parts = []
        for _ in range(rng.randint(1, 8)):
            name = rng.choice(["content", "name", "phone", "a_b", "x-y", "photos[]", "v.1"])
            if rng.random() < 0.2:
                parts.append((EMPTY_FILE.format(name=name), ""))
            else:
                value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
                parts.append((FIELD.format(name=name), value))
        data = body(*parts)
        assert fast_reads(data) == django_reads(data)[0], data


def test_django_test_client_bodies_are_read_by_the_fast_parser():
    data = encode_multipart(BOUNDARY, {"content": "渡口候船亭漏雨", "name": ["甲", "乙"]})
    assert fast_reads(data) == django_reads(data)[0]
    request = RequestFactory().post("/d/x/", {"content": "渡口候船亭漏雨"}, content_type=MULTIPART_CONTENT)
    SmallMultipartMiddleware(lambda r: None)(request)
    assert "_post" in vars(request)


def test_an_epilogue_and_an_empty_file_input_with_content_read_as_django_reads_them():
    for data in (villager_form() + b"an epilogue", body((EMPTY_FILE.format(name="photos"), "not empty"))):
        assert fast_reads(data) == django_reads(data)[0]


def test_bytes_that_are_not_utf8_are_replaced_as_django_replaces_them():
    data = body((FIELD.format(name="content"), "x")).replace(b"\r\nx\r\n", b"\r\n\xff\xfe ok\r\n")
    assert fast_reads(data) == django_reads(data)[0] == {"content": ["\ufffd\ufffd ok"]}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(villager_form()[:-30], id="truncated"),
        pytest.param(body((CONTENT + "\r\nContent-Transfer-Encoding: base64", "5p2R")), id="base64"),
        pytest.param(body((CONTENT + "\r\nContent-Type: text/plain; charset=gbk", "x")), id="charset"),
        pytest.param(body(('Content-Disposition: form-data; name="a b"', "x")), id="unusual name"),
        pytest.param(body(("Content-Disposition: form-data; name*=UTF-8''%E6%9D%91", "x")), id="RFC 2231 name"),
        pytest.param(body((FIELD.format(name="p") + "; filename=\"\"; filename*=UTF-8''a.jpg", "")), id="filename*"),
        pytest.param(body(('Content-Disposition: form-data; name="p"; filename="a.jpg"', "JPEG")), id="a real file"),
        pytest.param(b"not multipart at all", id="garbage"),
    ],
)
def test_anything_unusual_is_left_to_djangos_parser(data):
    assert parse_fields(data, BOUNDARY, "utf-8") is None
    assert "_post" not in vars(parsed_request(data))


def test_a_real_photo_arrives_through_djangos_upload_handlers():
    photo = SimpleUploadedFile("村口.jpg", b"\xff\xd8\xff\xe0 not really a jpeg", content_type="image/jpeg")
    request = RequestFactory().post("/d/x/", {"content": "路灯坏了", "photos": photo})
    SmallMultipartMiddleware(lambda r: None)(request)
    assert "_post" not in vars(request)
    assert request.POST["content"] == "路灯坏了"
    assert request.FILES["photos"].name == "村口.jpg"
    assert request.FILES["photos"].read() == b"\xff\xd8\xff\xe0 not really a jpeg"


def test_a_large_body_is_left_to_djangos_parser():
    data = body((FIELD.format(name="content"), "x" * SMALL_BODY_MAX))
    request = parsed_request(data)
    assert "_post" not in vars(request)
    assert len(request.POST["content"]) == SMALL_BODY_MAX


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=150)
def test_a_body_django_would_not_hold_in_memory_is_left_to_it():
    data = body((CONTENT, "路灯坏了"), (EMPTY_FILE.format(name="photos"), ""), (FIELD.format(name="name"), ""))
    assert len(data) > 150
    request = parsed_request(data)
    assert "_post" not in vars(request)
    assert request.POST["content"] == "路灯坏了"  # Django counts only the fields' bytes against the limit


@override_settings(DATA_UPLOAD_MAX_NUMBER_FIELDS=5)
def test_more_fields_than_allowed_are_left_to_django_which_refuses_them():
    data = villager_form()
    assert parse_fields(data, BOUNDARY, "utf-8") is None
    request = parsed_request(data)
    with pytest.raises(Exception, match="DATA_UPLOAD_MAX_NUMBER_FIELDS"):
        request.POST  # noqa: B018


def test_a_truncated_post_writes_nothing(client, world):
    from issues.models import Issue

    data = villager_form()[:-30]
    response = client.generic(
        "POST", f"/d/{world.deputy_a.qr_token}/", data, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )
    assert response.status_code == 400
    assert not Issue.objects.exists()
