"""Redis stopped in the middle of a run: villagers still open the pages and send their cases; rate
limits fail open (logged and counted) and pick up again when Redis is back.

The test starts a Redis of its own on a free port, so stopping it disturbs nothing else."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from issues.models import Issue
from liaison import ratelimit
from liaison.cache import cache_failures
from testsupport.redis_server import OwnRedis

pytestmark = pytest.mark.django_db

TEXT = "码头边的护栏松了，孩子经过很危险。"


@pytest.fixture
def own_redis(settings):
    server = OwnRedis()
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "liaison.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    settings.RATE_LIMITS_ENABLED = True
    yield server
    if server.process.poll() is None:
        server.stop()


def send_case(client: Client, url: str):
    html = client.get(url)
    assert html.status_code == 200
    token = re.search(r'name="token" value="([^"]+)"', html.content.decode()).group(1)
    return client.post(url, {"content": TEXT, "token": token})


def test_villagers_keep_sending_when_redis_stops_mid_run(world, own_redis):
    url = reverse("public:deputy", args=[world.deputy_a.qr_token])
    client = Client()
    assert send_case(client, url).status_code == 302
    assert own_redis.keys("*rl:submit_ip:*"), "the limits were counted in this Redis"

    own_redis.stop()
    failures_before = cache_failures()
    started = time.monotonic()
    response = send_case(client, url)
    assert response.status_code == 302
    assert time.monotonic() - started < 10
    assert Issue.objects.count() == 2
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert client.get(reverse("public:home")).status_code == 200
    assert cache_failures() > failures_before  # counted, and logged

    own_redis.start()  # back on the same port: counting resumes
    assert send_case(client, url).status_code == 302
    assert own_redis.keys("*rl:submit_ip:*")


def test_the_public_api_accepts_a_case_while_redis_is_down(world, own_redis):
    own_redis.stop()
    response = Client().post(
        "/api/public/issues/",
        {"deputy_token": world.deputy_a.qr_token, "content": TEXT},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Issue.objects.filter(tracking_code=response.json()["tracking_code"]).exists()


def test_a_rate_limit_fails_open_when_the_cache_is_unreachable(own_redis, settings):
    settings.RATE_LIMITS = {"lookup_ip": ratelimit.Limit(1, 600)}
    ratelimit.hit("lookup_ip", "198.51.100.7")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("lookup_ip", "198.51.100.7")
    own_redis.stop()
    before = cache_failures()
    ratelimit.hit("lookup_ip", "198.51.100.7")  # no exception: open
    assert cache_failures() == before + 2  # the failed add and the failed incr
