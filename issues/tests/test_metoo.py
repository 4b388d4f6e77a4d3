""" "Me too" (我也遇到) for staff: only the case's station staff (and admins) show an open case on
the station's page, with a text the de-identifier finds nothing more in; the case page offers
the review and shows the count; the case list has the count as a column staff may sort the queue
by; a villager who left a phone with consent gets the "answered" text without the case's
tracking link; and two presses at once from one device or one number count once (PostgreSQL)."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from issues.metoo import public_calls_of, with_seconded_count
from issues.models import PublicCall, Seconding, State
from issues.queue import my_queue
from issues.services import issue_accept, issue_reply, issue_review
from issues.services.metoo import issue_second, public_call_hide, public_call_show
from issues.sms.models import SmsMessage, SmsOptOut
from issues.sms.outbox import _outgoing
from issues.tests.admin_support import _plain_static_files, client_for  # noqa: F401
from issues.tests.lifecycle import drive_to
from issues.tests.test_concurrency import race
from liaison.errors import ActionForbidden, IllegalTransition, InvalidInput, IssueNotFound

pytestmark = pytest.mark.django_db

PROBLEM = "我叫王秀英，住潮面村12号，村口的路灯坏了三天。电话13805801234。"
CLEAN = "村口的路灯坏了三天。"
CHANGELIST = reverse("admin:issues_issue_changelist")


def show(world, issue, text=CLEAN, who="station_staff"):
    return public_call_show(actor=world.actor(who), issue_id=issue.pk, text=text)


def second(call, device, phone="", consent=False):
    return issue_second(station_id=call.station_id, call_id=call.pk, device_id=device, phone=phone, consent=consent)


def test_only_the_cases_station_staff_and_admins_show_it(world):
    issue = world.submit(content=PROBLEM, submitter_name="王秀英")
    for who, error in (("deputy_a_user", ActionForbidden), ("township_staff", ActionForbidden)):
        with pytest.raises(error):
            show(world, issue, who=who)
    with pytest.raises(IssueNotFound):
        show(world, issue, who="deputy_b_user")  # another station's deputy: never confirm it exists
    assert not PublicCall.objects.exists()
    assert show(world, issue, who="admin").shown_by == world.admin
    assert show(world, issue).shown_by == world.station_staff


def test_a_text_with_personal_data_left_in_is_refused_and_nothing_is_written(world):
    issue = world.submit(content=PROBLEM, submitter_name="王秀英")
    for text, found in (
        ("王秀英家门口路灯坏了", "王秀英"),
        ("路灯坏了，电话 138 0580 1234", "手机号码"),
        ("潮面村12号门口路灯坏了", "门牌号"),
    ):
        with pytest.raises(InvalidInput) as refused:
            show(world, issue, text=text)
        assert found in str(refused.value.message)
    for text in ("", "   ", "灯" * 501):
        with pytest.raises(InvalidInput):
            show(world, issue, text=text)
    assert not PublicCall.objects.exists()


def test_only_an_open_case_is_shown(world):
    replied = drive_to(world, State.REPLIED)
    with pytest.raises(IllegalTransition):
        show(world, replied)
    assert not PublicCall.objects.exists()


def test_hiding_and_showing_again_keeps_the_count_and_hiding_twice_is_refused(world):
    issue = world.submit(content=PROBLEM)
    call = show(world, issue)
    second(call, "phone-1")
    public_call_hide(actor=world.actor("station_staff"), issue_id=issue.pk)
    with pytest.raises(IllegalTransition):
        public_call_hide(actor=world.actor("station_staff"), issue_id=issue.pk)
    with pytest.raises(IssueNotFound):
        second(call, "phone-2")
    assert public_calls_of(world.railway_point) == []
    again = show(world, issue, text="村口路灯坏了。")
    assert again.pk == call.pk and again.is_live
    assert [(c.text, c.seconded_count) for c in public_calls_of(world.railway_point)] == [("村口路灯坏了。", 1)]


def test_the_station_page_lists_the_most_seconded_first(world):
    first, second_case = world.submit(content="路灯坏了三天了。"), world.submit(content="码头护栏松了。")
    quiet, loud = show(world, first, text="路灯坏了。"), show(world, second_case, text="码头护栏松了。")
    for device in ("a", "b"):
        second(loud, device)
    second(quiet, "c")
    assert [(c.pk, c.seconded_count) for c in public_calls_of(world.railway_point)] == [(loud.pk, 2), (quiet.pk, 1)]


def test_the_case_page_offers_the_de_identified_review_and_shows_the_count(world):
    issue = world.submit(content=PROBLEM, submitter_name="王秀英", submitter_phone="13805801234")
    client = client_for(world, "station_staff")
    page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert 'id="metoo"' in page and "我叫王某，住潮面村××号，村口的路灯坏了三天。电话[手机号]。" in page
    assert "姓名“王秀英”" in page and "门牌号“12”" in page
    show_url = reverse("admin:issues_issue_metoo_show", args=[issue.pk])
    refused = client.post(show_url, {"text": "王秀英反映路灯坏了"}, follow=True).content.decode()
    assert "仍有个人信息" in refused and not PublicCall.objects.exists()
    response = client.post(show_url, {"text": CLEAN})
    assert response.status_code == 302 and response["Location"].endswith("#metoo")
    call = PublicCall.objects.get()
    second(call, "a", phone="13900001111", consent=True)
    second(call, "b")
    page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
    assert "2 位群众点了“我也遇到”" in page and "其中 1 位留了手机号接收进展" in page and 'id="metoo-hide"' in page
    assert "13900001111" not in page
    client.post(reverse("admin:issues_issue_metoo_hide", args=[issue.pk]))
    assert not PublicCall.objects.get().is_live


def test_deputies_and_township_staff_see_the_count_but_no_show_button(world):
    issue = world.submit(content=PROBLEM)
    call = show(world, issue)
    second(call, "a")
    for role in ("deputy_a", "township_staff"):
        client = client_for(world, role)
        page = client.get(reverse("admin:issues_issue_change", args=[issue.pk])).content.decode()
        assert "1 位群众点了“我也遇到”" in page and 'id="metoo-hide"' not in page
        client.post(reverse("admin:issues_issue_metoo_hide", args=[issue.pk]))
        assert PublicCall.objects.get().is_live


def _rows(html: str) -> list[str]:
    return re.findall(r'<th class="field-code"><a href="[^"]+">([^<]+)</a>', html)


def test_the_case_list_shows_the_count_and_staff_can_sort_the_queue_by_it(world):
    plain, seconded, most = (world.submit(content=f"第{n}个问题：路灯坏了三天。") for n in (1, 2, 3))
    for issue, devices in ((seconded, ["a"]), (most, ["b", "c", "d"])):
        call = show(world, issue)
        for device in devices:
            second(call, device)
    client = client_for(world, "station_staff")
    response = client.get(CHANGELIST)
    columns = response.context["cl"].list_display
    assert "seconded" in columns
    by_count = client.get(CHANGELIST, {"o": columns.index("seconded")}).content.decode()
    assert _rows(by_count)[:2] == [most.short_code, seconded.short_code]
    assert 'class="field-seconded">3<' in by_count
    # The queue itself, read through issues.queue, sorts the same way.
    queue = with_seconded_count(my_queue(world.station_staff)).order_by("-seconded_count", "deadline")
    assert [i.pk for i in queue][:2] == [most.pk, seconded.pk] and plain.pk in {i.pk for i in queue}


def test_the_count_column_costs_no_query_per_row(world, django_assert_max_num_queries):
    client = client_for(world, "station_staff")
    for n in range(3):
        call = show(world, world.submit(content=f"第{n}个问题：路灯坏了三天。"))
        second(call, f"d{n}")
    client.get(CHANGELIST)
    with django_assert_max_num_queries(40) as few:
        client.get(CHANGELIST)
    for n in range(20):
        world.submit(content=f"又一个问题{n}：路灯坏了三天。")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(CHANGELIST)


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.jsonl")
    return tmp_path / "sms.jsonl"


def test_a_villager_who_left_a_phone_gets_the_answered_text_without_the_tracking_link(world, sms_file):
    issue = world.submit(content=PROBLEM)
    call = show(world, issue)
    texted = second(call, "a", phone="13900001111", consent=True)
    second(call, "b")  # no phone: no text
    second(call, "c", phone="13900002222", consent=True)
    SmsOptOut.objects.create(phone="13900002222")  # stopped texts from an earlier case
    staff = world.actor("station_staff")
    issue_accept(actor=staff, issue_id=issue.pk)
    issue_review(actor=staff, issue_id=issue.pk)
    assert not SmsMessage.objects.filter(phone=texted.phone).exists()  # only the answer is told
    issue_reply(actor=staff, issue_id=issue.pk, text="已联系供电所。")
    message = SmsMessage.objects.get(phone="13900001111")
    assert message.template == "seconded_replied" and message.params == {"problem": CLEAN}
    assert issue.tracking_code not in str(message.params) and issue.short_code not in str(message.params)
    assert not SmsMessage.objects.filter(phone="13900002222").exists()
    outgoing = _outgoing(message)
    assert outgoing.tracking_code == "" and "/t/" not in outgoing.text and CLEAN in outgoing.text


@pytest.mark.postgres
def test_two_presses_at_once_from_one_device_or_one_number_count_once(world, transactional_db):
    issue = world.submit(content=PROBLEM)
    call = show(world, issue)
    results = race(*[lambda: second(call, "same-device") for _ in range(4)])
    assert sum(isinstance(r, Seconding) for r in results) == 1
    assert all(isinstance(r, (Seconding, IllegalTransition)) for r in results), results
    results = race(*[lambda n=n: second(call, f"dev-{n}", "13900001111", True) for n in range(4)])
    assert sum(isinstance(r, Seconding) for r in results) == 1
    assert Seconding.objects.filter(issue=issue).count() == 2


@pytest.mark.postgres
def test_the_database_refuses_a_second_row_for_one_device_or_number_even_past_the_service(world):
    issue = world.submit(content=PROBLEM)
    Seconding.objects.create(issue=issue, device="d", phone="13900001111")
    for duplicate in ({"device": "d"}, {"device": "e", "phone": "13900001111"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Seconding.objects.create(issue=issue, **duplicate)
    Seconding.objects.create(issue=issue, device="f")  # many without a phone
    Seconding.objects.create(issue=issue, device="g")
    assert Seconding.objects.count() == 3


def test_the_count_column_appears_only_where_a_station_shows_a_case(world):
    client = client_for(world, "station_staff")
    world.submit(content="路灯坏了三天了。")
    assert "seconded" not in client.get(CHANGELIST).context["cl"].list_display  # room for the content
    other = world.submit(station=world.xiushan_station, content="码头护栏松了。")
    public_call_show(actor=world.actor("admin"), issue_id=other.pk, text="码头护栏松了。")
    assert "seconded" not in client.get(CHANGELIST).context["cl"].list_display  # another station's
    assert "seconded" in client_for(world, "admin").get(CHANGELIST).context["cl"].list_display
    show(world, world.submit(content="垃圾桶满了一星期。"), text="垃圾桶满了一星期。")
    assert "seconded" in client.get(CHANGELIST).context["cl"].list_display
