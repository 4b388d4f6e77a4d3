from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The named world creates five accounts per test: hash their passwords cheaply."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """Time stands still (authenticator codes change every 30 s, the throttle counts seconds);
    `clock.shift(seconds)` moves it on."""
    with time_machine.travel(datetime(2026, 12, 1, 9, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False) as t:
        yield t
