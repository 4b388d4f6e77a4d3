"""The published OpenAPI document, the offline docs page, and a Schemathesis run of our own
schema against the app in-process: no 5xx, and every response as documented."""

import logging
import re
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from issues.services import issue_accept

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def test_the_schema_documents_every_endpoint_of_the_contract(anon):
    response = anon.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    for path in (
        "/api/public/issues/",
        "/api/public/issues/{tracking_code}/",
        "/api/public/issues/{tracking_code}/evaluation/",
        "/api/auth/token/",
        "/api/issues/",
        "/api/issues/{id}/",
        *(f"/api/issues/{{id}}/{a}/" for a in ("accept", "reject", "review", "assign", "reply", "reopen")),
        "/api/stations/",
        "/api/deputies/",
        "/api/departments/",
        "/api/categories/",
        "/api/stats/",
    ):
        assert path in paths, path
    assign = paths["/api/issues/{id}/assign/"]["post"]
    assert set(assign["responses"]) >= {"200", "400", "401", "403", "404", "409"}
    assert "429" in paths["/api/public/issues/"]["post"]["responses"]
    assert "Retry-After" in paths["/api/public/issues/"]["post"]["responses"]["429"]["headers"]


def test_the_docs_page_loads_everything_from_our_own_static_files(anon, plain_static):
    response = anon.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert re.findall(r"https?://", html) == []
    assert '"validatorUrl": null' in html


@pytest.fixture
def fuzz_world(world, settings):
    settings.RATE_LIMITS_ENABLED = False  # 429s would hide everything behind them
    request_log = logging.getLogger("django.request")
    level = request_log.level
    request_log.setLevel(logging.ERROR)  # thousands of expected 4xx lines otherwise
    # A raw WSGI handler closes the database connection after each request, and with it the
    # test's transaction on PostgreSQL; Django's test client unhooks this the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    issue = world.submit(submitter_phone="13812345678")
    issue_accept(actor=world.actor("station_staff"), issue_id=issue.pk)
    yield world, issue
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    request_log.setLevel(level)


def _run(schema, *, headers: dict, issue) -> Counter:
    """Fuzz every operation twice: with random path parameters, and aimed at a real case.
    Returns how many responses of each status code came back."""
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for aimed in (False, True):
            path_parameters = None
            if aimed and "{id}" in operation.path:
                path_parameters = {"id": issue.pk}
            elif aimed and "{tracking_code}" in operation.path:
                path_parameters = {"tracking_code": issue.tracking_code}
            elif aimed:
                continue

            @given(case=operation.as_strategy(path_parameters=path_parameters))
            @hypothesis_settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def call(case):
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses[response.status_code] += 1

            call()
    return statuses


@pytest.mark.parametrize("who", ["anonymous", "station_staff"])
def test_schemathesis_finds_no_5xx_and_no_undocumented_response(fuzz_world, who):
    world, issue = fuzz_world
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    headers = {}
    if who != "anonymous":
        token, _ = Token.objects.get_or_create(user=getattr(world, who))
        headers["Authorization"] = f"Token {token.key}"
    statuses = _run(schema, headers=headers, issue=issue)
    print(f"schemathesis as {who}: {sum(statuses.values())} calls, by status {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) > 100
    assert not any(code >= 500 for code in statuses)
