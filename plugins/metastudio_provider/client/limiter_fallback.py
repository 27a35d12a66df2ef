"""The limiter survives its store: while Redis does not answer, each process paces itself in memory.

``FallbackBackend`` wraps ``RedisBackend``. While Redis answers, every call goes to it (the shared budget).
When a call meets a store error (connection refused or reset, a timeout, a Redis still loading its data or
read-only: any ``RedisError`` or ``OSError``), the process logs one warning and takes its permits from a
``MemoryBackend`` (the same adaptive rules, ``client.adaptive``) at ``share`` of each API's table limit:
several processes pacing at a quarter each stay within the limit together, so an outage costs speed, not
calls. A call never fails because of the store.

* **Into the outage.** The first permit in memory comes one window (1 s + margin) after the call that met
  the error began: the calls Redis admitted just before are still in the gateway's window, and memory does
  not know them.
* **Out of it.** One caller tries Redis again (its real acquire: a Redis that answers PING but refuses the
  script is still down) at the next multiple of ``PROBE_SECONDS`` of the wall clock, so the processes of a
  host go back together and no process sends at the whole limit while others still send at their share.
  When Redis answers, the process is back on the shared budget and logs it once.

A permit remembers where it came from: a permit taken in memory is reported to memory; a permit taken from
Redis whose report cannot reach it is dropped (Redis forgets its stamp within a second anyway).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Literal

from metastudio_provider.client.adaptive import WINDOW, MemoryBackend, Policy
from metastudio_provider.client.limiter_redis import RedisBackend
from metastudio_provider.client.redact import redact_uri, uri_password
from metastudio_provider.utils.options import option

log = logging.getLogger(__name__)

DEFAULT_SHARE = 0.25
"""Of each API's table limit, what one process sends while the store is down (docs/limits.md: why a quarter)."""
PROBE_SECONDS = 3.0
"""During an outage, one caller tries Redis again at every multiple of this many seconds of the wall clock."""
LOCAL_PERMIT_SECONDS = 600.0
"""A permit taken in memory that was never reported is forgotten after this long."""


def store_errors() -> tuple[type[BaseException], ...]:
    """What a store that does not answer raises: every redis-py error (``ConnectionError``, ``TimeoutError``,
    ``BusyLoadingError``, ``ReadOnlyError``, ...) and socket errors redis-py did not wrap."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def configured_share() -> float:
    """``[metastudio] limiter_fallback_share`` (``utils.options``). A value outside (0, 1] is logged and the
    default used."""
    raw = option("limiter_fallback_share")
    if raw is None:
        return DEFAULT_SHARE
    try:
        return check_share(float(raw))
    except ValueError:
        log.warning("[metastudio] limiter_fallback_share = %r is not a number in (0, 1]: using %s", raw,
                    DEFAULT_SHARE)
        return DEFAULT_SHARE


def check_share(share: float) -> float:
    if not 0 < share <= 1:
        raise ValueError(f"limiter fallback share must be in (0, 1], not {share!r}")
    return share


class FallbackBackend:
    """``RedisBackend`` while Redis answers, a ``MemoryBackend`` at ``share`` of each limit while it does not."""

    def __init__(self, redis: RedisBackend, policy: Policy, share: float = DEFAULT_SHARE,
                 probe_seconds: float = PROBE_SECONDS) -> None:
        self.redis = redis
        self.policy = policy
        self.share = check_share(share)
        self.probe_seconds = probe_seconds
        self.memory = MemoryBackend(policy)  # its clock: time.monotonic, as below
        self._lock = threading.Lock()  # guards everything below and the memory backend
        self._down_since: float | None = None
        self._hold_until = 0.0  # no permit from memory before this
        self._next_probe = 0.0
        self._probing = False
        self._local: dict[str, float] = {}  # members of permits taken in memory -> when

    @property
    def down(self) -> bool:
        """Whether this process is pacing itself in memory now."""
        return self._down_since is not None

    # -- acquire ----------------------------------------------------------------------------
    def try_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        route, started = self._route(), time.monotonic()
        if route != "memory":
            try:
                result = self.redis.try_acquire(key, limit, member)
            except store_errors() as exc:
                self._failed(exc, started)
            else:
                self._answered()
                return result
            finally:
                if route == "probe":
                    self._probing = False
        return self._local_acquire(key, limit, member)

    async def atry_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        route, started = self._route(), time.monotonic()
        if route != "memory":
            try:
                result = await self.redis.atry_acquire(key, limit, member)
            except store_errors() as exc:
                self._failed(exc, started)
            else:
                self._answered()
                return result
            finally:  # also when the waiting task is cancelled: the next caller probes
                if route == "probe":
                    self._probing = False
        return self._local_acquire(key, limit, member)  # in memory: no I/O, never blocks the loop

    # -- report -----------------------------------------------------------------------------
    def report(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
               retry_after: float | None) -> None:
        if self._local_report(key, limit, member, admitted_at, outcome, retry_after) or self.down:
            return  # a Redis permit reported during an outage: nowhere to record it
        started = time.monotonic()
        try:
            self.redis.report(key, limit, member, admitted_at, outcome, retry_after)
        except store_errors() as exc:
            self._failed(exc, started)

    async def areport(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
                      retry_after: float | None) -> None:
        if self._local_report(key, limit, member, admitted_at, outcome, retry_after) or self.down:
            return
        started = time.monotonic()
        try:
            await self.redis.areport(key, limit, member, admitted_at, outcome, retry_after)
        except store_errors() as exc:
            self._failed(exc, started)

    # -- the shared store's own views (``metastudio limits``, tests): Redis only -------------
    def snapshot(self, keys: list[str]) -> dict[str, dict | None]:
        return self.redis.snapshot(keys)

    def reset(self, pattern: str = "*") -> None:
        with self._lock:
            self.memory.reset()
            self._local.clear()
        self.redis.reset(pattern)

    # -- the outage -------------------------------------------------------------------------
    def _route(self) -> Literal["redis", "probe", "memory"]:
        """Redis while it answers; during an outage memory, except for one caller per probe time."""
        with self._lock:
            if self._down_since is None:
                return "redis"
            if self._probing or time.monotonic() < self._next_probe:
                return "memory"
            self._probing = True
            self._next_probe = self._probe_time()
            return "probe"

    def _probe_time(self) -> float:
        """The next multiple of ``probe_seconds`` of the wall clock, on the monotonic clock: every process of a
        host (and of hosts whose clocks agree) tries Redis at the same moments."""
        return time.monotonic() + self.probe_seconds - time.time() % self.probe_seconds

    def _failed(self, exc: BaseException, started: float) -> None:
        with self._lock:
            self._next_probe = self._probe_time()
            if self._down_since is not None:
                return
            self._down_since = time.monotonic()
            self._hold_until = started + WINDOW + self.policy.margin
        log.warning(
            "rate limiter: its store %s does not answer (%s); calls go on, each process pacing itself in memory "
            "at %s of each API's limit ([metastudio] limiter_fallback_share) until it answers again "
            "(tried every %g s)", redact_uri(self.redis.storage_uri), self._describe(exc), self.share,
            self.probe_seconds,
        )

    def _answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            since, self._down_since = self._down_since, None
            self.memory.reset()  # the next outage starts afresh at the share
        if since is not None:
            log.info("rate limiter: its store %s answers again after %.1f s: back on the shared budget",
                     redact_uri(self.redis.storage_uri), time.monotonic() - since)

    def _describe(self, exc: BaseException) -> str:
        text = redact_uri(f"{type(exc).__name__}: {exc}")
        password = uri_password(self.redis.storage_uri)
        return text.replace(password, "***") if password else text

    # -- memory -----------------------------------------------------------------------------
    def _local_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        with self._lock:
            held = self._hold_until - time.monotonic()
            if held > 0:  # Redis's last permits are still in the gateway's window
                return held, 0.0
            # MemoryBackend's rules hold for any positive limit; a share of the table's is fractional
            wait, now = self.memory.try_acquire(key, limit * self.share, member)  # type: ignore[arg-type]
            if wait <= 0:
                self._local[member] = now
                while self._local:  # oldest first: forget permits never reported
                    oldest, at = next(iter(self._local.items()))
                    if now - at < LOCAL_PERMIT_SECONDS:
                        break
                    del self._local[oldest]
            return wait, now

    def _local_report(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
                      retry_after: float | None) -> bool:
        """Report a permit taken in memory to memory; False if it came from Redis."""
        with self._lock:
            if self._local.pop(member, None) is None:
                return False
            self.memory.report(key, limit * self.share, member, admitted_at, outcome,  # type: ignore[arg-type]
                               retry_after)
            return True
