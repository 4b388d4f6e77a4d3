"""The shape of the code: each app imports only the apps below it (the contracts in
pyproject.toml, checked by import-linter), and no module imports itself back through others."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["root_packages"]


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    command = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(  # noqa: S603 (our own venv's lint-imports)
        [str(command), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_import_keeps_the_layering_and_the_other_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_an_import_from_a_lower_app_into_a_higher_one_breaks_the_layering(tmp_path):
    """The same check on a copy of the code where the stations app imports the dashboard."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "stations" / "services.py", "a") as module:
        module.write("\nfrom dashboard import selectors  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout
    assert "Each app stands on those below it BROKEN" in result.stdout
    assert "stations.services -> dashboard.selectors" in result.stdout


def test_a_domain_app_that_imports_the_stand_in_platform_or_the_test_support_breaks_a_contract(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "issues" / "selectors.py", "a") as module:
        module.write("\nfrom governance_stub import models  # noqa\nfrom testsupport import world  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout
    assert "No app imports the stand-in platform BROKEN" in result.stdout
    assert "Product code never imports the test support package BROKEN" in result.stdout


def import_circles(graph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), tests left out. Imports
    inside functions count: a circle hidden in a function is still a circle."""
    modules = {m for m in graph.modules if ".tests" not in m}
    edges = {m: [n for n in graph.find_modules_directly_imported_by(m) if n in modules] for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in edges[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                circles.append(sorted(group))

    for module in sorted(modules):
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_itself_back_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert import_circles(graph) == []


def test_the_circle_finder_finds_a_circle_through_a_function_level_import():
    graph = grimp.ImportGraph()
    for module in ("a", "a.services", "a.tasks", "a.models"):
        graph.add_module(module)
    graph.add_import(importer="a.services", imported="a.models")
    graph.add_import(importer="a.tasks", imported="a.services")
    graph.add_import(importer="a.services", imported="a.tasks")
    assert import_circles(graph) == [["a.services", "a.tasks"]]
