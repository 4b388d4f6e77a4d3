"""`manage.py fill_bench_data` fills a scratch PostgreSQL database for the dashboard benchmark:
it must keep working as the schema and the connection settings change."""

import io

import pytest
from django.core.management import CommandError, call_command

from issues.models import Forwarding, Issue, IssueEvent
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
