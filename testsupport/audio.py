"""Sound files made in the test, for the voice-note checks (issues.voice): a WAV written with
Python's `wave` module, and a WebM laid out as a browser's MediaRecorder writes it (a live
stream: Segment and Clusters of unknown size, no Duration in the header)."""

import io
import math
import struct
import wave


def wav_bytes(seconds: float, *, rate: int = 8000, channels: int = 1, tone: bool = True) -> bytes:
    """A 16-bit PCM WAV of `seconds` (a 440 Hz tone, or silence)."""
    frames = int(seconds * rate)
    if tone:
        one = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(rate))
        samples = (one * (frames // rate + 1))[: frames * 2]
        samples = b"".join(samples[i : i + 2] * channels for i in range(0, len(samples), 2))
    else:
        samples = b"\0\0" * frames * channels
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples)
    return out.getvalue()


_UNKNOWN = b"\x01\xff\xff\xff\xff\xff\xff\xff"


def _element(element_id: bytes, payload: bytes) -> bytes:
    return element_id + b"\x01" + len(payload).to_bytes(7, "big") + payload


def _uint(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def webm_bytes(seconds: float, *, video: bool = False, frame_ms: int = 20) -> bytes:
    """A WebM with one Opus track (and a video track if asked) and blocks every `frame_ms` up
    to `seconds`, in clusters of at most 30 s (a block's offset is a signed 16-bit number)."""
    header = _element(b"\x1a\x45\xdf\xa3", _element(b"\x42\x86", b"\x01") + _element(b"\x42\x82", b"webm"))
    info = _element(b"\x15\x49\xa9\x66", _element(b"\x2a\xd7\xb1", _uint(1_000_000)))
    tracks = _element(b"\xae", _element(b"\xd7", b"\x01") + _element(b"\x83", b"\x02") + _element(b"\x86", b"A_OPUS"))
    if video:
        tracks += _element(
            b"\xae", _element(b"\xd7", b"\x02") + _element(b"\x83", b"\x01") + _element(b"\x86", b"V_VP8")
        )
    body = info + _element(b"\x16\x54\xae\x6b", tracks)
    total_ms = int(seconds * 1000)
    for cluster_start in range(0, total_ms, 30_000):
        blocks = b""
        for at in range(cluster_start, min(cluster_start + 30_000, total_ms), frame_ms):
            blocks += _element(b"\xa3", b"\x81" + struct.pack(">hB", at - cluster_start, 0x80) + b"\xfc\x00\x00")
        body += b"\x1f\x43\xb6\x75" + _UNKNOWN + _element(b"\xe7", _uint(cluster_start)) + blocks
    return header + b"\x18\x53\x80\x67" + _UNKNOWN + body
