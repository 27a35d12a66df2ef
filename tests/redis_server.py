"""A redis-server of the tests' own: a free port, a temporary directory, no persistence (a restart is empty),
optionally a password. The limiter's store-outage tests kill and freeze it; ``redis_url`` (tests/conftest.py)
starts one where the machine has no Redis running."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from metastudio_provider.client.limiter import Permit
from metastudio_provider.client.limiter_redis import redis_keys
from tests.ports import free_port


def redis_server_executable() -> str:
    """The machine's ``redis-server``; without it the test skips, or fails with CI=true."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required (apt-get install redis-server)")
        pytest.skip("redis-server not installed")
    return executable


class PrivateRedis:
    """A redis-server on a free port of 127.0.0.1, working in ``directory``; ``start`` returns once it answers."""

    def __init__(self, executable: str, directory: Path, password: str | None = None) -> None:
        self.executable, self.directory, self.password = executable, directory, password
        self.port = free_port()  # outside the ephemeral range: free again when a stopped server restarts
        self.url = f"redis://{f':{password}@' if password else ''}127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None
        self.paused = False

    def start(self) -> None:
        auth = ["--requirepass", self.password] if self.password else []
        self.proc = subprocess.Popen(
            [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
             "--save", "", "--appendonly", "no", *auth],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        client = self.client()
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.02)

    def kill(self) -> None:
        if self.proc is not None:
            if self.paused:
                self.resume()
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def pause(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_timeout=5)

    def counted(self, permit: Permit) -> bool:
        """Whether Redis admitted ``permit`` (it is in the key's calls of the last minute)."""
        return self.client().zscore(redis_keys(permit.key)[2], permit.member) is not None
