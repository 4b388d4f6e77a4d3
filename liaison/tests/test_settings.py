"""Settings come from the environment, fail loudly on bad values, and pass Django's deployment
checks under the variables a production deployment sets."""

import ast
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from liaison.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]
SECRET = "a-long-enough-secret-key-for-the-settings-tests-0123456789"


def load_settings(*, setup: bool = True, **variables: str) -> subprocess.CompletedProcess:
    """Start Django (or only read its settings) in a fresh interpreter with only these variables
    (and PATH) set."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "liaison.settings", **variables}
    code = "from django.conf import settings; print('DEBUG', settings.DEBUG)"
    if setup:
        code = "import django; django.setup(); " + code
    return subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_deployment_checks_pass_under_production_variables():
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [str(BASE_DIR / "bin" / "check-deploy")], cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("variables", [{}, {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": ""}], ids=["unset", "empty"])
def test_settings_refuse_to_load_without_a_secret_key_in_production(variables):
    result = load_settings(**variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_manage_py_says_plainly_what_is_missing_instead_of_a_traceback():
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "DJANGO_DEBUG=1" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("variables", "debug"),
    [({"DJANGO_DEBUG": "1"}, True), ({"DJANGO_SECRET_KEY": SECRET}, False)],
    ids=["debug-without-key", "production-with-key"],
)
def test_settings_load_with_a_key_or_in_debug(variables, debug):
    result = load_settings(setup=False, **variables)
    assert result.returncode == 0, result.stderr
    assert f"DEBUG {debug}" in result.stdout


def test_settings_refuse_a_debug_flag_they_cannot_read():
    result = load_settings(setup=False, DJANGO_DEBUG="maybe", DJANGO_SECRET_KEY=SECRET)
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_migrations_match_the_models(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    assert "No changes detected" in out.getvalue()


# --- the environment helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_env_bool_reads_true(monkeypatch, raw):
    monkeypatch.setenv("LIAISON_TEST_FLAG", raw)
    assert env_bool("LIAISON_TEST_FLAG", False) is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_env_bool_reads_false(monkeypatch, raw):
    monkeypatch.setenv("LIAISON_TEST_FLAG", raw)
    assert env_bool("LIAISON_TEST_FLAG", True) is False


@pytest.mark.parametrize("raw", ["2", "maybe", "y", "enabled", "1.0"])
def test_env_bool_rejects_anything_else(monkeypatch, raw):
    monkeypatch.setenv("LIAISON_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="LIAISON_TEST_FLAG"):
        env_bool("LIAISON_TEST_FLAG", False)


def test_unset_variables_take_their_defaults(monkeypatch):
    monkeypatch.delenv("LIAISON_TEST_VALUE", raising=False)
    assert env_bool("LIAISON_TEST_VALUE", True) is True
    assert env_int("LIAISON_TEST_VALUE", 7) == 7
    assert env_float("LIAISON_TEST_VALUE", 0.5) == 0.5
    assert env_str("LIAISON_TEST_VALUE", "x") == "x"
    assert env_list("LIAISON_TEST_VALUE", ["a"]) == ["a"]


def test_env_int_reads_whole_numbers_and_treats_blank_as_unset(monkeypatch):
    monkeypatch.setenv("LIAISON_TEST_INT", " 42 ")
    assert env_int("LIAISON_TEST_INT", 1, minimum=1) == 42
    monkeypatch.setenv("LIAISON_TEST_INT", "  ")
    assert env_int("LIAISON_TEST_INT", 9) == 9


@pytest.mark.parametrize(("raw", "message"), [("abc", "whole number"), ("1.5", "whole number"), ("0", "at least 1")])
def test_env_int_rejects_bad_values(monkeypatch, raw, message):
    monkeypatch.setenv("LIAISON_TEST_INT", raw)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_int("LIAISON_TEST_INT", 5, minimum=1)


def test_env_float_reads_numbers_in_range(monkeypatch):
    monkeypatch.setenv("LIAISON_TEST_FLOAT", "0.25")
    assert env_float("LIAISON_TEST_FLOAT", 0.0, maximum=1.0) == 0.25


@pytest.mark.parametrize("raw", ["often", "-0.1", "1.5", "1e3"])
def test_env_float_rejects_bad_or_out_of_range_values(monkeypatch, raw):
    monkeypatch.setenv("LIAISON_TEST_FLOAT", raw)
    with pytest.raises(ImproperlyConfigured, match="LIAISON_TEST_FLOAT"):
        env_float("LIAISON_TEST_FLOAT", 0.0, maximum=1.0)


@pytest.mark.parametrize(("raw", "maximum"), [("nan", 1.0), ("inf", None)])
def test_env_float_rejects_values_that_are_not_finite(monkeypatch, raw, maximum):
    monkeypatch.setenv("LIAISON_TEST_FLOAT", raw)
    with pytest.raises(ImproperlyConfigured, match="LIAISON_TEST_FLOAT"):
        env_float("LIAISON_TEST_FLOAT", 0.0, maximum=maximum)


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("LIAISON_TEST_LIST", " a.example.cn, ,b.example.cn ,")
    assert env_list("LIAISON_TEST_LIST", []) == ["a.example.cn", "b.example.cn"]
    monkeypatch.setenv("LIAISON_TEST_LIST", "")
    assert env_list("LIAISON_TEST_LIST", ["default"]) == []


@pytest.mark.parametrize(("switch", "expected"), [({}, True), ({"DATABASE_PREPARED_STATEMENTS": "0"}, False)])
def test_postgresql_prepares_repeated_statements_unless_turned_off_for_pgbouncer(switch, expected):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "liaison.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/liaison",
        **switch,
    }
    code = "from django.conf import settings; o = settings.DATABASES['default'].get('OPTIONS', {}); print(o)"
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    options = ast.literal_eval(result.stdout.strip())
    assert options.get("server_side_binding", False) is expected
    assert ("prepare_threshold" in options) is expected


def test_sqlite_lets_the_dev_server_and_the_worker_write_without_database_is_locked():
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "liaison.settings"}
    code = "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    result = subprocess.run(  # noqa: S603 - a fixed command line
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**env, "DJANGO_DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    options = ast.literal_eval(result.stdout.strip())
    assert options["transaction_mode"] == "IMMEDIATE"  # take the write lock at BEGIN, and wait for it
    assert "journal_mode=WAL" in options["init_command"]  # readers never block the writer
    assert options["timeout"] >= 5


def test_makemigrations_check_runs_on_a_fresh_checkout_without_any_variables():
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=BASE_DIR,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout
