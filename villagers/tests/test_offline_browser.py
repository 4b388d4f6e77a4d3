"""Sending on a weak signal, in a real headless Chromium with Playwright's offline emulation:
the case is kept on the phone (IndexedDB) with 待发送 shown, and sent once the network is back,
with its form's token, so there is exactly one case; the receipt is shown. A case left waiting
when the page was closed is sent from the next page opened, which links its receipt. A case
whose deputy code was rotated before it could be sent goes to the station, and the receipt says
so. The outbox's scripts are not fetched until the villager starts on the form."""

import pytest

from deputies.services import deputy_rotate_token
from issues.models import Issue
from testsupport.audio import wav_bytes
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TEXT = "码头的栏杆松了，老人小孩靠上去很危险。"


def open_form(browser, live_server, world):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    assert not [url for url in requested if "outbox" in url or "offline" in url or "sw.js" in url]
    page.get_by_label("遇到了什么问题？（必填）").fill(TEXT)  # starting on the form loads the outbox
    page.wait_for_selector("#send[data-outbox-ready]", state="attached")
    sw = page.get_attribute("#send", "data-sw")
    for _ in range(50):  # the service worker, registered meanwhile, becomes active
        if page.evaluate(f"navigator.serviceWorker.getRegistration('{sw}').then(r => !!(r && r.active))"):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the service worker did not become active")
    return context, page


def test_offline_the_case_waits_on_the_phone_and_is_sent_once_when_the_network_returns(
    browser, live_server, world, tmp_path
):
    recording = tmp_path / "voice.wav"
    recording.write_bytes(wav_bytes(3))
    context, page = open_form(browser, live_server, world)
    page.set_input_files("#f-voice", str(recording))
    context.set_offline(True)
    page.click("#f-send")
    page.wait_for_selector("#outbox-status")
    assert page.inner_text("#outbox-status").startswith("待发送")
    assert page.inner_text("#f-send") == "待发送"
    screenshot(page, "offline-waiting")
    assert not Issue.objects.exists()

    context.set_offline(False)
    page.wait_for_url("**/receipt/")
    issue = Issue.objects.get()
    assert page.inner_text("#short-code") == issue.short_code
    assert issue.content == TEXT and issue.voice_note.duration == 3
    screenshot(page, "offline-receipt")
    page.wait_for_timeout(1000)  # a Background Sync of the same case, if any, makes no second one
    assert Issue.objects.count() == 1
    context.close()


def test_a_case_left_waiting_when_the_page_was_closed_is_sent_and_its_receipt_offered_on_the_next_visit(
    browser, live_server, world
):
    context, page = open_form(browser, live_server, world)
    context.set_offline(True)
    page.click("#f-send")
    page.wait_for_selector("#outbox-status")
    page.close()
    context.set_offline(False)

    later = context.new_page()
    later.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    later.wait_for_selector("#outbox-status a")
    issue = Issue.objects.get()
    assert "之前保存在手机上的留言已发出" in later.inner_text("#outbox-status")
    later.click("#outbox-status a")
    later.wait_for_url(f"**/t/{issue.tracking_code}/receipt/")
    assert later.inner_text("#short-code") == issue.short_code
    assert Issue.objects.count() == 1
    context.close()


def test_a_waiting_case_whose_deputy_code_was_rotated_goes_to_the_station_and_the_villager_is_told(
    browser, live_server, world
):
    context, page = open_form(browser, live_server, world)
    context.set_offline(True)
    page.click("#f-send")
    page.wait_for_selector("#outbox-status")
    deputy_rotate_token(deputy=world.deputy_a, by_user=world.admin)

    context.set_offline(False)
    page.wait_for_url("**/receipt/?moved=1")
    issue = Issue.objects.get()
    assert issue.station == world.railway_point and issue.channel == "station_qr"
    notice = page.inner_text("#moved-to-station")
    assert "二维码已经更换" in notice and world.railway_point.name in notice
    screenshot(page, "offline-moved-to-station")
    context.close()
