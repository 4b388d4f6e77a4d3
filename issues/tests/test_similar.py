"""Similar cases: for real-looking Chinese reports, the open case of the station that reports the
same problem ranks first — whether it is put in other words, or another problem shares words
with it — and the case page shows the suggestions with their similarity, from the same station's
open cases only."""

import datetime

import pytest
from django.urls import reverse

from deputies.models import Stationing
from issues.models import State
from issues.similar import MINIMUM_SCORE, bigrams, rank, similar_cases
from issues.tests.admin_support import _plain_static_files, case_in_state, client_for  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.date(2020, 1, 1)

# The open cases of the railway point: one per problem, several sharing words with another.
POOL = {
    "light": "潮面村村口那几盏路灯一直不亮，晚上走路很危险。",
    "road": "村口的路面坏了，坑坑洼洼，下雨天全是积水，晚上走路容易摔倒。",
    "garbage": "村东头垃圾桶满了好几天没人清运，味道很大。",
    "bus": "去镇上的公交车班次太少，早上要等一个多小时。",
    "bus_stop": "公交站牌被车撞坏了，等车的人不知道在哪里停。",
    "yellow_water": "自来水发黄有沉淀，烧开了也不敢喝。",
    "water_pressure": "家里自来水水压太低，二楼放不出水。",
    "noise": "铁路施工的大货车晚上开得很吵，噪音大睡不着。",
    "land": "铁路施工占了村民的菜地，补偿款还没发下来。",
    "ferry": "渡口的栏杆断了，小孩子在边上玩很危险。",
}

# A new report -> the pool's case about the same problem.
REPORTS = [
    # the same problem in other words
    ("村口路灯坏了好几天，天黑以后看不见路。", "light"),
    ("垃圾没人收，堆了一个星期，臭得很。", "garbage"),
    ("码头渡口护栏断掉了，有安全隐患。", "ferry"),
    ("大货车半夜开过村子，吵得人睡不着。", "noise"),
    # another problem shares words with the right one (公交, 自来水, 铁路施工, 村口 … 晚上走路)
    ("公交车太少了，去镇上上班要等很久。", "bus"),
    ("公交车站的站牌倒了，外地人找不到站。", "bus_stop"),
    ("自来水有股怪味，颜色发黄。", "yellow_water"),
    ("水龙头出水很小，楼上用不了水，水压不够。", "water_pressure"),
    ("铁路施工征用的菜地，补偿还没到位。", "land"),
    ("村口路面坑洼积水，下雨天没法走。", "road"),
]


@pytest.fixture
def pool(world):
    world.pool = {}
    for key, text in POOL.items():
        issue = case_in_state(world, State.ACCEPTED)
        issue.content = text  # the text as the villager wrote it
        issue.save(update_fields=["content"])
        world.pool[key] = issue
    return world


def _new_case(world, text, *, station=None):
    return world.submit(content=text, station=station) if station else world.submit(content=text)


@pytest.mark.parametrize(("report", "expected"), REPORTS, ids=[expected for _report, expected in REPORTS])
def test_the_case_reporting_the_same_problem_ranks_first(pool, report, expected):
    issue = _new_case(pool, report)
    found = similar_cases(pool.station_staff, issue, minimum=0)
    assert found[0].issue == pool.pool[expected], [(s.issue.content, round(s.score, 3)) for s in found]
    assert found[0].score >= MINIMUM_SCORE
    assert all(0 < s.score <= 1 for s in found)


def test_bigrams_break_at_punctuation_and_particles_and_fold_full_width_forms():
    assert bigrams("路灯坏了，Ａ栋") == frozenset({"路灯", "灯坏", "路", "灯", "坏", "a栋", "a", "栋"})
    assert bigrams("！！。。") == frozenset()


def test_a_text_without_characters_to_compare_suggests_nothing():
    assert rank("……", [(1, "路灯坏了")]) == []


def test_the_ranking_is_the_same_whatever_the_order_of_the_candidates():
    candidates = [(pk, text) for pk, text in enumerate(POOL.values(), start=1)]
    forward = rank(REPORTS[0][0], candidates)
    assert rank(REPORTS[0][0], list(reversed(candidates))) == forward


def test_closed_and_other_stations_cases_are_never_suggested(pool):
    world = pool
    light = world.pool["light"]
    other = _new_case(world, light.content, station=world.xiushan_station)
    replied = case_in_state(world, State.REPLIED)
    replied.content = light.content
    replied.save(update_fields=["content"])
    issue = _new_case(world, "村口路灯坏了好几天，天黑以后看不见路。")
    found = {s.issue.pk for s in similar_cases(world.admin, issue, minimum=0)}
    assert light.pk in found and issue.pk not in found
    assert other.pk not in found and replied.pk not in found


def test_a_user_is_never_shown_a_case_outside_their_scope(pool):
    world = pool
    # Sent to deputy B while visiting the railway point: after the visit B still sees this case
    # of theirs and none of the point's others; the point's staff see its case about the lamps.
    visit = Stationing.objects.create(
        deputy=world.deputy_b, station=world.railway_point, kind=Stationing.Kind.VISITING, start_date=LONG_AGO
    )
    theirs = world.submit(deputy=world.deputy_b, station=world.railway_point, content="潮面村村口的路灯不亮了。")
    Stationing.objects.filter(pk=visit.pk).update(end_date=LONG_AGO)
    world.deputy_b_user.refresh_from_db()
    assert similar_cases(world.deputy_b_user, theirs, minimum=0) == []
    assert similar_cases(world.station_staff, theirs)[0].issue == world.pool["light"]


def test_the_case_page_shows_the_similar_cases_with_their_similarity(pool):
    world = pool
    issue = _new_case(world, "村口路灯坏了好几天，天黑以后看不见路。")
    response = client_for(world, "station_staff").get(reverse("admin:issues_issue_change", args=[issue.pk]))
    body = response.content.decode()
    [first, *_rest] = response.context["similar"]
    assert first.issue == world.pool["light"]
    assert f'data-issue="{first.issue.pk}"' in body and f"{first.percent}%" in body
    assert "相似" in body


def test_the_similar_panel_costs_two_queries_however_many_cases(pool, django_assert_num_queries):
    world = pool
    issue = _new_case(world, "村口路灯坏了好几天，天黑以后看不见路。")
    similar_cases(world.station_staff, issue)  # the scope is worked out once and kept on the user
    with django_assert_num_queries(2):
        similar_cases(world.station_staff, issue)


def test_a_case_stores_the_grams_of_its_text_and_of_its_transcript_once_typed(world):
    from issues.models import Issue, VoiceNote
    from issues.services.voice import voice_transcribe
    from issues.similar import matching_text, stored_grams

    issue = world.submit(content="村口路灯坏了好几天。")
    assert Issue.objects.get(pk=issue.pk).match_grams == stored_grams("村口路灯坏了好几天。")
    VoiceNote.objects.create(issue=issue, audio="voice/x.webm", content_type="audio/webm", duration=4, size=9)
    voice_transcribe(actor=world.actor("station_staff"), issue_id=issue.pk, text="晚上看不见路")
    expected = stored_grams(matching_text("村口路灯坏了好几天。", "晚上看不见路"))
    assert Issue.objects.get(pk=issue.pk).match_grams == expected
    assert "g1:" in expected and "路灯" in expected.split()


@pytest.mark.parametrize("stored", ["", "g0:00000000 路灯", "stale"], ids=["none", "other version", "wrong text"])
def test_grams_missing_old_or_of_another_text_are_worked_out_from_the_text(pool, stored):
    from issues.models import Issue
    from issues.similar import forget_cache

    world = pool
    issue = _new_case(world, "村口路灯坏了好几天，天黑以后看不见路。")
    expected = [(s.issue.pk, s.score) for s in similar_cases(world.station_staff, issue)]
    light = world.pool["light"]
    if stored == "stale":  # the grams of a text the case no longer has
        stored = Issue.objects.get(pk=world.pool["bus"].pk).match_grams
    Issue.objects.filter(pk=light.pk).update(match_grams=stored)
    forget_cache()
    assert [(s.issue.pk, s.score) for s in similar_cases(world.station_staff, issue)] == expected
    assert expected[0][0] == light.pk
