"""A pytest plugin (`-p testsupport.collection_guard` in pytest.ini) that keeps the suite
honest: a whole-suite run fails when a test file in the repository was not collected, and, under
REQUIRE_SERVICES=1 (CI), when any test skipped.

Both happened: `dashboard/tests/` sat outside pytest.ini's `testpaths` for several sessions, and a
test that skips in CI tests nothing there. Collection is checked only on a whole-suite run (no
paths, `-k` or `-m` given), since a run of one file collects one file on purpose."""

import os
from fnmatch import fnmatch
from pathlib import Path

import pytest

# Folders that never hold the project's tests: environments, build output, data.
SKIPPED_DIRS = {"node_modules", "var", "staticfiles", "media", "test-artifacts", "__pycache__", "venv"}


def test_files(root: Path, patterns: list[str]) -> set[Path]:
    """Every file under `root` that pytest's `python_files` patterns name, hidden folders and
    the ones above left out."""
    found = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
        for name in files:
            if any(fnmatch(name, pattern) for pattern in patterns):
                found.add(Path(folder, name).resolve())
    return found


def is_whole_suite(config: pytest.Config) -> bool:
    if config.getoption("keyword") or config.getoption("markexpr") or config.getoption("deselect"):
        return False
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        return True  # the ini file's own list of paths: exactly what may leave a folder out
    root = Path(config.rootpath).resolve()
    return all(Path(arg.split("::")[0]).resolve() == root for arg in config.args)


def pytest_collection_finish(session: pytest.Session) -> None:
    config = session.config
    if not is_whole_suite(config):
        return
    collected = {Path(item.path).resolve() for item in session.items}
    patterns = config.getini("python_files")
    missing = sorted(test_files(Path(config.rootpath), patterns) - collected)
    if missing:
        names = "\n  ".join(str(path.relative_to(config.rootpath)) for path in missing)
        pytest.exit(
            f"These test files hold no collected test, so the suite would not run them:\n  {names}",
            returncode=pytest.ExitCode.USAGE_ERROR,
        )


class SkipCounter:
    """Counts skipped tests (not expected failures) to fail the run when services are required."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    @pytest.hookimpl
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            self.skipped.append(report.nodeid)

    @pytest.hookimpl
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:  # a whole module skipped at import
            self.skipped.append(report.nodeid)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.skipped and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    @pytest.hookimpl
    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.skipped:
            named = ", ".join(self.skipped[:10])
            terminalreporter.write_line(
                f"REQUIRE_SERVICES=1: {len(self.skipped)} skipped test(s) fail the run: {named}"
            )


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("REQUIRE_SERVICES") == "1":
        config.pluginmanager.register(SkipCounter(), "liaison-skip-counter")
