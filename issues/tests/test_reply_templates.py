"""Reply templates (答复模板): staff keep them per station and category with placeholders;
choosing one on the case page fills the reply, which stays editable; a template with an unknown
or malformed placeholder is refused with the reason, and nothing is saved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from issues import clock
from issues.models import Category, ReplyTemplate, State
from issues.replytemplates import placeholders_in, render, reply_template_save, templates_for
from issues.tests.admin_support import _plain_static_files, case_in_state, client_for  # noqa: F401
from liaison.errors import InvalidInput

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ADD = reverse("admin:issues_replytemplate_add")


def _template(world, text, **kwargs):
    kwargs.setdefault("station", world.railway_point)
    return ReplyTemplate.objects.create(name=kwargs.pop("name", "路灯维修"), text=text, **kwargs)


def test_the_placeholders_take_the_cases_values(world):
    issue = case_in_state(world, State.ASSIGNED)
    template = _template(world, "{village}的村民您好：您反映的问题（{code}）已交{department}处理，{date}。")
    with clock.frozen_at(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI)):
        text = render(template, issue)
    assert text == f"潮面村的村民您好：您反映的问题（{issue.short_code}）已交白泉镇城建办处理，2026年12月1日。"


def test_a_placeholder_without_a_value_becomes_empty_and_literal_braces_stay(world):
    issue = case_in_state(world, State.REVIEWED)
    assert render(_template(world, "交{department}办理 {{备注}}"), issue) == "交办理 {备注}"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{村名}的村民您好", "{村名}"),
        ("您好，{villager}", "{villager}"),
        ("您好，{}", "{}"),
        ("{date:%Y}", "format"),
        ("您好 {village", "brace"),
        ("您好 village}", "brace"),
    ],
)
def test_a_template_with_a_bad_placeholder_is_refused_with_the_reason_and_not_saved(world, text, says):
    with pytest.raises(InvalidInput) as raised:
        template = ReplyTemplate(name="坏模板", text=text, station=world.railway_point)
        reply_template_save(user=world.station_staff, template=template)
    message = str(raised.value.message)
    assert raised.value.field == "text"
    assert says in message or {"format": "格式", "brace": "括号"}[says] in message, message
    assert not ReplyTemplate.objects.exists()


def test_placeholders_in_lists_the_known_names():
    assert placeholders_in("{village}{date}{department}") == ["village", "date", "department"]


def test_station_staff_keep_templates_of_their_own_stations_only(world):
    theirs = ReplyTemplate(name="秀山模板", text="您好", station=world.xiushan_station)
    with pytest.raises(InvalidInput):
        reply_template_save(user=world.station_staff, template=theirs)
    shared = ReplyTemplate(name="通用模板", text="您好")
    with pytest.raises(InvalidInput):
        reply_template_save(user=world.station_staff, template=shared)
    with pytest.raises(InvalidInput):
        reply_template_save(user=world.deputy_a_user, template=ReplyTemplate(name="代表模板", text="您好"))
    assert not ReplyTemplate.objects.exists()
    mine = reply_template_save(
        user=world.station_staff, template=ReplyTemplate(name="我的模板", text="{village}", station=world.railway_point)
    )
    assert mine.created_by == world.station_staff
    assert reply_template_save(user=world.admin, template=shared).pk is not None


def test_the_admin_form_shows_the_unknown_placeholder_and_saves_nothing(world):
    client = client_for(world, "station_staff")
    response = client.post(
        ADD, {"name": "坏模板", "station": world.railway_point.pk, "text": "{村名}您好", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "{村名}" in response.content.decode()
    assert not ReplyTemplate.objects.exists()
    response = client.post(
        ADD, {"name": "好模板", "station": world.railway_point.pk, "text": "{village}您好", "is_active": "on"}
    )
    assert response.status_code == 302
    assert ReplyTemplate.objects.get().created_by == world.station_staff


def test_the_admin_form_offers_staff_their_own_stations_only(world):
    response = client_for(world, "station_staff").get(ADD)
    choices = list(response.context["adminform"].form.fields["station"].queryset)
    assert choices == [world.railway_point]
    response = client_for(world, "station_staff").post(
        ADD, {"name": "越权", "station": world.xiushan_station.pk, "text": "您好", "is_active": "on"}
    )
    assert response.status_code == 200 and not ReplyTemplate.objects.exists()


def test_a_case_is_offered_its_stations_and_the_shared_templates_of_its_category(world):
    issue = case_in_state(world, State.REVIEWED)
    other_category = Category.objects.create(name="环境卫生")
    offered = {
        _template(world, "a", name="本站通用"),
        _template(world, "b", name="本站本类", category=world.category),
        _template(world, "c", name="全市通用", station=None),
    }
    _template(world, "d", name="本站他类", category=other_category)
    _template(world, "e", name="他站", station=world.xiushan_station)
    _template(world, "f", name="停用", is_active=False)
    assert set(templates_for(world.station_staff, issue)) == offered
    assert list(templates_for(world.deputy_b_user, issue)) == []


def test_choosing_a_template_fills_the_reply_which_stays_editable(world):
    issue = case_in_state(world, State.REVIEWED)
    template = _template(world, "{village}的村民您好，已安排维修。")
    url = reverse("admin:issues_issue_change", args=[issue.pk])
    client = client_for(world, "station_staff")
    page = client.get(url).content.decode()
    assert f"?reply_template={template.pk}#actions" in page
    response = client.get(url, {"reply_template": template.pk})
    body = response.content.decode()
    assert '<details class="liaison-action liaison-action--go" data-action="reply" open>' in body
    assert "潮面村的村民您好，已安排维修。</textarea>" in body
    # Edited before sending: the reply is what was sent, not the template.
    reply_url = reverse("admin:issues_issue_action", args=[issue.pk, "reply"])
    client.post(reply_url, {"text": "潮面村的村民您好，明天维修。"})
    issue.refresh_from_db()
    assert issue.state == State.REPLIED and issue.reply_text == "潮面村的村民您好，明天维修。"


def test_another_stations_template_id_fills_nothing(world):
    issue = case_in_state(world, State.REVIEWED)
    theirs = _template(world, "秀山乡专用答复", station=world.xiushan_station)
    url = reverse("admin:issues_issue_change", args=[issue.pk])
    body = client_for(world, "station_staff").get(url, {"reply_template": theirs.pk}).content.decode()
    assert "秀山乡专用答复" not in body
    assert 'data-action="reply" open>' not in body
