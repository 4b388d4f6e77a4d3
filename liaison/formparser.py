"""Small multipart form posts, parsed fast.

The villager's form is multipart/form-data (it may carry photos), and most of the time it carries
none: a few short fields and one empty file part. Django's streaming multipart parser spends about
200 µs on such a body, more than the rest of the request's Python; the `multipart` package's push
parser reads it in about 20 µs.

`SmallMultipartMiddleware` parses only what it can parse exactly as Django would: a body of at
most SMALL_BODY_MAX bytes whose parts are plain fields as browsers send them (a simple name, no
header but Content-Disposition) and file inputs left empty (filename=""). A body with a file, an
unusual header, a transfer encoding, more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, or anything
the strict parser refuses is left to Django's parser, which then gives its own answer (a 400 for
a malformed body). Values are decoded as Django decodes them (the request's encoding,
undecodable bytes replaced).

Like CsrfViewMiddleware, it reads the POST data before any view runs: a view that wants its own
`request.upload_handlers` must be one that no small plain form reaches (none in this project)."""

import re

import multipart
from django.conf import settings
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

SMALL_BODY_MAX = 64 * 1024


class SmallMultipartMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type == "multipart/form-data":
            parsed = parse_small_form(request)
            if parsed is not None:
                request._post, request._files = parsed  # as HttpRequest._load_post_and_files sets them
        return self.get_response(request)


def parse_small_form(request) -> tuple[QueryDict, MultiValueDict] | None:
    """(POST, FILES) for a small body of plain fields; None to leave the request to Django."""
    boundary = request.content_params.get("boundary", "")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    # Never read a body that Django would refuse to hold in memory, or that was already read.
    limit = min(SMALL_BODY_MAX, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or SMALL_BODY_MAX)
    if not boundary or not 0 < length <= limit or (request._read_started and not hasattr(request, "_body")):
        return None
    fields = parse_fields(request.body, boundary, request.encoding or settings.DEFAULT_CHARSET)
    if fields is None:
        return None
    post = QueryDict(mutable=True)
    for name, value in fields:
        post.appendlist(name, value)
    post._mutable = False  # as Django's parser leaves it
    return post, MultiValueDict()


def parse_fields(body: bytes, boundary: str, encoding: str) -> list[tuple[str, str]] | None:
    """The (name, value) pairs of a multipart body of plain fields, in order; None when the body
    holds anything else or is not well-formed."""
    fields: list[tuple[str, str]] = []
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    name, chunks = None, []
    try:
        # Leaving the block checks that the body ended where it should (no truncated part).
        with multipart.PushMultipartParser(boundary, content_length=len(body), strict=True) as parser:
            for event in parser.parse(body):
                if isinstance(event, multipart.MultipartSegment):
                    name, chunks = _field_name(event), []
                    if name is None:
                        return None
                elif event is not None:  # a piece of the part's content
                    chunks.append(event)
                else:  # the end of the part
                    fields.append((name, b"".join(chunks).decode(encoding, errors="replace")))
                    if limit is not None and len(fields) > limit:
                        return None
    except (multipart.MultipartError, LookupError):
        return None
    return fields


# A field as browsers send it. A file input left empty comes with filename="" (and a content
# type), and Django reads it as a field too: request.POST["photos"] == "".
_DISPOSITION = re.compile(r'form-data; name="([A-Za-z0-9_.\-\[\]]{1,100})"(; filename="")?')


def _field_name(segment) -> str | None:
    """The name of a plain field; None for any other part."""
    headers = segment.headerlist
    if not 0 < len(headers) <= 2 or headers[0][0] != "Content-Disposition":
        return None
    match = _DISPOSITION.fullmatch(headers[0][1])
    if match is None or (len(headers) == 2 and not (match.group(2) and headers[1][0] == "Content-Type")):
        return None
    return match.group(1)
