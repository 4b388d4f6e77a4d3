"""Similar cases (相似事项): the open cases of the same station whose text is close to a case's,
so that staff see the ten neighbours reporting the same broken street light as one problem.

Chinese has no spaces and PostgreSQL's trigrams are weak on it, so the comparison is done here,
in Python, on character bigrams (二元字串): "路灯坏了" → 路灯 灯坏 坏了. Each bigram is weighted by how
rare it is among the station's open cases (inverse document frequency), so that words every
report shares (村里, 晚上) count little and the thing reported (路灯, 垃圾, 公交) counts much; the
score is the cosine of the two weighted sets, 0 to 1. Pure Python over rows read from the
database: the same answers on SQLite and PostgreSQL.
"""

import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from issues.models import OPEN_STATES, Issue
from issues.selectors import issues_visible_to

# Below this a suggestion is noise (two reports sharing a village name and little else).
MINIMUM_SCORE = 0.1
LIMIT = 5
# A shared character (护栏 / 栏杆) counts, but far less than a shared word.
UNIGRAM_WEIGHT = 0.4
# Bigrams of how people write to a deputy, not of what they write about.
STOP_BIGRAMS = frozenset(
    [
        "希望",
        "我们",
        "已经",
        "一个",
        "没有",
        "这个",
        "那个",
        "问题",
        "反映",
        "请求",
        "尽快",
        "解决",
        "能否",
        "可以",
        "什么",
        "还是",
        "现在",
        "因为",
        "所以",
        "但是",
        "一下",
        "一些",
        "有关",
        "相关",
        "部门",
        "领导",
        "代表",
        "你们",
        "他们",
        "大家",
        "谢谢",
        "麻烦",
    ]
)
# Particles, measure words and pronouns: a bigram holding one says how, not what ("坏了", "几天").
STOP_CHARACTERS = "了的得地着很都也在是就还又把被让给和跟与呢吗吧啊呀那这个些几么其我你他她它"
_RUNS = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_SPLIT = re.compile(f"[{STOP_CHARACTERS}]+")


@lru_cache(maxsize=50_000)
def bigrams(text: str) -> frozenset[str]:
    """The character bigrams and single characters of `text`: within runs of Chinese characters,
    letters and digits (punctuation, spaces and the stop characters break a run), full-width
    forms folded, stop bigrams left out."""
    folded = unicodedata.normalize("NFKC", text).lower()
    grams: set[str] = set()
    for part in _RUNS.findall(folded):
        for run in _SPLIT.split(part):
            grams.update(run)  # single characters too, at a lower weight (UNIGRAM_WEIGHT)
            grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(grams - STOP_BIGRAMS)


# Issue.match_grams starts with this version and a checksum of the text its grams are of: grams
# of another version, or of a text that changed since (a transcript typed, a row edited by
# hand), are worked out again from the text. Change the version whenever bigrams() changes.
GRAMS_VERSION = "g1"


def matching_text(content: str, transcript: str) -> str:
    """What a case is matched on (Issue.text_for_matching): its text and its voice transcript."""
    return "\n".join(part for part in (content, transcript) if part)


def _header(text: str) -> str:
    return f"{GRAMS_VERSION}:{zlib.crc32(text.encode()):08x}"


def stored_grams(text: str) -> str:
    """Issue.match_grams for `text`: the header, then the sorted grams, space-separated (a gram
    never holds a space)."""
    return " ".join((_header(text), *sorted(bigrams(text))))


def _grams(text: str, stored: str) -> frozenset[str]:
    """The stored grams when they are of this text and version, else worked out now."""
    header, _sep, grams = stored.partition(" ")
    return frozenset(grams.split()) if header == _header(text) else bigrams(text)


def _weight(count: int, total: int, gram: str) -> float:
    return (math.log((total + 1) / (count + 1)) + 1) * (UNIGRAM_WEIGHT if len(gram) == 1 else 1.0)


@dataclass(frozen=True)
class _Corpus:
    """A station's open cases as the ranking needs them: each case's grams and norm, and each
    gram's squared weight. Depends on the cases only, not on the case compared with them."""

    candidates: tuple[tuple[int, str], ...]
    grams: tuple[frozenset[str], ...]
    norms: tuple[float, ...]
    squared: dict[str, float]

    @classmethod
    def of(cls, candidates: tuple[tuple[int, str], ...], stored: dict[int, str]) -> "_Corpus":
        """From (id, text) pairs, and the grams stored for them by id (Issue.match_grams)."""
        grams = tuple(_grams(text, stored.get(pk, "")) for pk, text in candidates)
        frequency: Counter[str] = Counter()
        for found in grams:
            frequency.update(found)
        total = len(grams)
        squared = {gram: _weight(count, total, gram) ** 2 for gram, count in frequency.items()}
        # map() over dict lookups: C-speed loops over thousands of cases.
        norms = tuple(math.sqrt(sum(map(squared.__getitem__, found))) for found in grams)
        return cls(candidates=candidates, grams=grams, norms=norms, squared=squared)


# The last few stations' corpora, kept while their open cases and texts stay exactly the same
# (compared in full on every use, so a closed, new or changed case builds a new one): the case
# page of a busy station then costs one intersection per open case.
_CORPORA: dict[tuple, _Corpus] = {}
_CORPORA_KEPT = 16


def _corpus(candidates: list[tuple[int, str]], stored_grams_of: Callable[[], dict[int, str]] | None) -> _Corpus:
    key = tuple(candidates)
    found = _CORPORA.get(key)
    if found is None:
        found = _Corpus.of(key, stored_grams_of() if stored_grams_of else {})
        while len(_CORPORA) >= _CORPORA_KEPT:
            _CORPORA.pop(next(iter(_CORPORA)), None)
        _CORPORA[key] = found
    return found


def rank(
    query: str, candidates: list[tuple[int, str]], stored_grams_of: Callable[[], dict[int, str]] | None = None
) -> list[tuple[int, float]]:
    """(id, score) of the candidates (id, text), best first (ties by id), scored against `query`:
    the cosine of their gram sets, each gram weighted by its inverse document frequency among the
    candidates (and single characters less than bigrams). `stored_grams_of` gives the grams
    stored for the candidates by id, asked only when their corpus is not already kept."""
    wanted = bigrams(query)
    if not wanted or not candidates:
        return []
    corpus = _corpus(candidates, stored_grams_of)
    total = len(corpus.grams)
    squared = corpus.squared
    query_norm = math.sqrt(sum(squared.get(gram) or _weight(0, total, gram) ** 2 for gram in wanted))
    scored = []
    for (pk, _text), found, norm in zip(corpus.candidates, corpus.grams, corpus.norms, strict=True):
        shared = wanted & found
        if shared:
            scored.append((pk, sum(map(squared.__getitem__, shared)) / (query_norm * norm)))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored


@dataclass(frozen=True)
class SimilarCase:
    issue: Issue
    score: float
    same_category: bool

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def similar_cases(user, issue: Issue, *, limit: int = LIMIT, minimum: float = MINIMUM_SCORE) -> list[SimilarCase]:
    """The open cases of `issue`'s station that this user may see, most similar first (at most
    `limit`, each scoring at least `minimum`). Two queries: the texts, then the chosen cases; and
    in a worker that has not kept the station's corpus, one for the grams stored for the texts."""
    open_cases = (
        issues_visible_to(user)
        .filter(station_id=issue.station_id, state__in=OPEN_STATES, merged_into__isnull=True)
        .exclude(pk=issue.pk)
    )
    # The text and, for a voice note, what staff typed of it (Issue.text_for_matching).
    rows = open_cases.values_list("pk", "content", "voice_note__transcript")
    candidates = [(pk, matching_text(content, transcript)) for pk, content, transcript in rows]

    def stored_grams_of() -> dict[int, str]:  # a fresh worker reads them instead of working out thousands
        return dict(open_cases.values_list("pk", "match_grams"))

    ranked = rank(issue.text_for_matching, candidates, stored_grams_of)
    best = [(pk, score) for pk, score in ranked if score >= minimum][:limit]
    found = Issue.objects.select_related("category").in_bulk([pk for pk, _score in best])
    return [
        SimilarCase(
            issue=found[pk],
            score=score,
            same_category=issue.category_id is not None and found[pk].category_id == issue.category_id,
        )
        for pk, score in best
    ]


def forget_cache() -> None:
    """Empty the process's caches of texts and corpora (a fresh worker), for benchmarks."""
    bigrams.cache_clear()
    _CORPORA.clear()
