"""An S3-compatible server for the storage tests: moto in server mode (PyPI's `moto[server]`,
requirements-dev.txt) on a free port of 127.0.0.1, its own process, stopped after the test."""

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import requests

from testsupport.processes import free_port

MOTO_SERVER = Path(sys.executable).parent / "moto_server"


@contextlib.contextmanager
def s3_server(logs: Path) -> Iterator[str]:
    """The endpoint URL of a fresh, empty S3 server."""
    port = free_port()
    with open(logs / "moto.log", "ab") as log:
        process = subprocess.Popen(  # noqa: S603 - a fixed command line
            [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    requests.get(url, timeout=1)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError(f"moto_server did not start; see {logs / 'moto.log'}") from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
