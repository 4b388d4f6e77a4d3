"""The duration of a WebM/Matroska audio file, read from its EBML structure (no decoding).

A browser's MediaRecorder writes a live stream: the Segment and its Clusters have an unknown
size and the header has no Duration. So the walk descends into every container element whatever
its size says, and the duration is the latest block's time (cluster time + the block's offset),
or the header's Duration when that is longer. A file must have an audio track, no video track
and at least one block."""

import struct

EBML = 0x1A45DFA3
DOC_TYPE = 0x4282
SEGMENT = 0x18538067
INFO = 0x1549A966
TIMECODE_SCALE = 0x2AD7B1
DURATION = 0x4489
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
CLUSTER = 0x1F43B675
CLUSTER_TIMECODE = 0xE7
BLOCK_GROUP = 0xA0
BLOCK = 0xA1
SIMPLE_BLOCK = 0xA3
# Containers the walk steps into (their children follow them in the file).
_CONTAINERS = frozenset({SEGMENT, INFO, TRACKS, TRACK_ENTRY, CLUSTER, BLOCK_GROUP})
_AUDIO, _VIDEO = 2, 1


class NotWebm(ValueError):
    """The bytes are not a WebM/Matroska audio file."""


def _vint(data: bytes, pos: int, *, marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at `pos`: (value, next position, whether all its bits are
    set — an unknown size). `marker` keeps the length marker bit (element IDs do)."""
    if pos >= len(data) or data[pos] == 0:
        raise NotWebm("bad variable-length integer")
    first = data[pos]
    length = 9 - first.bit_length()
    end = pos + length
    if end > len(data):
        raise NotWebm("truncated")
    value = first if marker else first & ((1 << (8 - length)) - 1)
    for byte in data[pos + 1 : end]:
        value = (value << 8) | byte
    return value, end, (not marker and value == (1 << (7 * length)) - 1)


def _uint(payload: bytes) -> int:
    return int.from_bytes(payload, "big") if payload else 0


def webm_audio_seconds(data: bytes) -> float:
    """The duration in seconds; NotWebm when the file is not WebM audio."""
    element, pos, _ = _vint(data, 0, marker=True)
    if element != EBML:
        raise NotWebm("no EBML header")
    size, pos, unknown = _vint(data, pos, marker=False)
    if unknown or pos + size > len(data):
        raise NotWebm("bad EBML header")
    doc_type = _child_payload(data[pos : pos + size], DOC_TYPE)
    if doc_type.rstrip(b"\0") not in (b"webm", b"matroska"):
        raise NotWebm("not WebM")
    pos += size
    scale = 1_000_000  # nanoseconds per timecode unit (the default)
    header_duration = 0.0
    cluster_time = latest = blocks = 0
    track_types: list[int] = []
    while pos < len(data):
        element, pos, _ = _vint(data, pos, marker=True)
        size, pos, unknown = _vint(data, pos, marker=False)
        if element in _CONTAINERS:
            continue  # step inside: its children come next, whatever its size says
        if unknown:
            raise NotWebm("unknown size on a plain element")
        if pos + size > len(data):
            if element in (SIMPLE_BLOCK, BLOCK) and blocks:
                break  # the last block cut short: what came before still counts
            raise NotWebm("truncated")
        payload = data[pos : pos + size]
        pos += size
        if element == TIMECODE_SCALE:
            scale = _uint(payload) or scale
        elif element == DURATION and size in (4, 8):
            header_duration = struct.unpack(">f" if size == 4 else ">d", payload)[0]
        elif element == TRACK_TYPE:
            track_types.append(_uint(payload))
        elif element == CLUSTER_TIMECODE:
            cluster_time = _uint(payload)
        elif element in (SIMPLE_BLOCK, BLOCK):
            _track, at, _ = _vint(payload, 0, marker=False)
            if at + 2 > len(payload):
                raise NotWebm("short block")
            offset = struct.unpack(">h", payload[at : at + 2])[0]
            latest = max(latest, cluster_time + offset)
            blocks += 1
    if _AUDIO not in track_types or _VIDEO in track_types:
        raise NotWebm("no audio track, or a video")
    if not blocks:
        return 0.0
    return max(latest * scale / 1e9, header_duration * scale / 1e9)


def _child_payload(data: bytes, wanted: int) -> bytes:
    pos = 0
    while pos < len(data):
        element, pos, _ = _vint(data, pos, marker=True)
        size, pos, _ = _vint(data, pos, marker=False)
        if element == wanted:
            return data[pos : pos + size]
        pos += size
    return b""
