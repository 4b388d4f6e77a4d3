"""The tracking link is the villager's only key to their case: unguessable, unique, and what it
shows holds no staff names and no internal notes."""

import dataclasses
import math
import re
import string
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from issues import services
from issues.models import Channel, Issue, Rating, State, new_short_code
from issues.permissions import VILLAGER
from issues.selectors import PublicEvent, issue_by_tracking_code, public_timeline
from issues.tests.lifecycle import REOPEN_REASON, REPLY_TEXT, drive_to

URL_SAFE = set(string.ascii_letters + string.digits + "-_")
CASES = 2000


@pytest.fixture
def many_codes(world):
    """Tracking codes of 2,000 stored cases (bulk-created: the codes are the model's defaults)."""
    Issue.objects.bulk_create(
        Issue(channel=Channel.STATION_QR, station=world.railway_point, content=f"第{n}件事情的描述")
        for n in range(CASES)
    )
    return list(Issue.objects.values_list("tracking_code", flat=True))


def test_tracking_codes_of_two_thousand_cases_are_unique_and_unguessable(many_codes):
    assert len(many_codes) == CASES
    assert len(set(many_codes)) == CASES
    for code in many_codes:
        assert len(code) >= 22  # 22 URL-safe characters carry 128 bits
        assert set(code) <= URL_SAFE
    # Estimate the randomness from the codes themselves: log2 of how many characters each
    # position takes. 2,000 draws show nearly all 64 symbols at a truly random position; a
    # counter, a timestamp or a hash of the id would show far fewer.
    length = min(len(code) for code in many_codes)
    bits = sum(math.log2(len({code[i] for code in many_codes})) for i in range(length))
    assert bits >= 80


def test_short_codes_read_aloud_draw_every_character_evenly():
    codes = [new_short_code() for _ in range(10_000)]
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", code) for code in codes)
    counts = Counter(char for code in codes for char in code.replace("-", ""))
    assert len(counts) == 31  # no 0/O, 1/I/L
    # 80,000 draws over 31 characters: a chi-square with 30 degrees of freedom passes 80 about
    # once in 400,000 runs; the modulo bias of taking every byte (256 % 31) would reach ~220.
    expected = 80_000 / 31
    assert sum((n - expected) ** 2 / expected for n in counts.values()) < 80


def test_cases_submitted_through_the_service_get_distinct_codes(world):
    issues = [world.submit() for _ in range(30)]
    assert len({issue.tracking_code for issue in issues}) == 30
    assert len({issue.short_code for issue in issues}) == 30


def test_tracking_code_finds_its_case(world):
    issue = world.submit()
    assert issue_by_tracking_code(issue.tracking_code) == issue


def test_short_code_never_finds_a_case(world):
    issue = world.submit()
    short = issue.short_code
    for attempt in (short, short.replace("-", ""), short.lower(), f" {short} "):
        assert issue_by_tracking_code(attempt) is None


@pytest.mark.parametrize("code", ["", None, "x" * 65])
def test_empty_or_overlong_code_finds_nothing(world, code):
    world.submit()
    assert issue_by_tracking_code(code) is None


def test_tracking_code_must_match_exactly(world):
    issue = world.submit()
    code = issue.tracking_code
    for attempt in (code[:-1], code + "A", code.swapcase() if code.swapcase() != code else code[::-1]):
        assert issue_by_tracking_code(attempt) is None


# --- the public timeline ---------------------------------------------------------------------------

INTERNAL = "内部：申请人情绪激动，注意沟通方式"


@pytest.fixture
def full_history(world):
    """A case that went through every public step and every kind of internal note."""
    user_model = get_user_model()
    for username, first, last in [("station_staff", "小明", "王"), ("admin", "建国", "李")]:
        user_model.objects.filter(username=username).update(first_name=first, last_name=last)
    world.station_staff.refresh_from_db()
    staff = world.actor("station_staff")
    issue = world.submit(submitter_phone="13800138000", submitter_name="赵大爷")
    services.issue_accept(actor=staff, issue_id=issue.pk, note=INTERNAL + "（受理）")
    services.issue_review(actor=staff, issue_id=issue.pk, note=INTERNAL + "（审核）")
    services.issue_extend_deadline(
        actor=staff,
        issue_id=issue.pk,
        deadline=Issue.objects.get(pk=issue.pk).deadline + timedelta(days=3),
        reason=INTERNAL + "（延期）",
    )
    services.issue_assign(actor=staff, issue_id=issue.pk, department_id=world.department.pk, note=INTERNAL + "（交办）")
    services.issue_reveal_contact(actor=staff, issue_id=issue.pk)
    services.issue_reply(actor=staff, issue_id=issue.pk, text=REPLY_TEXT)
    services.issue_evaluate(actor=VILLAGER, issue_id=issue.pk, rating=Rating.UNSATISFIED, comment="还是不亮")
    services.issue_reply(actor=world.actor("admin"), issue_id=issue.pk, text="已更换灯具。")
    services.issue_reopen(actor=staff, issue_id=issue.pk, reason=REOPEN_REASON)
    issue.refresh_from_db()
    assert issue.state == State.ASSIGNED
    return issue


def test_public_timeline_shows_no_staff_names_and_no_internal_notes(world, full_history):
    timeline = public_timeline(full_history)
    text = " ".join(f"{event.title} {event.message}" for event in timeline)
    for secret in ("王", "小明", "李", "建国", "station_staff", "admin", "内部", "13800138000", "赵大爷"):
        assert secret not in text
    assert [field.name for field in dataclasses.fields(PublicEvent)] == ["at", "action", "title", "message"]


def test_public_timeline_keeps_the_villagers_steps_and_leaves_out_staff_only_events(world, full_history):
    actions = [event.action for event in public_timeline(full_history)]
    assert actions == [
        "submit",
        "accept",
        "review",
        "assign",
        "reply",
        "evaluate",
        "reopen",
        "reply",
        "reopen",
    ]
    messages = [event.message for event in public_timeline(full_history)]
    assert REPLY_TEXT in messages
    assert REOPEN_REASON in messages
    assert "还是不亮" in messages
    assert world.department.name in " ".join(event.title for event in public_timeline(full_history))


def test_public_timeline_of_a_rejected_case_gives_the_reason(world):
    issue = drive_to(world, State.REJECTED)
    last = public_timeline(issue)[-1]
    assert last.action == "reject"
    assert last.message == issue.rejection_reason != ""
