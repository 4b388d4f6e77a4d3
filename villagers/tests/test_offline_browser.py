"""Sending on a weak signal, in a real headless Chromium with Playwright's offline emulation:
the case is kept on the phone (IndexedDB) with 待发送 shown, and sent once the network is back,
with its form's token, so there is exactly one case; the receipt is shown. A case left waiting
when the page was closed is sent from the next page opened, which links its receipt. A case
whose deputy code was rotated before it could be sent goes to the station, and the receipt says
so. Online too, the case goes through the outbox: a signal lost mid-send keeps it 待发送 and it
is sent later, once; a form with errors comes back as the server rendered it. The outbox's
scripts are fetched after the page has loaded (so that a phone offline by the time the villager
starts on the form still keeps the case), the service worker only once they start on it."""

import pytest

from deputies.services import deputy_rotate_token
from issues.models import Issue
from testsupport.audio import wav_bytes
from testsupport.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
TEXT = "码头的栏杆松了，老人小孩靠上去很危险。"


def load_form(browser, live_server, world):
    """The deputy's page, loaded online: nothing of the outbox comes before the page has loaded;
    its scripts come when the phone is idle after that, the service worker not yet."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    requested: list[str] = []
    at_load: list[int] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("load", lambda _page: at_load.append(len(requested)))
    page.goto(f"{live_server.url}/d/{world.deputy_a.qr_token}/")
    assert at_load and not [u for u in requested[: at_load[0]] if "outbox" in u or "offline" in u or "sw.js" in u]
    page.wait_for_selector("#send[data-outbox-ready]", state="attached")
    assert not [url for url in requested if "sw.js" in url]
    return context, page, requested


def open_form(browser, live_server, world):
    context, page, _requested = load_form(browser, live_server, world)
    page.get_by_label("遇到了什么问题？（必填）").fill(TEXT)  # starting on the form registers the worker
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


def test_a_signal_lost_mid_send_while_the_phone_says_online_keeps_the_case_and_sends_it_once(
    browser, live_server, world
):
    context, page = open_form(browser, live_server, world)
    posts: list[str] = []

    def drop_the_first_post(route):
        if route.request.method == "POST" and not posts:
            posts.append(route.request.url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/d/**", drop_the_first_post)
    assert page.evaluate("navigator.onLine") is True
    page.click("#f-send")
    page.wait_for_selector("#outbox-status")
    assert page.inner_text("#outbox-status").startswith("待发送") and posts
    screenshot(page, "mid-send-waiting")

    page.wait_for_url("**/receipt/", timeout=30_000)  # tried again by itself, with the same token
    issue = Issue.objects.get()
    assert page.inner_text("#short-code") == issue.short_code and issue.content == TEXT
    page.wait_for_timeout(1000)  # the service worker's Background Sync of the same case adds none
    assert Issue.objects.count() == 1
    context.close()


def test_a_phone_offline_before_the_villager_starts_on_the_form_still_keeps_the_case(browser, live_server, world):
    context, page, _requested = load_form(browser, live_server, world)
    context.set_offline(True)
    page.get_by_label("遇到了什么问题？（必填）").fill(TEXT)
    page.click("#f-send")
    page.wait_for_selector("#outbox-status")
    assert page.inner_text("#outbox-status").startswith("待发送")
    assert not Issue.objects.exists()

    context.set_offline(False)
    page.wait_for_url("**/receipt/")
    issue = Issue.objects.get()
    assert page.inner_text("#short-code") == issue.short_code and issue.content == TEXT
    assert Issue.objects.count() == 1
    context.close()


def test_a_form_with_errors_sent_through_the_outbox_comes_back_as_the_server_rendered_it(browser, live_server, world):
    context, page = open_form(browser, live_server, world)
    page.get_by_label("遇到了什么问题？（必填）").fill("短")  # too short: the server says so
    page.click("#f-send")
    page.wait_for_selector("#error-summary")
    assert page.get_by_label("遇到了什么问题？（必填）").input_value() == "短"
    assert not page.query_selector("#outbox-status") and not Issue.objects.exists()
    page.get_by_label("遇到了什么问题？（必填）").fill(TEXT)  # corrected on the page it came back as
    page.click("#f-send")
    page.wait_for_url("**/receipt/")
    assert Issue.objects.count() == 1
    context.close()
