"""Test support: fixtures, world builders, live servers and worker processes, the browser, the
pytest plugins. Only tests and benchmarks import it; product code never does (pyproject.toml
holds the import-linter contract that says so)."""
