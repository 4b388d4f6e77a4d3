"""`manage.py seed_demo`: idempotent, every lifecycle state present, consistent timelines, and
the demo accounts see exactly their part of the network.

Seeding takes seconds, so it runs once per module (twice, to compare the counts) inside a
transaction that is rolled back at the end; each test runs in a savepoint within it.
"""

import itertools
from collections import defaultdict
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from demo.data import BAIQUAN, DEFAULT_PASSWORD, MAIN_ACCOUNTS, RAILWAY, SHOPS, XIUSHAN
from issues.models import Issue, IssueEvent, State
from issues.selectors import issues_visible_to
from stations.models import Region, Station


def _counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("seed_demo", stdout=out)
        first = _counts()
        call_command("seed_demo", stdout=out)
        second = _counts()
        yield {"first": first, "second": second, "output": out.getvalue()}
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return seeded


def _user(username):
    return get_user_model().objects.get(username=username)


def _station(name) -> Station:
    return Station.objects.get(name=name)


def test_seeding_twice_changes_no_count(demo):
    assert demo["first"] == demo["second"]
    assert Issue.objects.exclude(channel="activity").count() == 300
    assert demo["first"]["deputies.Deputy"] >= 20
    assert "demo_deputy_a" in demo["output"]
    assert DEFAULT_PASSWORD in demo["output"]


def test_every_state_is_present(demo):
    present = set(Issue.objects.values_list("state", flat=True))
    assert present == set(State.values)
    assert Issue.objects.filter(round__gt=1).exists()  # handled again after a low rating
    open_states = [State.SUBMITTED, State.ACCEPTED, State.REVIEWED, State.ASSIGNED]
    assert Issue.objects.filter(state__in=open_states, deadline__lt=timezone.now()).count() >= 3  # overdue
    assert not Issue.objects.filter(state=State.REJECTED, rejection_reason="").exists()


def test_timelines_are_consistent(demo):
    now = timezone.now()
    events = defaultdict(list)
    for event in IssueEvent.objects.order_by("issue_id", "created_at", "id"):
        events[event.issue_id].append(event)
    for issue in Issue.objects.all():
        timeline = events[issue.pk]
        assert timeline, issue.source_ref
        assert timeline[0].action == "submit"
        assert timeline[0].created_at == issue.created_at
        assert [e.pk for e in timeline] == sorted(e.pk for e in timeline), "events are stored in time order"
        assert timeline[-1].to_state == issue.state, issue.source_ref
        assert all(e.created_at <= now for e in timeline)
        assert issue.updated_at == timeline[-1].created_at
        for before, after in itertools.pairwise(timeline):
            assert before.created_at <= after.created_at
            assert after.from_state == before.to_state or after.action in ("extend", "reveal_phone")
    assert Issue.objects.filter(created_at__gt=now).count() == 0
    assert Issue.objects.filter(created_at__lt=now - timezone.timedelta(days=121)).count() == 0


def test_the_railway_point_is_the_busiest(demo):
    railway = Issue.objects.filter(station=_station(RAILWAY)).count()
    for station in Station.objects.exclude(name=RAILWAY):
        assert Issue.objects.filter(station=station).count() < railway


def test_demo_accounts_log_in(demo, client):
    for username in MAIN_ACCOUNTS:
        user = _user(username)
        assert user.check_password(DEFAULT_PASSWORD), username
        assert user.is_staff and user.is_active
        assert user.first_name and user.last_name
    assert _user("demo_admin").is_superuser
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "demo_station_staff", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302, response.content[:500]
    assert client.session.get("_auth_user_id") == str(_user("demo_station_staff").pk)


def test_scopes_of_the_demo_accounts(demo):
    railway, baiquan, xiushan = _station(RAILWAY), _station(BAIQUAN), _station(XIUSHAN)
    shops = Station.objects.filter(name__in=SHOPS)

    for username in ("demo_deputy_a", "demo_station_staff"):
        visible = issues_visible_to(_user(username))
        assert visible.filter(station=railway).count() == Issue.objects.filter(station=railway).count() > 0
        assert not visible.filter(station=xiushan).exists()
        assert not visible.filter(station__in=shops).exists()
    assert _user("demo_deputy_a").deputy.stationings.filter(station=railway, kind="resident").exists()

    township = issues_visible_to(_user("demo_township_staff"))
    baiquan_cases = Issue.objects.filter(station__in=[railway, baiquan])
    assert township.count() == baiquan_cases.count()
    assert set(township.values_list("pk", flat=True)) == set(baiquan_cases.values_list("pk", flat=True))
    assert township.filter(station=baiquan).exists()

    deputy_b = issues_visible_to(_user("demo_deputy_b"))
    assert deputy_b.filter(station=xiushan).count() == Issue.objects.filter(station=xiushan).count() > 0
    assert not deputy_b.filter(station__in=[railway, baiquan]).exists()

    assert issues_visible_to(_user("demo_admin")).count() == Issue.objects.count()

    # 定海区's administrator: every case of the county's stations (白泉镇 is one of its townships).
    county = issues_visible_to(_user("demo_county_admin"))
    county_path = Region.objects.get(code="330902").path
    dinghai = Issue.objects.filter(station__region__path__startswith=county_path)
    assert set(county.values_list("pk", flat=True)) == set(dinghai.values_list("pk", flat=True))
    assert county.filter(station=railway).exists() and not county.filter(station=xiushan).exists()


def test_password_option_changes_the_passwords(demo):
    call_command("seed_demo", password="another-secret-9", stdout=StringIO())
    for username in MAIN_ACCOUNTS:
        user = _user(username)
        assert user.check_password("another-secret-9")
        assert not user.check_password(DEFAULT_PASSWORD)
    assert Issue.objects.exclude(channel="activity").count() == 300


def test_shop_duty_slots_rotate_on_the_15th(demo):
    from stations.models import DutySlot

    slots = DutySlot.objects.filter(station__name__in=SHOPS)
    assert slots.count() == 8 * len(SHOPS)
    assert set(slots.values_list("date__day", flat=True)) == {15}
    for shop in SHOPS:
        assert slots.filter(station__name=shop).values("deputy").distinct().count() == 2
