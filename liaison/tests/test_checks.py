"""`check --deploy` refuses a production without the governance platform's credentials, and warns
when the holidays of the coming 60 days are unknown; bin/check-deploy silences that warning only."""

import datetime
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.checks import Error, Warning, run_checks
from django.db import connection
from django.test import override_settings

from issues import workdays
from issues.checks import governance_credentials, holiday_schedule
from stations.models import CalendarDay

BASE_DIR = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def ids(messages) -> list[str]:
    return [m.id for m in messages]


@pytest.fixture(autouse=True)
def _fresh_schedule():
    workdays.forget_schedule()
    yield
    workdays.forget_schedule()


def on(year, month, day):
    return time_machine.travel(datetime.datetime(year, month, day, 9, 0, tzinfo=SHANGHAI), tick=False)


# --- the governance platform's credentials -------------------------------------------------------


@override_settings(GOVERNANCE_PLATFORM_TOKEN="", GOVERNANCE_CALLBACK_SECRET="a-secret")
def test_an_empty_platform_token_is_an_error_with_a_hint():
    (error,) = governance_credentials()
    assert isinstance(error, Error)
    assert error.id == "liaison.E001"
    assert "401" in error.msg and "GOVERNANCE_PLATFORM_TOKEN" in error.hint


@override_settings(GOVERNANCE_PLATFORM_TOKEN="a-token", GOVERNANCE_CALLBACK_SECRET="")
def test_an_empty_callback_secret_is_an_error_with_a_hint():
    (error,) = governance_credentials()
    assert isinstance(error, Error)
    assert error.id == "liaison.E002"
    assert "503" in error.msg and "GOVERNANCE_CALLBACK_SECRET" in error.hint


@override_settings(GOVERNANCE_PLATFORM_TOKEN="", GOVERNANCE_CALLBACK_SECRET="")
def test_both_missing_are_both_reported_by_check_deploy_but_not_by_plain_check():
    assert {"liaison.E001", "liaison.E002"} <= set(ids(run_checks(include_deployment_checks=True)))
    assert not {"liaison.E001", "liaison.E002"} & set(ids(run_checks()))


@override_settings(GOVERNANCE_PLATFORM_TOKEN="a-token", GOVERNANCE_CALLBACK_SECRET="a-secret")
def test_both_set_pass():
    assert governance_credentials() == []


def production_env(**variables: str) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "a-long-and-random-enough-secret-key-for-the-deploy-check-0123456789-xyz",
        "DJANGO_ALLOWED_HOSTS": "liaison.example.cn",
        "PUBLIC_BASE_URL": "https://liaison.example.cn",
        "DJANGO_SILENCED_SYSTEM_CHECKS": "liaison.W001",
        "LIAISON_VAR_DIR": str(BASE_DIR / "var" / "test"),
        "DATABASE_URL": "sqlite:///:memory:",
    }
    env.update(variables)
    return env


def test_check_deploy_fails_in_production_without_the_platform_token():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=production_env(GOVERNANCE_CALLBACK_SECRET="a-secret"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "liaison.E001" in result.stderr
    assert "liaison.E002" not in result.stderr


def test_bin_check_deploy_silences_the_holiday_warning_and_nothing_else():
    script = (BASE_DIR / "bin" / "check-deploy").read_text()
    assert "DJANGO_SILENCED_SYSTEM_CHECKS=liaison.W001 " in script
    assert "GOVERNANCE_PLATFORM_TOKEN=" in script and "GOVERNANCE_CALLBACK_SECRET=" in script


# --- the holiday schedule of the coming 60 days ----------------------------------------------


@pytest.mark.django_db
def test_on_1_december_2026_the_unknown_2027_is_a_warning():
    with on(2026, 12, 1):
        (warning,) = holiday_schedule(databases=["default"])
    assert isinstance(warning, Warning)
    assert warning.id == "liaison.W001"
    assert "2027" in warning.msg and "2027-01-01" in warning.msg
    assert "holiday schedule" in warning.hint
    assert "--database" not in warning.hint  # the table was read


@pytest.mark.django_db
def test_the_warning_ends_once_2027_is_in_the_table():
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    with on(2026, 12, 1):
        assert holiday_schedule(databases=["default"]) == []


@pytest.mark.django_db
def test_without_a_database_the_check_reads_no_table_and_says_how_to_include_it(django_assert_num_queries):
    CalendarDay.objects.create(date=datetime.date(2027, 1, 1), kind="holiday", name="元旦")
    with on(2026, 12, 1), django_assert_num_queries(0):
        (warning,) = holiday_schedule(databases=None)
    assert warning.id == "liaison.W001"
    assert "--database default" in warning.hint and "could not be read" not in warning.hint


@pytest.mark.django_db
def test_a_database_without_the_table_gives_the_warning_and_says_so():
    with connection.cursor() as cursor:  # as before `migrate`; the test's transaction restores it
        cursor.execute("DROP TABLE stations_calendarday")
    with on(2026, 12, 1):
        (warning,) = holiday_schedule(databases=["default"])
    assert warning.id == "liaison.W001"
    assert "could not be read" in warning.hint


@pytest.mark.parametrize(("day", "warned"), [((2026, 6, 1), False), ((2026, 11, 1), False), ((2026, 11, 2), True)])
def test_the_check_looks_60_days_ahead(day, warned):
    with on(*day):
        assert bool(holiday_schedule(databases=None)) is warned


def test_the_holiday_warning_is_a_deploy_check_only():
    with on(2026, 12, 1):
        assert "liaison.W001" not in ids(run_checks())
        assert "liaison.W001" in ids(run_checks(include_deployment_checks=True))
