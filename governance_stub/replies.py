"""What the stand-in platform's departments write back when they answer by themselves (the demo's
automatic reply): a department's answer in whole sentences, naming the department the case was
given to, quoting the case only up to a sentence or clause boundary, and, in a later round
(the villager was not satisfied and the station assigned it again), a different answer that
says so and what was done further.

The choice among the templates is a hash of the case's idempotency key, so the same case and
round always read the same (tests can check it) while a batch of cases does not all read alike.
The stub cannot know the portal's categories, so a category is sorted into a kind by words in
its name, as a platform's dispatcher would by eye."""

import hashlib
import re

SUMMARY_LIMIT = 30
# Where a quotation may end: after a sentence (。！？!?) or a clause (；，、;,：:).
_BOUNDARY = re.compile(r"[。！？!?；;，,、：:]")
_SENTENCE_END = "。！？!?；;，,、：:…. "

# (kind, words in a category's name that mark it), checked in this order: 环境卫生 is sanitation,
# not health.
KINDS = [
    ("land", ("征地", "拆迁", "补偿")),
    ("environment", ("环境", "垃圾", "保洁", "污染")),
    ("fishery", ("渔",)),
    ("transport", ("交通", "出行", "公交", "客船", "航线")),
    ("utilities", ("基础设施", "水电", "供水", "供电", "道路", "路灯")),
    ("welfare", ("养老", "社会保障", "社保", "救助", "教育", "医疗", "卫生")),
]

# First answers: {dept} and {about} (“…” with the quoted case, or a plain phrase) are filled in.
FIRST_ROUND = {
    "land": [
        "您好！{dept}已收到您反映的{about}。专班已调阅相关协议和测量记录，补偿按已公布的方案执行，"
        "工作人员将在五个工作日内与您当面核对。感谢您对项目建设的理解和支持。",
        "{dept}答复：关于您反映的{about}，我们已会同项目指挥部逐项核对，漏登的部分已补录，"
        "补偿款将随下一批次发放。如有疑问，可到镇政策处理窗口咨询。",
    ],
    "environment": [
        "您好！{dept}已收到您反映的{about}。我们已安排保洁人员清理，并把该处的清运改为每日一次，"
        "今后每周检查。感谢您的监督。",
        "{dept}答复：经现场查看，您反映的{about}属实。我们已督促责任单位整改，整改前后情况已拍照存档，欢迎您继续监督。",
    ],
    "fishery": [
        "您好！{dept}已收到您反映的{about}。我局已派技术人员到村里了解情况，相关政策和补助的申领办法"
        "已告知村委会，您可以就近咨询办理。",
        "{dept}答复：您反映的{about}已收悉。我们已与渔港管理部门对接，相关设施的检修已列入本月计划，"
        "完成后将通过联络站告知您。",
    ],
    "transport": [
        "您好！{dept}已收到您反映的{about}。我局已会同运营单位研究，将调整相关班次，"
        "新的时刻表会在站点和村务公开栏公示。感谢您的建议。",
        "{dept}答复：关于您反映的{about}，我们已组织人员实地踏勘，临时警示标志已设置完毕，后续改造已列入年度计划。",
    ],
    "utilities": [
        "您好！{dept}已收到您反映的{about}。我们当天安排工作人员到现场查看，已联系施工单位完成维修，"
        "并将该处纳入日常巡查。",
        "{dept}答复：经现场核实，您反映的{about}情况属实。维修方案已确定，预计两周内完成，"
        "届时将通过联络站告知您。感谢您对家乡建设的关心。",
    ],
    "welfare": [
        "您好！{dept}已收到您反映的{about}。我们已与相关单位对接，符合条件的将按规定办理，"
        "工作人员会电话联系您说明办理流程。",
        "{dept}答复：关于您反映的{about}，我们已上门了解情况，并把可以享受的政策和办理地点告知了您的家人。"
        "如还有困难，请通过联络站再次反映。",
    ],
    "general": [
        "您好！{dept}已收到您反映的{about}，已转交责任单位核实处理。处理结果将通过联络站向您反馈，感谢您的反映。",
        "{dept}答复：您反映的{about}已收悉。我们已协调有关部门研究解决，并明确专人跟进。"
        "如有新的情况，请随时通过联络站告诉我们。",
    ],
}

# A later round: the acknowledgement, what was done further (per kind), and the commitment.
LATER_ROUND_OPENINGS = [
    "您对上次的答复不满意，{dept}对此高度重视，由负责同志带队再次核实了您反映的{about}。",
    "{dept}收到了您对上次处理结果的意见，对给您带来的不便表示歉意，并重新核查了您反映的{about}。",
]
LATER_ROUND_FURTHER = {
    "land": "我们请第三方评估机构重新测量了面积，差额部分已报批补发，并把核算明细书面交给您。",
    "environment": "我们约谈了保洁承包单位，改为每日清运，并在现场公示了监督电话。",
    "fishery": "我们请区里的专家到现场指导，补助材料已由工作人员上门代办。",
    "transport": "我们与运营单位重新测算了客流，高峰时段已增开班次，并在站点安排了专人引导。",
    "utilities": "上次的维修不够彻底，我们已责成施工单位返工，更换了损坏的部件，并请监理验收。",
    "welfare": "我们会同村里再次上门，帮您把材料补齐，已按程序报批。",
    "general": "我们召集相关单位现场协调，明确了牵头单位和完成时限。",
}
LATER_ROUND_CLOSINGS = [
    "完成后，我们将请联络站陪同您一起查看，直到问题解决。",
    "后续进展将每周通过联络站告知您，欢迎您继续监督。",
]


def kind_of(category: str) -> str:
    for kind, words in KINDS:
        if any(word in category for word in words):
            return kind
    return "general"


def summary(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """The case's first words, ending at a sentence or clause boundary, with … when cut; empty
    when the first clause alone is longer than `limit` (then nothing is quoted)."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat.rstrip(_SENTENCE_END)
    cut = 0
    for match in _BOUNDARY.finditer(flat, 0, limit + 1):
        cut = match.start()
    head = flat[:cut].rstrip(_SENTENCE_END)
    return f"{head}…" if head else ""


def compose(*, department: str, category: str, content: str, round: int, key: str) -> str:
    """The automatic answer to one case in one round (`key`: the case's idempotency key)."""
    pick = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    kind = kind_of(category)
    quoted = summary(content)
    values = {"dept": department, "about": f"“{quoted}”" if quoted else "问题"}
    if round <= 1:
        templates = FIRST_ROUND[kind]
        return templates[pick % len(templates)].format(**values)
    opening = LATER_ROUND_OPENINGS[pick % len(LATER_ROUND_OPENINGS)].format(**values)
    closing = LATER_ROUND_CLOSINGS[(pick // len(LATER_ROUND_OPENINGS)) % len(LATER_ROUND_CLOSINGS)]
    return opening + LATER_ROUND_FURTHER[kind] + closing
