import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The named world creates five accounts per test: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
