"""Villagers' voice notes (语音留言), checked by what the file holds, never by its name or the
type the browser claims: a real audio container (WebM/Matroska, Ogg, MP4/M4A, WAV, MP3), found
by its first bytes, whose duration is read from the file itself, at most VOICE_MAX_SECONDS long.
What a phone's browser records (Chromium and Firefox: WebM or Ogg with Opus; Safari: MP4) and
what a phone's recorder app saves (M4A, WAV, MP3, AMR is not taken) all pass. The file is stored
as sent: it is not decoded, so nothing of it runs through a codec on the server.

Browsers' MediaRecorder writes WebM as a live stream, without a duration in its header: the
duration is then read from the last block's time (issues.webm)."""

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from issues.webm import NotWebm, webm_audio_seconds
from liaison.errors import InvalidInput

VOICE_MAX_SECONDS = 60
# A recorder stopped at 60 s writes a few milliseconds more.
_SECONDS_SLACK = 0.5
VOICE_MIN_SECONDS = 0.3  # shorter than this is a tap on the button, not a message
# 60 s of a phone recorder's WAV (16-bit mono at 44.1 kHz) is 5.3 MB; compressed audio far less.
VOICE_MAX_BYTES = 6 * 1024 * 1024


@dataclass(frozen=True)
class CleanVoice:
    content: bytes
    content_type: str
    extension: str
    duration: float


def clean_voice(uploaded) -> CleanVoice:
    """Check one uploaded audio file (anything with .size and .read()); InvalidInput otherwise."""
    size = getattr(uploaded, "size", None)
    too_large = _("The voice note must be at most %(mb)d MB.") % {"mb": VOICE_MAX_BYTES // (1024 * 1024)}
    if size is not None and size > VOICE_MAX_BYTES:
        raise InvalidInput(too_large, field="voice")
    raw = uploaded.read(VOICE_MAX_BYTES + 1)
    if len(raw) > VOICE_MAX_BYTES:
        raise InvalidInput(too_large, field="voice")
    if not raw:
        raise InvalidInput(_("The voice note is empty. Please record it again."), field="voice")
    kind = _container(raw)
    if kind is None:
        raise InvalidInput(_("This file is not a sound recording we can play."), field="voice")
    content_type, extension, reader = kind
    try:
        duration = reader(raw)
    except (NotWebm, ValueError, EOFError, OSError, IndexError, KeyError, TypeError):
        duration = None
    except Exception as error:  # mutagen's own errors all derive from MutagenError
        if not _is_mutagen_error(error):
            raise
        duration = None
    if duration is None:
        raise InvalidInput(_("This file is not a sound recording we can play."), field="voice")
    if duration < VOICE_MIN_SECONDS:
        raise InvalidInput(_("The voice note is empty. Please record it again."), field="voice")
    if duration > VOICE_MAX_SECONDS + _SECONDS_SLACK:
        raise InvalidInput(
            _("The voice note is %(s)d seconds long: at most %(max)d seconds, please.")
            % {"s": round(duration), "max": VOICE_MAX_SECONDS},
            field="voice",
        )
    return CleanVoice(content=raw, content_type=content_type, extension=extension, duration=round(duration, 2))


def _container(raw: bytes):
    """(content type, file extension, duration reader) of the container `raw` starts like."""
    if raw.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm", "webm", webm_audio_seconds
    if raw.startswith(b"OggS"):
        return "audio/ogg", "ogg", _ogg_seconds
    if raw[4:8] == b"ftyp":
        return "audio/mp4", "m4a", _mp4_seconds
    if raw[:4] == b"RIFF" and raw[8:12] == b"WAVE":
        return "audio/wav", "wav", _wav_seconds
    if raw.startswith(b"ID3") or (len(raw) > 1 and raw[0] == 0xFF and raw[1] & 0xE0 == 0xE0):
        return "audio/mpeg", "mp3", _mp3_seconds
    return None


def _is_mutagen_error(error: Exception) -> bool:
    from mutagen import MutagenError

    return isinstance(error, MutagenError)


def _length(info) -> float | None:
    length = getattr(info, "length", None)
    return float(length) if length is not None and length >= 0 else None


def _ogg_seconds(raw: bytes) -> float | None:
    from mutagen.oggopus import OggOpus
    from mutagen.oggvorbis import OggVorbis

    for kind in (OggOpus, OggVorbis):
        try:
            return _length(kind(io.BytesIO(raw)).info)
        except Exception as error:
            if not _is_mutagen_error(error):
                raise
    return None


def _mp4_seconds(raw: bytes) -> float | None:
    from mutagen.mp4 import MP4

    audio = MP4(io.BytesIO(raw))
    if not getattr(audio.info, "codec", "").startswith(("mp4a", "alac", "Opus", "opus")):
        return None  # a video, or a container without sound
    return _length(audio.info)


def _wav_seconds(raw: bytes) -> float | None:
    from mutagen.wave import WAVE

    info = WAVE(io.BytesIO(raw)).info
    return _length(info) if getattr(info, "sample_rate", 0) else None


def _mp3_seconds(raw: bytes) -> float | None:
    from mutagen.mp3 import MP3

    info = MP3(io.BytesIO(raw)).info
    return _length(info) if getattr(info, "bitrate", 0) else None
