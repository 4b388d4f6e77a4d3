"""Voice notes (语音留言): the content check of the audio, the case that is voice only, the
kept voice note of a form, and the transcript staff type in, which is what matching reads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from issues.models import Action, Channel, IssueEvent, KeptVoice, VoiceNote
from issues.permissions import VILLAGER, Actor
from issues.services import issue_submit
from issues.services.voice import kept_voice_remove, kept_voices_expire, voice_keep, voice_transcribe
from issues.voice import VOICE_MAX_BYTES, clean_voice
from issues.webm import webm_audio_seconds
from liaison.errors import ActionForbidden, InvalidInput, IssueNotFound
from testsupport.audio import wav_bytes, webm_bytes


def upload(content: bytes, name="voice.wav", content_type="audio/wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(content: bytes, **kwargs) -> str:
    with pytest.raises(InvalidInput) as raised, translation.override("zh-hans"):
        clean_voice(upload(content, **kwargs))
    assert raised.value.field == "voice"
    return str(raised.value.message)


def test_a_wav_file_passes_with_its_duration_read_from_the_file():
    voice = clean_voice(upload(wav_bytes(3.5)))
    assert (voice.content_type, voice.extension, voice.duration) == ("audio/wav", "wav", 3.5)


def test_a_browser_recording_in_webm_without_a_header_duration_is_timed_by_its_last_block():
    voice = clean_voice(upload(webm_bytes(42), name="recording.webm", content_type="audio/webm"))
    assert voice.content_type == "audio/webm"
    assert 41.9 <= voice.duration <= 42.0
    assert 59.9 <= webm_audio_seconds(webm_bytes(60)) <= 60.0


def test_a_recording_longer_than_sixty_seconds_is_refused_in_chinese():
    assert refusal(wav_bytes(61.5, tone=False)) == "语音留言有 62 秒，最长 60 秒，请录短一些。"
    assert "最长 60 秒" in refusal(webm_bytes(75), name="r.webm")


def test_an_empty_file_or_an_empty_recording_is_refused_in_chinese():
    assert refusal(b"") == "语音留言是空的，请重新录一遍。"
    assert refusal(wav_bytes(0)) == "语音留言是空的，请重新录一遍。"
    assert refusal(webm_bytes(0), name="r.webm") == "语音留言是空的，请重新录一遍。"


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff\xe0" + b"JFIF" * 100,  # a photo
        "村口路灯坏了".encode() * 50,  # text named .mp3
        b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk",  # a WAV header and nothing of sound
        b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 200,  # a tag and no frames
        b"OggS" + b"\x00" * 300,
        b"\x00\x00\x00\x18ftypisom" + b"\x00" * 200,
        webm_bytes(5, video=True),  # a video, not a voice note
    ],
    ids=["jpeg", "text", "wav-header-only", "id3-only", "ogg-junk", "mp4-junk", "webm-video"],
)
def test_anything_that_is_not_a_sound_recording_is_refused_in_chinese(content):
    assert refusal(content, name="voice.mp3", content_type="audio/mpeg") == (
        "这个文件不是能播放的录音，请重新录音，或选择手机里的录音文件。"
    )


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed():
    assert refusal(b"RIFF" + b"\0" * VOICE_MAX_BYTES) == "语音留言最大 6 MB。"


@pytest.mark.django_db
def test_a_case_may_be_voice_only_and_its_recording_is_stored_as_sent(world):
    content = wav_bytes(2)
    issue = issue_submit(
        channel=Channel.DEPUTY_QR, deputy_token=world.deputy_a.qr_token, content="", voice=clean_voice(upload(content))
    )
    note = VoiceNote.objects.get(issue=issue)
    with note.audio.open("rb") as stored:
        assert stored.read() == content
    assert note.audio.name.endswith(".wav") and note.content_type == "audio/wav" and note.duration == 2
    assert issue.content == "" and issue.text_for_matching == ""


@pytest.mark.django_db
def test_without_a_voice_note_the_text_minimum_still_applies(world):
    with pytest.raises(InvalidInput) as raised:
        issue_submit(channel=Channel.DEPUTY_QR, deputy_token=world.deputy_a.qr_token, content="灯")
    assert raised.value.field == "content"
    assert not VoiceNote.objects.exists()


@pytest.mark.django_db
def test_a_kept_voice_note_becomes_the_cases_with_the_same_file_and_one_case_per_key(world):
    key = "form:kept-voice-nonce-0001"
    kept = voice_keep(submission_key=key, voice=clean_voice(upload(wav_bytes(4))))
    params = {
        "channel": Channel.DEPUTY_QR,
        "deputy_token": world.deputy_a.qr_token,
        "content": "桥",
        "kept_voice_id": kept.pk,
        "idempotency_key": key,
    }
    issue = issue_submit(**params)
    again = issue_submit(**params)
    assert again.pk == issue.pk and again.replayed
    assert VoiceNote.objects.get().audio.name == kept.audio.name
    assert not KeptVoice.objects.exists()


@pytest.mark.django_db
def test_a_kept_voice_note_that_expired_is_asked_for_again_and_nothing_is_written(world):
    key = "form:kept-voice-nonce-0002"
    kept = voice_keep(submission_key=key, voice=clean_voice(upload(wav_bytes(1))))
    path = kept.audio.path
    from datetime import timedelta

    from issues import clock

    assert kept_voices_expire(now=clock.now() + timedelta(days=1)) == 1
    with pytest.raises(InvalidInput) as raised, translation.override("zh-hans"):
        issue_submit(
            channel=Channel.DEPUTY_QR,
            deputy_token=world.deputy_a.qr_token,
            content="",
            kept_voice_id=kept.pk,
            idempotency_key=key,
        )
    assert str(raised.value.message) == "之前的语音留言已不再保留，请重新录一遍。"
    assert not VoiceNote.objects.exists() and not IssueEvent.objects.exists()
    import os

    assert not os.path.exists(path)


@pytest.mark.django_db
def test_a_new_recording_replaces_the_kept_one_and_remove_deletes_its_file(world):
    key = "form:kept-voice-nonce-0003"
    first = voice_keep(submission_key=key, voice=clean_voice(upload(wav_bytes(1))))
    second = voice_keep(submission_key=key, voice=clean_voice(upload(wav_bytes(2))))
    assert list(KeptVoice.objects.values_list("pk", flat=True)) == [second.pk]
    assert not first.audio.storage.exists(first.audio.name)
    assert not kept_voice_remove(submission_key="form:someone-else-0000", voice_id=second.pk)
    assert kept_voice_remove(submission_key=key, voice_id=second.pk)
    assert not KeptVoice.objects.exists() and not second.audio.storage.exists(second.audio.name)


@pytest.mark.django_db
def test_staff_transcribe_a_voice_note_on_the_timeline_and_matching_reads_it(world):
    issue = issue_submit(
        channel=Channel.DEPUTY_QR,
        deputy_token=world.deputy_a.qr_token,
        content="路灯",
        voice=clean_voice(upload(wav_bytes(2))),
    )
    voice_transcribe(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="村口的路灯坏了三天")
    issue.refresh_from_db()
    assert issue.text_for_matching == "路灯\n村口的路灯坏了三天"
    event = IssueEvent.objects.get(issue=issue, action=Action.TRANSCRIBE)
    assert event.internal_note == "村口的路灯坏了三天" and event.actor == world.station_staff
    note = VoiceNote.objects.get()
    assert note.transcribed_by == world.station_staff and note.transcribed_at is not None


@pytest.mark.django_db
def test_a_stranger_a_read_only_watcher_and_villagers_cannot_transcribe_nor_an_empty_transcript(world):
    from django.contrib.auth import get_user_model

    issue = issue_submit(
        channel=Channel.DEPUTY_QR,
        deputy_token=world.deputy_a.qr_token,
        content="",
        voice=clean_voice(upload(wav_bytes(1))),
    )
    stranger = get_user_model().objects.create_user("stranger", password="x-long-password-1")
    with pytest.raises(IssueNotFound):
        voice_transcribe(actor=Actor.of(stranger), issue_id=issue.pk, text="别人的留言")
    for actor in (Actor.of(world.township_staff), VILLAGER):
        with pytest.raises(ActionForbidden):
            voice_transcribe(actor=actor, issue_id=issue.pk, text="不该写")
    with pytest.raises(InvalidInput):
        voice_transcribe(actor=Actor.of(world.station_staff), issue_id=issue.pk, text="   ")
    assert VoiceNote.objects.get().transcript == ""
    assert not IssueEvent.objects.filter(action=Action.TRANSCRIBE).exists()
