"""The collection guard: a whole-suite run fails when a test file is left out, and CI fails
when a test skips. Each case runs pytest on a small project of its own in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def make_project(tmp_path: Path, *, testpaths: str = "", files: dict[str, str]) -> Path:
    ini = "[pytest]\npython_files = test_*.py\n" + (f"testpaths = {testpaths}\n" if testpaths else "")
    (tmp_path / "pytest.ini").write_text(ini)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def run_pytest(project: Path, *args: str, require_services: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("REQUIRE_SERVICES", None)
    if require_services:
        env["REQUIRE_SERVICES"] = "1"
    plugins = ["-p", "no:django", "-p", "no:cacheprovider", "-p", "testsupport.collection_guard"]
    return subprocess.run(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", "pytest", *plugins, *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


PASSING = "def test_passes():\n    assert 1 + 1 == 2\n"


def test_a_test_file_outside_the_testpaths_fails_the_whole_suite_run(tmp_path):
    project = make_project(
        tmp_path, testpaths="listed", files={"listed/tests/test_a.py": PASSING, "forgotten/tests/test_b.py": PASSING}
    )
    result = run_pytest(project)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "forgotten/tests/test_b.py" in result.stdout + result.stderr
    assert "listed/tests/test_a.py" not in result.stdout + result.stderr


def test_a_test_file_with_no_test_in_it_fails_the_whole_suite_run(tmp_path):
    project = make_project(
        tmp_path, files={"app/tests/test_a.py": PASSING, "app/tests/test_empty.py": "def helper():\n    return 1\n"}
    )
    result = run_pytest(project)
    assert result.returncode == 4
    assert "app/tests/test_empty.py" in result.stdout + result.stderr


def test_a_suite_that_collects_every_file_passes(tmp_path):
    project = make_project(tmp_path, files={"a/tests/test_a.py": PASSING, "b/tests/test_b.py": PASSING})
    result = run_pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_running_one_file_on_purpose_is_not_a_left_out_file(tmp_path):
    project = make_project(tmp_path, files={"a/tests/test_a.py": PASSING, "b/tests/test_b.py": PASSING})
    assert run_pytest(project, "a/tests/test_a.py").returncode == 0
    assert run_pytest(project, "-k", "passes", "a").returncode == 0


def test_a_skipped_test_fails_the_run_when_services_are_required(tmp_path):
    skipping = "import pytest\n\ndef test_needs_redis():\n    pytest.skip('no Redis here')\n"
    project = make_project(tmp_path, files={"a/tests/test_a.py": PASSING, "a/tests/test_redis.py": skipping})
    assert run_pytest(project).returncode == 0  # on a laptop a skip is fine, and said
    required = run_pytest(project, require_services=True)
    assert required.returncode == 1
    assert "1 skipped test(s) fail the run" in required.stdout
    assert "test_needs_redis" in required.stdout


def test_a_module_skipped_at_import_fails_the_run_when_services_are_required(tmp_path):
    skipping = "import pytest\n\npytest.skip('no Chromium', allow_module_level=True)\n\ndef test_page():\n    pass\n"
    project = make_project(tmp_path, files={"a/tests/test_a.py": PASSING, "a/tests/test_page.py": skipping})
    assert run_pytest(project, "a/tests", require_services=True).returncode == 1


def test_an_expected_failure_is_not_a_skip(tmp_path):
    xfail = "import pytest\n\n@pytest.mark.xfail(strict=True)\ndef test_known_bug():\n    assert False\n"
    project = make_project(tmp_path, files={"a/tests/test_a.py": PASSING, "a/tests/test_bug.py": xfail})
    assert run_pytest(project, require_services=True).returncode == 0
