"""Client-side rate limiting that finds the gateway's real limit: wait for a slot, then report how it went.

``acquire(key, limit)`` waits until a call may start and returns a ``Permit``; ``report(permit, outcome)``
tells the limiter whether the gateway admitted the call, throttled it (429 / APIGW.0308, with its
``Retry-After``) or gave no answer. The rules (``client.adaptive``): the table's ``limit`` per 1-s window
as a hard cap, even pacing at a learned rate, AIMD on 429s, ``Retry-After`` honoured by every caller of
the key. Keys are per tenant, region and API (``limiter_key``).

Storage: ``memory://`` keeps the state in this process; ``redis://`` (``rediss://``, ``unix://``) shares
it with every process and host using that Redis, in atomic Lua scripts clocked by Redis ``TIME``
(``client.limiter_redis``). One limiter per storage URI is shared by everything in a process
(``get_limiter``): threads, the sync client and the triggerer's asyncio client alike. While that Redis does
not answer, each process paces itself in memory at a share of each limit (``client.limiter_fallback``):
a call never fails because of the limiter's store.

Why hand-written rather than ``limits`` or ``pyrate-limiter``: neither adapts to the gateway's answers,
and ``limits``' moving window is a whole number of seconds, so it cannot carry the margin for calls
counted on arrival (measured: four processes got 11 calls into one 1-s window of arrivals).

Within a process, only one caller per key waits for a slot at a time (a per-key gate); the others queue
on the gate without running. Without it every waiting thread woke when a slot freed up, and the winner
then queued for the GIL behind the losers: its request reached the gateway up to ~100 ms after admission
(measured by bench/run.py).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from functools import cache
from typing import Literal

from metastudio_provider.client import usage_log
from metastudio_provider.client.adaptive import MemoryBackend, Policy
from metastudio_provider.client.errors import MetaStudioConfigError
from metastudio_provider.client.limiter_fallback import FallbackBackend, configured_share
from metastudio_provider.client.limiter_redis import RedisBackend
from metastudio_provider.client.redact import redact_uri

log = logging.getLogger(__name__)

DEFAULT_MARGIN = 0.05
Outcome = Literal["admitted", "throttled", "unknown"]


@dataclass(frozen=True)
class Permit:
    """A granted slot: what ``report`` needs to settle it. ``waited`` is the seconds spent waiting."""

    key: str
    limit: int
    member: str
    admitted_at: float
    waited: float


class RateLimiter:
    """Waits until a call of a key may start; learns the key's real limit from ``report``."""

    def __init__(self, storage_uri: str = "memory://", margin: float = DEFAULT_MARGIN,
                 policy: Policy | None = None, fallback_share: float | None = None) -> None:
        """``fallback_share``: of each limit, what this process sends while Redis does not answer (default:
        ``[metastudio] limiter_fallback_share``)."""
        if not storage_uri.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise MetaStudioConfigError(
                "rate_limit_storage",
                f"unsupported storage {redact_uri(storage_uri)!r}: use memory://, redis://, rediss:// or unix://",
            )
        self.storage_uri = storage_uri
        self.policy = policy or Policy(margin=margin)
        self._lock = threading.Lock()
        self._memory = MemoryBackend(self.policy)
        self._store: FallbackBackend | None = None  # Redis, and memory at a share of the limits while it is down
        if self.uses_redis:
            share = configured_share() if fallback_share is None else fallback_share
            self._store = FallbackBackend(RedisBackend(storage_uri, self.policy), self.policy, share)
        self._gates: dict[str, threading.Lock] = {}
        self._agates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> {key: asyncio.Lock}

    @property
    def uses_redis(self) -> bool:
        return not self.storage_uri.startswith("memory://")

    @property
    def in_fallback(self) -> bool:
        """Whether this process paces itself in memory now because its Redis does not answer."""
        return self._store is not None and self._store.down

    def try_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        """Take a slot now (``(0, admitted_at)``) or say how many seconds until one may free up."""
        if self._store is not None:
            return self._store.try_acquire(key, limit, member)
        with self._lock:
            return self._memory.try_acquire(key, limit, member)

    async def atry_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        if self._store is not None:
            return await self._store.atry_acquire(key, limit, member)
        return self.try_acquire(key, limit, member)  # in memory: no I/O, never blocks the loop

    def acquire(self, key: str, limit: int) -> Permit:
        """Block until the call may start. One waiter per key in this process at a time."""
        started, member = time.monotonic(), uuid.uuid4().hex
        with self._gate(key):
            while True:
                wait, admitted_at = self.try_acquire(key, limit, member)
                if wait <= 0:
                    break
                time.sleep(wait)
        return Permit(key, limit, member, admitted_at, time.monotonic() - started)

    async def aacquire(self, key: str, limit: int) -> Permit:
        """The asyncio twin of ``acquire``: never blocks the event loop."""
        started, member = time.monotonic(), uuid.uuid4().hex
        async with self._agate(key):
            while True:
                wait, admitted_at = await self.atry_acquire(key, limit, member)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
        return Permit(key, limit, member, admitted_at, time.monotonic() - started)

    def report(self, permit: Permit, outcome: Outcome, retry_after: float | None = None) -> None:
        """How the permitted call ended. Never raises: a lost report must not lose the call's result."""
        args = (permit.key, permit.limit, permit.member, permit.admitted_at, outcome, retry_after)
        try:
            if self._store is not None:
                self._store.report(*args)
            else:
                with self._lock:
                    self._memory.report(*args)
        except Exception as exc:  # noqa: BLE001 - e.g. Redis unreachable for a moment
            log.warning("rate limiter: could not record a %s call of %s: %s", outcome, permit.key, exc)
        if not self.in_fallback:  # the MetaStudio view's per-second counts; never wait on a Redis that is down
            usage_log.record(self.storage_uri, permit.key, outcome)

    async def areport(self, permit: Permit, outcome: Outcome, retry_after: float | None = None) -> None:
        if self._store is None:
            return self.report(permit, outcome, retry_after)
        try:
            await self._store.areport(permit.key, permit.limit, permit.member, permit.admitted_at, outcome,
                                      retry_after)
        except Exception as exc:  # noqa: BLE001
            log.warning("rate limiter: could not record a %s call of %s: %s", outcome, permit.key, exc)
        if not self.in_fallback:
            usage_log.record_later(self.storage_uri, permit.key, outcome)

    def snapshot(self, keys: list[str]) -> dict[str, dict | None]:
        """Per key: learned rate, ceiling, counters, calls in the last minute, recent 429s (None: no state)."""
        if self._store is not None:
            return self._store.snapshot(keys)
        with self._lock:
            return {key: self._memory.snapshot(key) for key in keys}

    def reset(self, pattern: str = "*") -> None:
        """Forget every admission and learned limit (tests, benchmarks); in Redis, of the keys matching
        ``pattern`` (a glob on ``<tenant>:<region>:<api>``)."""
        with self._lock:
            self._memory.reset()
        if self._store is not None:
            self._store.reset(pattern)

    def _gate(self, key: str) -> threading.Lock:
        with self._lock:
            return self._gates.setdefault(key, threading.Lock())

    def _agate(self, key: str) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._lock:
            return self._agates.setdefault(loop, {}).setdefault(key, asyncio.Lock())


def limiter_key(project_id: str, region: str, api: str) -> str:
    """Limits are per tenant, per region, per API."""
    return f"{project_id}:{region}:{api}"


@cache
def get_limiter(storage_uri: str = "memory://", margin: float = DEFAULT_MARGIN) -> RateLimiter:
    """The process-wide limiter for ``storage_uri``."""
    return RateLimiter(storage_uri, margin)
