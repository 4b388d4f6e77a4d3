"""Shared pieces of the admin tests: the five roles of the named world, logging in, static
files without a manifest, and cases in a given state."""

import pytest
from django.test import Client

from accounts.policy import two_factor_required
from issues.departments import departments_in_scope
from issues.models import Issue, State
from issues.services import issue_transition
from testsupport.twofactor import verified_login

ROLES = ["admin", "deputy_a", "deputy_b", "station_staff", "township_staff"]
_USER_ATTR = {"deputy_a": "deputy_a_user", "deputy_b": "deputy_b_user"}
BACKEND = "django.contrib.auth.backends.ModelBackend"


def user_of(world, role: str):
    return getattr(world, _USER_ATTR.get(role, role))


def client_for(world, role: str, **kwargs) -> Client:
    """A client logged in as `role`; the superuser and the region administrators (who must use
    two-step verification) also with a verified session, as after entering the code."""
    client = Client(**kwargs)
    user = user_of(world, role)
    if two_factor_required(user):
        return verified_login(client, user, backend=BACKEND)
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests run with DEBUG off, where the manifest storage wants `collectstatic` first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# The steps (action, params) that bring a new case to each state, taken by the superuser.
_PATH_TO = {
    State.SUBMITTED: [],
    State.ACCEPTED: [("accept", {})],
    State.REVIEWED: [("accept", {}), ("review", {})],
    State.ASSIGNED: [("accept", {}), ("review", {}), ("assign", "department")],
    State.REPLIED: [("accept", {}), ("review", {}), ("reply", {"text": "路灯已经修好了。"})],
}


def case_in_state(world, state: str, *, station=None, phone: str = "") -> Issue:
    """A case of deputy A's station (or of `station`) moved to `state` through the services."""
    issue = world.submit(station=station, submitter_phone=phone) if station else world.submit(submitter_phone=phone)
    for action, params in _PATH_TO[state]:
        if params == "department":  # the world's, or the first serving another station's township
            serving = departments_in_scope(issue).first()
            params = {"department_id": (serving or world.department).pk}
        issue_transition(actor=world.actor("admin"), issue_id=issue.pk, action=action, **params)
    issue.refresh_from_db()
    assert issue.state == state
    return issue
