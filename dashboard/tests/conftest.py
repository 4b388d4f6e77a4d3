from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from issues import clock
from issues.models import Forwarding
from issues.services import (
    issue_accept,
    issue_assign,
    issue_close_unevaluated,
    issue_evaluate,
    issue_reject,
    issue_reply,
    issue_review,
)
from stations.models import DutySlot
from testsupport.twofactor import complete_two_factor, verified_login

# Tuesday 30 September 2025, the eve of the National Day holiday (1–8 October; Saturday 11
# October is a make-up working day): five working days after it end on 14 October.
T0 = timezone.make_aware(datetime(2025, 9, 30, 9, 0))
NOW = T0 + timedelta(days=30)
PERIOD = {"period": "custom", "start": "2025-09-01", "end": "2025-10-31"}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen_now():
    with clock.frozen_at(NOW):
        yield NOW


@pytest.fixture
def cases(world):
    """At T0 in 白泉镇: one rejected, one waiting, one accepted, four replied after 1–4 hours
    (satisfied; basically satisfied; unsatisfied and so reopened; closed without a rating) and
    one accepted by deputy A, handed to a department (delivered 5 s after the hand-over) and
    replied 9 calendar days later, across the holiday, still on time. One case in 秀山乡.
    A reception day of deputy A in the period, one of deputy B in 秀山乡."""
    staff = world.actor("station_staff")
    with clock.frozen_at(T0):
        rejected = world.submit(submitter_phone="13812345678", content='=HYPERLINK("http://evil")')
        issue_reject(actor=staff, issue_id=rejected.pk, reason="不属于受理范围")
        waiting = world.submit()
        accepted = world.submit()
        issue_accept(actor=staff, issue_id=accepted.pk)
        satisfied = world.replied(staff, at=T0 + timedelta(hours=1))
        basically = world.replied(staff, at=T0 + timedelta(hours=2))
        unsatisfied = world.replied(staff, at=T0 + timedelta(hours=3))
        closed = world.replied(staff, at=T0 + timedelta(hours=4))
        holiday = world.submit()
        issue_accept(actor=world.actor("deputy_a_user"), issue_id=holiday.pk)
        issue_review(actor=staff, issue_id=holiday.pk)
        xiushan = world.submit(deputy=world.deputy_b, content="秀山乡码头的灯坏了")
    with clock.frozen_at(T0 + timedelta(hours=2)):
        issue_assign(actor=staff, issue_id=holiday.pk, department_id=world.department.pk)
    Forwarding.objects.filter(issue=holiday).update(
        status=Forwarding.Status.DELIVERED, delivered_at=T0 + timedelta(hours=2, seconds=5)
    )
    with clock.frozen_at(T0 + timedelta(hours=12)):
        issue_evaluate(issue_id=satisfied.pk, rating="satisfied")
        issue_evaluate(issue_id=basically.pk, rating="basically_satisfied")
        issue_evaluate(issue_id=unsatisfied.pk, rating="unsatisfied", comment="还是不亮")
    with clock.frozen_at(T0 + timedelta(days=9)):
        issue_reply(actor=staff, issue_id=holiday.pk, text="已修复")
    with clock.frozen_at(NOW):
        issue_close_unevaluated(issue_id=closed.pk)
    DutySlot.objects.create(deputy=world.deputy_a, station=world.railway_point, date=date(2025, 10, 15))
    DutySlot.objects.create(deputy=world.deputy_b, station=world.xiushan_station, date=date(2025, 10, 15))
    return {
        "rejected": rejected,
        "waiting": waiting,
        "accepted": accepted,
        "unsatisfied": unsatisfied,
        "holiday": holiday,
        "xiushan": xiushan,
    }


@pytest.fixture
def login(client, world):
    def as_(name: str):
        user = getattr(world, name)
        if user.is_superuser:  # superusers have passed two-step verification (accounts.policy)
            return verified_login(client, user)
        client.force_login(user)
        return client

    return as_


@pytest.fixture
def plain_static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _live_figures(settings):
    """Tests compute the figures live unless they test the snapshots."""
    settings.DASHBOARD_SNAPSHOT_MAX_AGE = 0


DEMO_PASSWORD = "demo-password-123"


@pytest.fixture
def demo_data(settings, plain_static):
    """The seed's demo data (the whole city: 9 stations, 24 deputies, ~300 cases) for the browser
    tests, which need a live server and so a committed database (transaction=True)."""
    import io

    from django.core.management import call_command

    call_command("seed_demo", password=DEMO_PASSWORD, stdout=io.StringIO())


@pytest.fixture
def signed_in(browser, live_server, demo_data):
    """A browser page signed in as one of the demo accounts; closed after the test."""
    contexts = []

    def sign_in(username: str, *, width: int = 1440, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/login/?next=/dashboard/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("[type=submit]")
        complete_two_factor(page, get_user_model().objects.get(username=username))
        page.wait_for_url("**/dashboard/")
        return page

    yield sign_in
    for context in contexts:
        context.close()
