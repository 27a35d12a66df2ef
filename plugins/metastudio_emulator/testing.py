"""Run the emulator inside a test: ``with running_emulator(job_seconds=0.5) as emu: ...``.

The handle's ``request`` signs with the tenant's AK/SK (``metastudio_provider.signing``) and
sends over real HTTP with httpx, for tests that do not go through the project's client.
"""

from __future__ import annotations

import functools
import json as jsonlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvicorn
from fastapi import FastAPI

from metastudio_provider import signing

from .app import create_app
from .config import EmulatorConfig
from .runtime import EmulatorState

STARTUP_TIMEOUT = 10.0


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One TLS context for the per-request clients (httpx builds one per client otherwise: ~25 ms each)."""
    return httpx.create_ssl_context()


@dataclass
class RunningEmulator:
    """A live emulator: where it listens and which tenant it serves."""

    base_url: str
    ak: str
    sk: str = field(repr=False)
    project_id: str
    region: str
    config: EmulatorConfig
    app: FastAPI

    @property
    def host(self) -> str:
        """The ``host:port`` a signer must put in the Host header."""
        return urlsplit(self.base_url).netloc

    @property
    def state(self) -> EmulatorState:
        return self.app.state.emulator

    def path(self, template: str, **params: str) -> str:
        """``/v1/{project_id}/...`` with the project id and ``params`` filled in."""
        return template.format(project_id=self.project_id, **params)

    def signed_headers(self, method: str, path: str, pairs: list[tuple[str, str]] | None = None,
                       body: bytes = b"", headers: Mapping[str, str] | None = None) -> dict[str, str]:
        base = {"Content-Type": "application/json", "X-Project-Id": self.project_id, **(headers or {})}
        return signing.sign(ak=self.ak, sk=self.sk, method=method, host=self.host, path=path,
                            pairs=pairs or [], headers=base, body=body)

    def request(self, method: str, path: str, *, query: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
                json: Any = None, client: httpx.Client | None = None) -> httpx.Response:
        """Send one signed API request (``path`` may be a catalog template)."""
        path = self.path(path) if "{project_id}" in path else path
        pairs = signing.query_pairs(query)
        body = jsonlib.dumps(json).encode() if json is not None else b""
        headers = self.signed_headers(method, path, pairs, body)
        query_string = signing.canonical_query(pairs)
        url = f"{self.base_url}{path}" + (f"?{query_string}" if query_string else "")
        if client is not None:
            return client.request(method, url, content=body, headers=headers)
        with httpx.Client(timeout=10, verify=_tls_context()) as own:
            return own.request(method, url, content=body, headers=headers)

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.base_url}/_emulator/stats", timeout=10, verify=_tls_context()).json()


def _free_socket(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    return sock


@contextmanager
def running_emulator(**config_overrides: Any) -> Iterator[RunningEmulator]:
    """Serve a fresh emulator on a free 127.0.0.1 port in a background thread; stop it on exit.

    Keyword arguments override ``EmulatorConfig`` fields (e.g. ``job_seconds=0.5``, ``region=...``).
    """
    config = EmulatorConfig(**config_overrides)
    app = create_app(config)
    host = "127.0.0.1"
    sock = _free_socket(host)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"metastudio-emulator-{port}",
                              daemon=True)
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the MetaStudio emulator did not start")
        time.sleep(0.01)
    try:
        yield RunningEmulator(base_url=f"http://{host}:{port}", ak=config.ak, sk=config.sk,
                              project_id=config.project_id, region=config.region, config=config, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=STARTUP_TIMEOUT)
        sock.close()
