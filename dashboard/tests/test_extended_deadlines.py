"""Extended deadlines are shown to supervisors: how many open cases have one in their current
round, with the deadline before the first extension."""

from datetime import timedelta

import pytest
from django.test import Client

from dashboard.selectors import extended_cases
from issues.permissions import Actor
from issues.selectors import issues_visible_to
from issues.services import issue_accept, issue_extend_deadline, issue_reply, issue_review

pytestmark = pytest.mark.django_db


def extend(world, issue, days: int):
    issue.refresh_from_db()
    return issue_extend_deadline(
        actor=Actor.of(world.station_staff),
        issue_id=issue.pk,
        deadline=issue.deadline + timedelta(days=days),
        reason="等待村委会出具证明",
    )


def test_open_cases_with_an_extension_are_counted_and_listed_with_their_first_deadline(world):
    staff = Actor.of(world.station_staff)
    twice, once, answered, untouched = (world.submit() for _ in range(4))
    original = twice.deadline
    extend(world, twice, 1)
    extend(world, twice, 1)
    extend(world, once, 2)
    extend(world, answered, 1)
    issue_accept(actor=staff, issue_id=answered.pk)
    issue_review(actor=staff, issue_id=answered.pk)
    issue_reply(actor=staff, issue_id=answered.pk, text="已处理。")  # no longer open

    shown = extended_cases(issues_visible_to(world.township_staff))

    assert shown["total"] == 2
    assert [row["short_code"] for row in shown["rows"]] == [twice.short_code, once.short_code]
    first = shown["rows"][0]
    assert first["times"] == 2
    assert first["original_deadline"] == original
    assert first["deadline"] == original + timedelta(days=2)
    assert untouched.short_code not in {row["short_code"] for row in shown["rows"]}


def test_the_dashboard_shows_the_extensions_panel_only_for_the_users_scope(world):
    mine = world.submit()
    theirs = world.submit(deputy=world.deputy_b)
    extend(world, mine, 1)
    issue_extend_deadline(
        actor=Actor.of(world.admin),
        issue_id=theirs.pk,
        deadline=theirs.deadline + timedelta(days=1),
        reason="等材料",
    )
    client = Client()
    client.force_login(world.township_staff)
    page = client.get("/dashboard/").content.decode()
    assert 'id="extended"' in page
    assert mine.short_code in page and theirs.short_code not in page
    assert "延期" in page
