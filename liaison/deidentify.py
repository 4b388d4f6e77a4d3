"""De-identification of a villager's text before it is shown in public (the results wall,
results.services; the open problems a station shows for "me too", issues.services.metoo):
people's names, mobile and landline numbers, ID-card numbers and house numbers are taken out,
and every removal is reported so that staff see exactly what went before they publish. Plain
text rules that know no domain model, hence here in liaison.

Rules, not a model: a name is found where Chinese writing marks one (我叫…, 联系人：…, a surname
with 阿婆, 大爷, 师傅, 先生…, 老王 and 小李) or where it is known (the villager's own name); a
number by its shape. Replacements keep the text readable: 王阿婆 → 王某, a mobile → [手机号],
12号 → ×号. Running it again on its own output finds nothing, which is what the publish check
relies on."""

import re
from dataclasses import dataclass, field

# The commonest Chinese surnames (over four in five people bear one of them).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "汤俞舒翁虞柴童鲍缪"
)
_S = f"[{SURNAMES}]"
# Surnames that are also everyday words after 老/小 (老师, 小石子, 小龙虾, 老方法…) are left out there.
_S_AFTER_OLD_YOUNG = "[" + "".join(c for c in SURNAMES if c not in "石龙方白金江万史任田") + "]"
# A character of a given name: a Chinese character that is not a common little word.
_HAN = r"(?:(?![的了是在和与跟说家这那个位些们我你他她它就都也还])[\u4e00-\u9fff])"
TITLES = (
    "阿婆|阿公|阿姨|阿伯|阿叔|阿娘|大爷|大妈|大娘|大伯|大叔|大姐|大哥|老伯|老太|奶奶|爷爷|婆婆|师傅|先生|女士|"
    "小姐|老师|书记|主任|村长|医生|同志|老人"
)
# Where a name ends: punctuation, a space, or a word that follows names in a sentence.
_NAME_END = (
    r"(?=[，,。.；;：:、！!？?）)\s]|$|在|住|家|的|说|是|和|与|跟|今年|反映|电话|手机|身份证|联系|来|去|也|都|已|向)"
)
_CUE = (
    r"(?:我叫|我是|本人|名叫|叫做|村民|老人|"
    r"(?:姓名|联系人|户主|经办人|委托人)[:：]?\s*)"
)
_PLACE_END = set("村镇乡路街区县市桥港岛湾山岙弄巷队组")

KINDS = {
    "name": "姓名",
    "mobile": "手机号码",
    "phone": "电话号码",
    "id_number": "身份证号码",
    "house_number": "门牌号",
}


@dataclass(frozen=True)
class Removal:
    kind: str  # a key of KINDS
    text: str  # what was taken out

    @property
    def label(self) -> str:
        return KINDS[self.kind]


@dataclass
class Deidentified:
    text: str
    removed: list[Removal] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for removal in self.removed:
            found[removal.kind] = found.get(removal.kind, 0) + 1
        return found


_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{6}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[0-9Xx]|\d{15})(?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d){8}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}[\s-]?[2-8]\d{6,7}(?!\d)")
_HOUSE = re.compile(r"(?<![\d月])\d{1,5}(?=号楼|号院|号|幢|栋|单元|室|弄)")
_CUED_NAME = re.compile(rf"(?P<cue>{_CUE})(?P<name>{_S}{_HAN}{{1,2}}?){_NAME_END}")
_TITLED_NAME = re.compile(rf"(?P<name>{_S}{_HAN}{{0,2}}?)(?P<title>{TITLES})")
_OLD_YOUNG = re.compile(rf"(?P<name>[老小]{_S_AFTER_OLD_YOUNG}){_NAME_END}")


def _pseudonym(name: str) -> str:
    """王秀英 → 王某; 老王 → 老某."""
    return name[0] + "某"


def deidentify(text: str, *, names: tuple[str, ...] | list[str] = ()) -> Deidentified:
    """`text` with the personal data in it replaced, and what was removed, in order of kind."""
    removed: list[Removal] = []

    def sub(pattern, kind, replacement, source):
        def replace(match):
            removed.append(Removal(kind, match.group(0).strip()))
            return replacement(match) if callable(replacement) else replacement

        return pattern.sub(replace, source)

    text = text or ""
    text = sub(_ID_NUMBER, "id_number", "[身份证号]", text)
    text = sub(_MOBILE, "mobile", "[手机号]", text)
    text = sub(_LANDLINE, "phone", "[电话]", text)
    text = sub(_HOUSE, "house_number", lambda m: "×" * min(len(m.group(0)), 2), text)

    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        if name in text:
            removed.extend(Removal("name", name) for _ in range(text.count(name)))
            text = text.replace(name, _pseudonym(name))

    def cued(match):
        name = match.group("name")
        if name[-1] in _PLACE_END or name.endswith("某"):
            return match.group(0)
        removed.append(Removal("name", name))
        return match.group("cue") + _pseudonym(name)

    text = _CUED_NAME.sub(cued, text)

    def titled(match):
        name = match.group("name")
        if name.endswith("某") or (len(name) > 1 and name[-1] in _PLACE_END):
            return match.group(0)
        removed.append(Removal("name", name + match.group("title")))
        return _pseudonym(name)

    text = _TITLED_NAME.sub(titled, text)
    text = sub(_OLD_YOUNG, "name", lambda m: m.group("name")[0] + "某", text)
    order = list(KINDS)
    removed.sort(key=lambda r: order.index(r.kind))
    return Deidentified(text=text, removed=removed)
