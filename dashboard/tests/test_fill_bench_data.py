"""`manage.py fill_bench_data` fills a scratch PostgreSQL database for the dashboard benchmark:
it must keep working as the schema and the connection settings change."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from dashboard.management.commands.fill_bench_data import PASSWORD
from deputies.models import Deputy
from issues.models import Forwarding, Issue, IssueEvent, Rating
from stations.models import StaffMembership, Station
from testsupport.services import require_postgres


@pytest.mark.django_db(transaction=True)  # it ends with VACUUM, which runs outside a transaction
def test_it_fills_cases_with_their_timelines_and_refuses_a_database_that_has_cases():
    require_postgres()
    out = io.StringIO()

    call_command("fill_bench_data", cases=300, stdout=out)

    assert Issue.objects.count() == 300
    assert IssueEvent.objects.count() >= 300  # every case has at least its "submitted" event
    assert Forwarding.objects.exists()
    assert not Issue.objects.exclude(submission_key="").exists()
    assert "300 cases" in out.getvalue()
    with pytest.raises(CommandError, match="already holds cases"):
        call_command("fill_bench_data", cases=10, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_its_accounts_open_the_admin_in_their_roles_and_its_rated_cases_show_their_rating(client):
    """Benchmark data must look like real data: deputies, station staff and township staff log in
    with the bench password and open the admin in their role group; every evaluate event carries
    the case's rating, and the villager's tracking page of a rated case shows it."""
    require_postgres()
    call_command("fill_bench_data", cases=400, stdout=io.StringIO())
    user_model = get_user_model()

    stations = Station.objects.count()
    station_staff = user_model.objects.filter(username__startswith="bench_station_")
    assert station_staff.count() == stations
    assert StaffMembership.objects.filter(role="station_staff", user__in=station_staff).count() == stations
    assert set(station_staff.values_list("is_staff", flat=True)) == {True}
    assert not station_staff.exclude(groups__name="station_staff").exists()
    deputies = user_model.objects.filter(deputy__isnull=False)
    assert deputies.count() == Deputy.objects.count()
    assert not deputies.exclude(groups__name="deputy").exists()
    assert not deputies.filter(is_staff=False).exists()
    township = user_model.objects.get(username="bench_township")
    assert township.groups.filter(name="township_staff").exists()

    for username in (station_staff.first().username, deputies.first().username, "bench_township"):
        client.logout()
        login = client.post(reverse("admin:login"), {"username": username, "password": PASSWORD, "next": "/admin/"})
        assert login.status_code == 302 and login["Location"] == "/admin/", username
        assert client.get("/admin/").status_code == 200, username
        assert client.get("/admin/issues/issue/").status_code == 200, username

    evaluations = IssueEvent.objects.filter(action="evaluate")
    assert evaluations.exists()
    for event in evaluations.select_related("issue"):
        assert event.data == {"rating": event.issue.rating}
    assert not IssueEvent.objects.filter(action="assign", data={}).exists()
    rated = Issue.objects.filter(state="evaluated").first()
    response = client.get(reverse("public:track", args=[rated.tracking_code]))
    assert response.status_code == 200
    with translation.override("zh-hans"):
        line = translation.gettext("You rated the reply: %(rating)s") % {"rating": Rating(rated.rating).label}
    assert line in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_it_fills_a_province_whose_administrators_see_their_own_region_and_leaves_every_index_built(client):
    """The bench network is a province (cities, counties, townships, stations) with a province and
    a county administrator; case ids follow the time of submission as in a real database; the
    indexes dropped for the fill are all there again at the end."""
    require_postgres()
    call_command("fill_bench_data", cases=500, stdout=io.StringIO())

    from django.db import connection

    from issues.selectors import issues_visible_to
    from stations.models import Region
    from testsupport.twofactor import verified_login

    province = Region.objects.get(level=Region.Level.PROVINCE)
    assert Region.objects.filter(level=Region.Level.CITY, parent=province).count() == 2
    user_model = get_user_model()
    county_admin = user_model.objects.get(username="bench_county_admin")
    county = StaffMembership.objects.get(user=county_admin).region
    assert county.level == Region.Level.DISTRICT
    province_admin = user_model.objects.get(username="bench_province_admin")

    assert issues_visible_to(province_admin).count() == 500
    in_county = Issue.objects.filter(region_path__startswith=county.path).count()
    assert 0 < in_county < 500
    assert issues_visible_to(county_admin).count() == in_county
    verified_login(client, county_admin)
    assert client.get("/admin/issues/issue/").status_code == 200

    created = list(Issue.objects.order_by("pk").values_list("created_at", flat=True))
    assert created == sorted(created)
    with connection.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename IN ('issues_issue', 'issues_issueevent')")
        present = {row[0] for row in cur.fetchall()}
    expected = {index.name for model in (Issue, IssueEvent) for index in model._meta.indexes}
    assert expected <= present
