import pytest

from liaison.testing.world import build_world

pytest_plugins = ["liaison.testing.browser"]


@pytest.fixture
def world(db):
    """Two townships with a station each, two deputies, station and township staff, an admin."""
    return build_world()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and lockouts live in the cache: every test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Pages render without `collectstatic`: the manifest storage of production needs its output."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
