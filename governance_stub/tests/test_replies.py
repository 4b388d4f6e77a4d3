"""The stand-in departments' automatic answers read like a department's: the department chosen,
whole sentences, a quotation cut only at a boundary, and another answer in a later round."""

import re

import pytest

from governance_stub import replies

LONG_CASE = "潮面村村道上的路灯坏了半个多月，晚上接孩子放学一片漆黑，前几天还有老人摔了一跤，很危险，请尽快修一下。"
DEMO_CATEGORIES = [
    "征地拆迁补偿",
    "交通出行",
    "渔业生产",
    "教育医疗",
    "养老服务",
    "环境卫生",
    "基础设施",
    "水电供应",
    "社会保障",
    "其他",
]


def quoted(text: str) -> str:
    [quote] = re.findall(r"“([^”]*)”", text)
    return quote


def test_a_reply_names_the_department_the_case_was_given_to():
    text = replies.compose(department="秀山乡村镇建设办", category="基础设施", content=LONG_CASE, round=1, key="k-1")
    assert "秀山乡村镇建设办" in text
    assert "综合信息指挥室" not in text


def test_a_long_case_is_quoted_up_to_a_clause_boundary_with_an_ellipsis():
    text = replies.compose(department="白泉镇城建办", category="基础设施", content=LONG_CASE, round=1, key="k-1")
    quote = quoted(text)
    assert quote.endswith("…")
    head = quote.removesuffix("…")
    assert LONG_CASE.startswith(head)
    assert LONG_CASE[len(head)] in "，。"  # the cut falls on a boundary, not inside a clause
    assert len(head) <= replies.SUMMARY_LIMIT
    assert "请。" not in text


def test_a_short_case_is_quoted_whole_without_its_final_full_stop():
    assert replies.summary("码头护栏松动了。") == "码头护栏松动了"
    text = replies.compose(department="白泉镇城建办", category="基础设施", content="码头护栏松动了。", round=1, key="k")
    assert quoted(text) == "码头护栏松动了"


def test_a_case_with_no_boundary_within_reach_is_not_quoted_at_all():
    run_on = "村里那条从码头一直通到学校门口再拐到卫生院后面的老路坑坑洼洼下雨天根本没法走人"
    assert len(run_on) > replies.SUMMARY_LIMIT
    assert replies.summary(run_on) == ""
    text = replies.compose(department="白泉镇城建办", category="基础设施", content=run_on, round=1, key="k")
    assert "“" not in text
    assert "您反映的问题" in text


@pytest.mark.parametrize("category", [*DEMO_CATEGORIES, "", "未知的新类别"])
@pytest.mark.parametrize("round", [1, 2, 3])
def test_every_answer_is_made_of_whole_sentences_with_nothing_left_to_fill_in(category, round):
    for n in range(12):  # enough keys to reach every template
        text = replies.compose(department="某某办", category=category, content=LONG_CASE, round=round, key=f"k-{n}")
        assert text.endswith("。")
        assert "{" not in text and "}" not in text
        assert "。。" not in text and "，。" not in text and "…。" not in text


def test_the_same_case_and_round_always_get_the_same_answer():
    first = replies.compose(
        department="白泉镇城建办", category="环境卫生", content=LONG_CASE, round=1, key="liaison-7-r1"
    )
    again = replies.compose(
        department="白泉镇城建办", category="环境卫生", content=LONG_CASE, round=1, key="liaison-7-r1"
    )
    assert first == again


def test_a_batch_of_cases_does_not_all_read_alike():
    texts = {
        replies.compose(
            department="白泉镇城建办", category="基础设施", content=LONG_CASE, round=1, key=f"liaison-{n}-r1"
        )
        for n in range(20)
    }
    assert len(texts) > 1


@pytest.mark.parametrize("category", DEMO_CATEGORIES)
def test_a_later_round_acknowledges_the_dissatisfaction_and_says_what_was_done_further(category):
    first = replies.compose(
        department="白泉镇城建办", category=category, content=LONG_CASE, round=1, key="liaison-9-r1"
    )
    second = replies.compose(
        department="白泉镇城建办", category=category, content=LONG_CASE, round=2, key="liaison-9-r2"
    )
    assert second != first
    assert "上次" in second and "上次" not in first
    assert "不满意" in second or "歉意" in second
    assert replies.LATER_ROUND_FURTHER[replies.kind_of(category)] in second
    assert "白泉镇城建办" in second


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("征地拆迁补偿", "land"),
        ("环境卫生", "environment"),  # sanitation, although it says 卫生
        ("教育医疗", "welfare"),
        ("渔业生产", "fishery"),
        ("交通出行", "transport"),
        ("水电供应", "utilities"),
        ("其他", "general"),
        ("", "general"),
    ],
)
def test_categories_are_sorted_into_kinds_by_the_words_in_their_names(category, kind):
    assert replies.kind_of(category) == kind
