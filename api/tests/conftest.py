import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The named world creates five accounts per test: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def client_for(world):
    """`client_for("station_staff")`: an API client logged in with that person's token."""

    def make(name: str) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=getattr(world, name))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def plain_static(settings):
    """The browsable API and the docs link static files; tests run without collectstatic, so
    without the production manifest."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
