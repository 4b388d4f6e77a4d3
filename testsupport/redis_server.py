"""A Redis server of a test's own, on a free port, that the test may stop and start again
without disturbing the shared one (REDIS_URL)."""

import os
import shutil
import socket
import subprocess
import time

import pytest
import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("REQUIRE_SERVICES") == "1":
                pytest.fail("redis-server is required (REQUIRE_SERVICES=1)")
            pytest.skip("needs redis-server on the PATH")
        self.process = subprocess.Popen(  # noqa: S603 -- Debian's redis-server, our arguments
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the test's Redis did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def keys(self, pattern: str) -> list:
        return redis.Redis.from_url(self.url).keys(pattern)
