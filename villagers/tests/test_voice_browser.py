"""Voice notes in a real headless Chromium: a recording made in the test (Python's `wave`)
chosen through the file input, with JavaScript on and off; bad audio refused in Chinese; and
按住说话 recorded with MediaRecorder from Chromium's fake microphone. The recorder's script is
fetched only once the button is touched."""

import pytest
from django.urls import reverse

from issues.models import Issue, KeptVoice, VoiceNote
from testsupport.audio import wav_bytes
from testsupport.browser import CHROMIUM, CHROMIUM_ARGS, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
FAKE_MICROPHONE = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def recording_browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *FAKE_MICROPHONE]
    )
    yield browser
    browser.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_a_villager_sends_a_voice_note_chosen_as_a_file_and_hears_it_on_the_tracking_page(
    browser, live_server, world, tmp_path, javascript
):
    recording = tmp_path / "录音.wav"
    recording.write_bytes(wav_bytes(6))
    not_audio = tmp_path / "note.mp3"
    not_audio.write_text("这不是录音" * 40)
    context = browser.new_context(viewport=PHONE, java_script_enabled=javascript, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    assert page.locator("#f-record").is_visible() == javascript  # 按住说话 only where it can record

    page.set_input_files("#f-voice", str(not_audio))
    page.click("#f-send")
    page.wait_for_selector("#error-summary")
    assert "这个文件不是能播放的录音" in page.inner_text("#error-summary")
    assert not Issue.objects.exists() and not KeptVoice.objects.exists()

    page.set_input_files("#f-voice", str(recording))
    page.get_by_label("手机号码", exact=True).fill("138")  # a mistake: the voice note is kept meanwhile
    page.click("#f-send")
    page.wait_for_selector("#error-summary")
    assert page.locator(".kept-voice audio").count() == 1
    kept_src = page.get_attribute(".kept-voice audio", "src")
    assert page.request.get(live_server.url + kept_src).body() == recording.read_bytes()
    page.get_by_label("手机号码", exact=True).fill("")
    page.click("#f-send")
    page.wait_for_url("**/receipt/")
    screenshot(page, f"voice-receipt-{'js' if javascript else 'nojs'}")

    issue = Issue.objects.get()
    assert issue.content == ""  # voice only: the text minimum does not apply
    page.goto(live_server.url + reverse("public:track", args=[issue.tracking_code]))
    src = page.get_attribute("audio", "src")
    assert src == reverse("public:submitter-voice", args=[issue.tracking_code])
    assert page.request.get(live_server.url + src).body() == recording.read_bytes()
    assert "您的语音留言（6 秒）" in page.inner_text("main")
    screenshot(page, f"voice-tracking-{'js' if javascript else 'nojs'}")
    context.close()


def test_hold_to_talk_records_with_media_recorder_and_the_case_carries_the_recording(
    recording_browser, live_server, world
):
    context = recording_browser.new_context(viewport=PHONE, locale="zh-CN")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    button = page.locator("#f-record")
    assert button.inner_text() == "按住说话"
    assert not any("voice" in url for url in requested)  # the recorder's code is not loaded yet

    button.scroll_into_view_if_needed()
    button.hover()
    page.mouse.down()
    page.wait_for_selector("#f-record[aria-pressed='true']")
    assert "正在录音" in page.inner_text("#rec-status")
    page.wait_for_timeout(2500)
    page.mouse.up()
    page.wait_for_selector("#rec-status:has-text('已录好')")
    assert any(url.endswith("voice.js") for url in requested)
    assert page.evaluate("document.getElementById('f-voice').files.length") == 1
    screenshot(page, "voice-recorded")

    page.click("#f-send")
    page.wait_for_url("**/receipt/")
    note = VoiceNote.objects.get()
    assert note.content_type == "audio/webm" and note.audio.name.endswith(".webm")
    assert 2.0 <= note.duration <= 4.0
    issue = Issue.objects.get()
    assert note.issue == issue and issue.content == ""
    context.close()
