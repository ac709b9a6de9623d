"""Start a real server from Debian's packages on a free loopback port, wait until it is
ready, and stop it by its pid when the test ends, whatever happens in between."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], seconds: float, why: Callable[[], str]) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(why())
        time.sleep(0.2)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def running(binary_name: str, args: Callable[[int], Sequence[str]], workdir: Path) -> Iterator[str]:
    """Run ``binary_name`` with ``args(port)``; yields its base URL once ``/-/ready``."""
    binary = shutil.which(binary_name)
    if binary is None:
        pytest.fail(f"{binary_name} not found; run `make tools`")
    port = free_port()
    log_path = workdir / f"{binary_name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([binary, *args(port)], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(url), 30, lambda: f"not ready: {log_path.read_text()}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
