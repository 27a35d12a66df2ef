"""A faulty network between the provider and MetaStudio: an HTTP proxy that fails a seeded share of calls.

``FaultyProxy(upstream)`` listens on a free 127.0.0.1 port (``.url``) in a thread of its own and relays each
request to ``upstream``. MetaStudio API calls (paths under ``/v1/``) fail as a network and a gateway do:

* ``error_rate``: a 5xx; half of them before the request reaches MetaStudio, half after it was processed
  (the answer replaced: the create happened, the caller cannot know);
* ``reset_rate``: the connection reset before the request is relayed;
* ``lost_rate``: relayed and processed, then the connection reset instead of the answer (a lost response);
* ``down`` (set it at any time): an outage, every call answered 503 or reset, nothing relayed;
* ``down_after(method, path_part, count)``: ``down`` set by itself once ``count`` calls of that method whose
  path holds ``path_part`` were relayed (an outage that starts at a chosen point of a run in another process);
  ``up_on(method, target_part)``: ``down`` cleared by the first such call that arrives (and it is relayed).

Decisions come from ``random.Random(seed)`` in arrival order, so a run repeats as far as its calls' order
does. ``counts`` says what was done. Written by hand: no maintained Python library injects faults per HTTP
request (toxiproxy works per TCP connection and is a binary to download).
"""

from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
from collections import Counter
from types import TracebackType
from typing import Any

import httpx

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "upgrade"}


class FaultyProxy:
    def __init__(self, upstream: str, *, seed: int = 0, error_rate: float = 0.0, reset_rate: float = 0.0,
                 lost_rate: float = 0.0) -> None:
        self.upstream = upstream.rstrip("/")
        self.rng = random.Random(seed)
        self.error_rate, self.reset_rate, self.lost_rate = error_rate, reset_rate, lost_rate
        self.down = False
        self._down_after: tuple[str, str, int] | None = None
        self._up_on: tuple[str, str] | None = None
        self.counts: Counter[str] = Counter()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="faulty-proxy", daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def down_after(self, method: str, path_part: str, count: int) -> None:
        """Go down once ``count`` more ``method`` calls whose path holds ``path_part`` have been relayed."""
        self._down_after = (method.upper(), path_part, count)

    def up_on(self, method: str, target_part: str) -> None:
        """End the outage when a ``method`` call whose path and query hold ``target_part`` arrives."""
        self._up_on = (method.upper(), target_part)

    def set_rates(self, *, error_rate: float = 0.0, reset_rate: float = 0.0, lost_rate: float = 0.0) -> None:
        self.error_rate, self.reset_rate, self.lost_rate = error_rate, reset_rate, lost_rate

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FaultyProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the faulty proxy did not start")
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._client = httpx.AsyncClient(timeout=60)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.run_until_complete(self._client.aclose())
            self._loop.close()

    # -- one connection: requests one after another (keep-alive) ------------------------------
    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                method, target, headers, body = request
                if self.down and self._up_on and method.upper() == self._up_on[0] and self._up_on[1] in target:
                    self.down, self._up_on = False, None
                fault = self._decide(target)
                self.counts[fault] += 1
                if fault == "reset":
                    return _reset(writer)
                if fault == "error_before":
                    await _write(writer, 503, {"content-type": "application/json"},
                                 b'{"error_code":"APIGW.0201","error_msg":"Service unavailable (injected)"}')
                    continue
                status, answer_headers, answer = await self._relay(method, target, headers, body)
                self._count_towards_down(method, target)
                if fault == "lost":
                    return _reset(writer)
                if fault == "error_after":
                    await _write(writer, 500, {"content-type": "application/json"},
                                 b'{"error_code":"MSS.00000001","error_msg":"Internal error (injected)"}')
                    continue
                await _write(writer, status, answer_headers, answer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            if not writer.is_closing():
                writer.close()

    def _count_towards_down(self, method: str, target: str) -> None:
        if self._down_after and method.upper() == self._down_after[0] and self._down_after[1] in target:
            wanted, part, left = self._down_after
            self._down_after = (wanted, part, left - 1) if left > 1 else None
            self.down = self.down or left <= 1

    def _decide(self, target: str) -> str:
        if not target.startswith("/v1/"):
            return "relayed"
        if self.down:
            return "reset" if self.rng.random() < 0.5 else "error_before"
        draw = self.rng.random()
        if draw < self.error_rate:
            return "error_before" if draw < self.error_rate / 2 else "error_after"
        draw -= self.error_rate
        if draw < self.reset_rate:
            return "reset"
        if draw - self.reset_rate < self.lost_rate:
            return "lost"
        return "relayed"

    async def _relay(self, method: str, target: str, headers: list[tuple[str, str]],
                     body: bytes) -> tuple[int, dict[str, str], bytes]:
        sent = [(k, v) for k, v in headers if k.lower() not in HOP_BY_HOP]  # Host kept: it is signed
        response = await self._client.request(method, self.upstream + target, headers=sent, content=body)
        kept = {k: v for k, v in response.headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
        return response.status_code, kept, response.content


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, list[tuple[str, str]], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [(k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)]
    length = next((int(v) for k, v in headers if k.lower() == "content-length"), 0)
    body = await reader.readexactly(length) if length else b""
    return method, target, headers, body


async def _write(writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes) -> None:
    lines = [f"HTTP/1.1 {status} {'OK' if status < 400 else 'Error'}",
             *(f"{k}: {v}" for k, v in headers.items()), f"content-length: {len(body)}"]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
    await writer.drain()


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with a TCP RST, as a dropped connection does (the client sees 'connection reset')."""
    sock: Any = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
