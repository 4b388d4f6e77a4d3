"""Voice notes on the villager's form without JavaScript (the file input): a case that is voice
only, bad audio refused in Chinese with nothing written, the voice note kept across a round with
mistakes and removable, and the recording played only to the holder of the tracking link and to
staff who see the case, who type its transcript on the case page."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from issues.models import Action, Issue, IssueEvent, KeptVoice, VoiceNote
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401 (a fixture)
from testsupport.audio import wav_bytes, webm_bytes
from villagers.tests.conftest import zh
from villagers.tests.test_submission import TEXT, form_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def url(world):
    return reverse("public:deputy", args=[world.deputy_a.qr_token])


def voice(content: bytes | None = None, name="录音.wav", content_type="audio/wav") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, wav_bytes(3) if content is None else content, content_type=content_type)


def kept_voice_id(html: str) -> str:
    return re.search(r'name="kept_voice" value="(\d+)"', html).group(1)


def page_token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_the_form_offers_a_voice_file_input_and_a_hidden_hold_to_talk_button(client, url):
    html = client.get(url).content.decode()
    assert 'type="file" id="f-voice" name="voice" accept="audio/*"' in html
    assert re.search(r'<button type="button" class="btn alt rec" id="f-record"[^>]* hidden', html)
    assert ">按住说话</button>" in html
    assert "voice.js" not in re.sub(r'data-src="[^"]+"', "", html)  # not loaded, only named


def test_a_villager_sends_a_voice_only_case_and_hears_it_on_the_tracking_page(client, world, url):
    content = wav_bytes(4)
    response = client.post(url, {"content": "", "token": form_token(client, url), "voice": voice(content)})
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.content == "" and VoiceNote.objects.get().issue == issue
    track = client.get(reverse("public:track", args=[issue.tracking_code])).content.decode()
    audio_url = reverse("public:submitter-voice", args=[issue.tracking_code])
    assert f'<audio controls preload="none" src="{audio_url}"' in track
    assert "您的语音留言（4 秒）" in track
    played = Client().get(audio_url)
    assert played.status_code == 200 and played["Content-Type"] == "audio/wav"
    assert b"".join(played.streaming_content) == content
    assert Client().get(reverse("public:submitter-voice", args=["x" * 32])).status_code == 404


BAD_VOICE = [
    (
        "not_audio",
        voice("这不是录音".encode() * 20, name="a.mp3", content_type="audio/mpeg"),
        "这个文件不是能播放的录音",
    ),
    ("too_long", voice(wav_bytes(70, tone=False)), "语音留言有 70 秒，最长 60 秒"),
    ("empty", voice(b""), "语音留言是空的，请重新录一遍。"),
    ("empty_recording", voice(webm_bytes(0), name="r.webm", content_type="audio/webm"), "语音留言是空的"),
]


@pytest.mark.parametrize(("case", "upload", "message"), BAD_VOICE, ids=[b[0] for b in BAD_VOICE])
def test_bad_audio_is_refused_in_chinese_with_the_text_kept_and_nothing_written(client, url, case, upload, message):
    upload.seek(0)
    response = client.post(url, {"content": TEXT, "token": form_token(client, url), "voice": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html and 'href="#f-voice"' in html  # in the summary, pointing at the field
    assert f">{TEXT}</textarea>" in html
    assert not Issue.objects.exists() and not VoiceNote.objects.exists() and not KeptVoice.objects.exists()


def test_a_file_too_large_is_refused_in_chinese(client, url):
    big = wav_bytes(40, rate=44100, channels=2, tone=False)  # 7 MB
    response = client.post(url, {"content": TEXT, "token": form_token(client, url), "voice": voice(big)})
    assert response.status_code == 400
    assert "语音留言最大 6 MB。" in response.content.decode()
    assert not Issue.objects.exists() and not KeptVoice.objects.exists()


def test_the_voice_note_is_kept_across_a_round_with_mistakes_and_sent_with_the_case(client, world, url):
    content = wav_bytes(5)
    first = client.post(url, {"content": "", "token": form_token(client, url), "voice": voice(content), "phone": "123"})
    html = first.content.decode()
    assert first.status_code == 400
    assert zh("Please enter an 11-digit mobile number starting with 1.") in html
    assert "您的语音已保存，会和留言一起发送，不用重新录。" in html
    kept_id, token = kept_voice_id(html), page_token(html)
    kept_url = reverse("public:kept-voice", args=[token, kept_id])
    assert f'src="{kept_url}"' in html
    heard = client.get(kept_url)
    assert heard.status_code == 200 and b"".join(heard.streaming_content) == content
    other_form = form_token(Client(), url)
    assert Client().get(reverse("public:kept-voice", args=[other_form, kept_id])).status_code == 404

    second = client.post(
        url, {"content": "", "token": token, "kept_voice": kept_id, "phone": "13800138000", "consent": "1"}
    )
    assert second.status_code == 302
    note = VoiceNote.objects.get()
    assert note.issue == Issue.objects.get()
    with note.audio.open("rb") as stored:
        assert stored.read() == content
    assert not KeptVoice.objects.exists()


def test_a_kept_voice_note_can_be_removed_before_sending(client, url):
    first = client.post(url, {"content": TEXT, "token": form_token(client, url), "voice": voice(), "phone": "1"})
    html = first.content.decode()
    kept_id, token = kept_voice_id(html), page_token(html)
    removed = client.post(url, {"content": TEXT, "token": token, "kept_voice": kept_id, "remove_voice": "1"})
    page = removed.content.decode()
    assert removed.status_code == 200 and "语音留言已删除。" in page
    assert 'name="kept_voice"' not in page and not KeptVoice.objects.exists()
    sent = client.post(url, {"content": TEXT, "token": token})
    assert sent.status_code == 302 and not VoiceNote.objects.exists()


def test_a_forged_kept_voice_id_of_another_form_is_not_taken(client, url):
    first = client.post(url, {"content": TEXT, "token": form_token(client, url), "voice": voice(), "phone": "1"})
    theirs = kept_voice_id(first.content.decode())
    mine = Client()
    response = mine.post(url, {"content": "", "token": form_token(mine, url), "kept_voice": theirs})
    assert response.status_code == 400
    assert "之前的语音留言已不再保留，请重新录一遍。" in response.content.decode()
    assert not Issue.objects.exists() and KeptVoice.objects.count() == 1


def test_staff_play_and_transcribe_the_voice_note_on_the_case_page_and_others_cannot(client, world, url):
    client.post(url, {"content": "", "token": form_token(client, url), "voice": voice()})
    issue = Issue.objects.get()
    staff = client_for(world, "station_staff")
    case_url = reverse("admin:issues_issue_change", args=[issue.pk])
    page = staff.get(case_url).content.decode()
    audio_url = reverse("public:staff-voice", args=[issue.pk])
    assert f'src="{audio_url}"' in page and 'name="transcript"' in page
    assert staff.get(audio_url).status_code == 200
    assert client_for(world, "deputy_b").get(audio_url).status_code == 404
    assert Client().get(audio_url).status_code == 302  # to the login page

    saved = staff.post(reverse("admin:issues_issue_transcript", args=[issue.pk]), {"transcript": "村口路灯坏了"})
    assert saved.status_code == 302
    issue.refresh_from_db()
    assert issue.text_for_matching == "村口路灯坏了"
    assert IssueEvent.objects.filter(issue=issue, action=Action.TRANSCRIBE).count() == 1
    assert "村口路灯坏了" in staff.get(case_url).content.decode()

    watcher = client_for(world, "township_staff")
    assert 'name="transcript"' not in watcher.get(case_url).content.decode()
    refused = watcher.post(reverse("admin:issues_issue_transcript", args=[issue.pk]), {"transcript": "改掉"})
    assert refused.status_code == 302
    issue.refresh_from_db()
    assert issue.text_for_matching == "村口路灯坏了"
