"""Every text a villager can receive, in one place (China's SMS rules: a registered signature and
registered templates with variables, no free text, the link on our fixed domain with only the
tracking code as its variable). The admin lists them; the Aliyun backend maps each key to the
template code it was registered under (SMS_ALIYUN_TEMPLATE_CODES)."""

import re
from dataclasses import dataclass

from django.conf import settings

# Aliyun allows at most 35 characters in one variable of a notification template.
VARIABLE_MAX = 35


@dataclass(frozen=True)
class SmsTemplate:
    key: str
    purpose: str
    # ${name} marks a variable; {base} is our fixed domain, part of the registered text.
    body: str

    @property
    def variables(self) -> list[str]:
        return re.findall(r"\$\{(\w+)\}", self.body)


_LINK = "{base}/t/${track}/"

TEMPLATES: dict[str, SmsTemplate] = {
    t.key: t
    for t in (
        SmsTemplate("accepted", "受理", "您反映的问题（编号${code}）已受理，我们将尽快办理。查看进度：" + _LINK),
        SmsTemplate("rejected", "不予受理", "您反映的问题（编号${code}）未予受理，原因：${reason}。详情：" + _LINK),
        SmsTemplate("assigned", "转交部门", "您反映的问题（编号${code}）已转交${department}办理。查看进度：" + _LINK),
        SmsTemplate("replied", "答复", "您反映的问题（编号${code}）已有答复，请查看并评价：" + _LINK),
        SmsTemplate(
            "reopened",
            "不满意后重新办理",
            "您反映的问题（编号${code}）已重新办理，办理期限至${deadline}。查看进度：" + _LINK,
        ),
        SmsTemplate(
            "merged",
            "合并办理",
            "您反映的问题（编号${code}）与其他群众反映的同一问题合并办理，结果将告知您。查看进度：" + _LINK,
        ),
        SmsTemplate("closed", "办结", "您反映的问题（编号${code}）已办结，感谢您的支持。详情：" + _LINK),
        SmsTemplate("rate_reminder", "回访", "回访：您反映的问题（编号${code}）已有答复，请您评价是否满意：" + _LINK),
        SmsTemplate(
            "rate_last_call",
            "评价即将截止",
            "您反映的问题（编号${code}）的评价将于${deadline}截止，请及时评价：" + _LINK,
        ),
        # To a villager who said "me too" (issues.models.Seconding): never the case's tracking
        # link, which is the villager's own secret; the problem as the station's page shows it.
        SmsTemplate(
            "seconded_replied",
            "我也遇到：答复",
            "您点过“我也遇到”的问题“${problem}”已有答复，可到联络站或其办理结果公示页查看。",
        ),
    )
}

# Texts to a villager who said "me too": no tracking link, no case code.
SECONDER_TEMPLATES = frozenset({"seconded_replied"})

# Templates that only make sense while the case still waits for the villager's rating.
RATING_TEMPLATES = frozenset({"rate_reminder", "rate_last_call"})


def clip(value: str) -> str:
    value = " ".join(str(value).split())
    return value if len(value) <= VARIABLE_MAX else value[: VARIABLE_MAX - 1] + "…"


def registered_text(template: SmsTemplate) -> str:
    """The template as registered with the provider: signature, fixed domain, ${variables}."""
    return f"【{settings.SMS_SIGN_NAME}】" + template.body.replace("{base}", settings.PUBLIC_BASE_URL)


def render(key: str, params: dict) -> str:
    """The message the villager reads. Raises KeyError for an unknown template or a missing variable."""
    text = registered_text(TEMPLATES[key])
    return re.sub(r"\$\{(\w+)\}", lambda m: str(params[m.group(1)]), text)
