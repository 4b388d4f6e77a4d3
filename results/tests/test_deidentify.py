"""The de-identifier on texts as villagers and staff write them: names, mobile and landline
numbers, ID-card numbers and house numbers go, the rest of the text stays readable, and every
removal is reported."""

import pytest

from liaison.deidentify import deidentify

CASES = [
    (
        "我叫王秀英，住潮面村12号，家门口的路灯坏了三天，晚上看不见路。电话13805801234。",
        ["王秀英", "13805801234", "12"],
        "我叫王某，住潮面村××号，家门口的路灯坏了三天，晚上看不见路。电话[手机号]。",
    ),
    (
        "村民陈阿婆反映：码头边护栏松动，很危险。联系人：李建国 138 0580 1234",
        ["陈阿婆", "李建国", "138 0580 1234"],
        "村民陈某反映：码头边护栏松动，很危险。联系人：李某 [手机号]",
    ),
    (
        "本人张德明，身份证号330902195803121234，医保报销一直没到账，请帮忙问问。",
        ["张德明", "330902195803121234"],
        "本人张某，身份证号[身份证号]，医保报销一直没到账，请帮忙问问。",
    ),
    (
        "老王家门前的排水沟堵了，下雨就淹到3幢2单元501室，找了物业好几次。",
        ["老王", "3", "2", "501"],
        "老某家门前的排水沟堵了，下雨就淹到×幢×单元××室，找了物业好几次。",
    ),
    (
        "您好，已联系白泉镇城建办，施工队12月3号来修。有问题可打0580-8012345找徐师傅。",
        ["0580-8012345", "徐师傅"],
        "您好，已联系白泉镇城建办，施工队12月3号来修。有问题可打[电话]找徐某。",
    ),
    (
        "身份证号码33090219600101002X的老人，低保复审材料已交，请回复+86 139-0580-5678。",
        ["33090219600101002X", "+86 139-0580-5678"],
        "身份证号码[身份证号]的老人，低保复审材料已交，请回复[手机号]。",
    ),
]

UNTOUCHED = [
    "村口路灯坏了三天，晚上看不见路。",
    "码头边的垃圾桶满了，没人清理，小区里味道很大。",
    "希望在2026年前把老街的路修好，投资大约300万元。",
    "请老师们在学校门口放慢车速，小孩上学很危险。",
    "已联系白泉镇城建办，12月3号来修，预计两天完工。",
]


@pytest.mark.parametrize(("text", "taken", "expected"), CASES, ids=[f"text-{n}" for n in range(len(CASES))])
def test_names_numbers_ids_and_house_numbers_are_taken_out_and_reported(text, taken, expected):
    result = deidentify(text)
    assert result.text == expected
    removed = [r.text for r in result.removed]
    assert sorted(removed) == sorted(taken)
    assert all(r.label for r in result.removed)


@pytest.mark.parametrize("text", UNTOUCHED)
def test_ordinary_texts_are_left_as_they_are(text):
    result = deidentify(text)
    assert (result.text, result.removed) == (text, [])


@pytest.mark.parametrize("text", [case[0] for case in CASES])
def test_the_output_of_the_de_identifier_passes_it_again_unchanged(text):
    once = deidentify(text).text
    again = deidentify(once)
    assert (again.text, again.removed) == (once, [])


def test_the_villagers_own_name_is_taken_out_wherever_it_stands():
    result = deidentify("林秀英反映的事，林秀英本人也来过两次。", names=["林秀英"])
    assert result.text == "林某反映的事，林某本人也来过两次。"
    assert [r.text for r in result.removed] == ["林秀英", "林秀英"]
    assert result.counts() == {"name": 2}
