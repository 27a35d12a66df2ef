"""Client-side rate limiting: wait for a token of an API's per-second limit before each call.

A sliding log per (tenant, region, API): a call may start when fewer than ``limit`` calls
started in the last ``window`` seconds — how MetaStudio's gateway counts ("any 1-second
window"). The window is 1 s plus a small ``margin`` (default 50 ms), because a call is
admitted here but counted by the gateway on arrival, a few milliseconds later and not always
in the same order.

Why hand-written (about 60 lines) rather than ``limits`` or ``pyrate-limiter``: we first used
``limits``' moving window; its window is a whole number of seconds, so it cannot carry that
margin, and measured against the emulator four processes at exactly 1 s got 11 calls into
one 1-second window of arrivals and were throttled (tests/client/test_limiter.py). The Redis
backend here also takes its clock from Redis (``TIME``), so hosts with skewed clocks still
share one window, and it answers "wait N ms" in the same round trip.

One limiter per storage URI is shared by everything in a process (``get_limiter``): threads,
the sync client and the triggerer's asyncio client alike. With ``redis://``, every process and
host using the same Redis shares the budget.

Within a process, only one caller per key waits for a token at a time (a per-key gate); the
others queue on the gate without running. Without it, every waiting thread woke when a token
freed up (all were told the same wait): with 16 threads in each of 6 processes, the thread that
won the token then queued for the GIL behind the losers, and its request reached the gateway up
to ~100 ms after admission — more than the margin, so a batch of 300 videos got a 429
(measured by bench/run.py).
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
import weakref
from collections import defaultdict, deque
from functools import cache

from metastudio_provider.client.errors import MetaStudioConfigError
from metastudio_provider.client.redact import redact_uri

DEFAULT_MARGIN = 0.05

# KEYS[1]: the log (a sorted set of start times in µs); ARGV: limit, window µs, a unique member suffix.
# Returns 0 when admitted, else the µs to wait until the oldest start leaves the window.
_REDIS_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], math.ceil(window / 1000) + 1000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(tonumber(oldest[2]) + window - now, 1)
"""


class RateLimiter:
    """Waits until a call may start: at most ``limit`` starts per ``1 s + margin`` for each key."""

    def __init__(self, storage_uri: str = "memory://", margin: float = DEFAULT_MARGIN) -> None:
        if not storage_uri.startswith(("memory://", "redis://", "rediss://", "unix://")):
            raise MetaStudioConfigError(
                "rate_limit_storage",
                f"unsupported storage {redact_uri(storage_uri)!r}: use memory://, redis://, rediss:// or unix://",
            )
        self.storage_uri = storage_uri
        self.window = 1.0 + margin
        self._memory: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._gates: dict[str, threading.Lock] = {}
        self._agates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # loop -> {key: asyncio.Lock}
        self._redis = None
        self._aredis: dict[int, object] = {}  # one asyncio client per event loop
        self._member = uuid.uuid4().hex

    @property
    def uses_redis(self) -> bool:
        return not self.storage_uri.startswith("memory://")

    def try_acquire(self, key: str, limit: int) -> float:
        """Take a token now (return 0.0) or say how many seconds until one frees up."""
        if self.uses_redis:
            return self._redis_script()(keys=[_redis_key(key)], args=self._args(limit)) / 1e6
        with self._lock:
            now = time.monotonic()
            log = self._memory[key]
            while log and log[0] <= now - self.window:
                log.popleft()
            if len(log) < limit:
                log.append(now)
                return 0.0
            return max(log[0] + self.window - now, 0.001)

    async def atry_acquire(self, key: str, limit: int) -> float:
        if not self.uses_redis:
            return self.try_acquire(key, limit)  # in memory: no I/O, never blocks the loop
        script = self._aredis_script()
        return (await script(keys=[_redis_key(key)], args=self._args(limit))) / 1e6

    def acquire(self, key: str, limit: int) -> float:
        """Block until a token is granted; return the seconds waited. One waiter per key at a time."""
        started = time.monotonic()
        with self._gate(key):
            while (wait := self.try_acquire(key, limit)) > 0:
                time.sleep(wait)
        return time.monotonic() - started

    async def aacquire(self, key: str, limit: int) -> float:
        """The asyncio twin of ``acquire``: never blocks the event loop."""
        started = time.monotonic()
        async with self._agate(key):
            while (wait := await self.atry_acquire(key, limit)) > 0:
                await asyncio.sleep(wait)
        return time.monotonic() - started

    def _gate(self, key: str) -> threading.Lock:
        with self._lock:
            return self._gates.setdefault(key, threading.Lock())

    def _agate(self, key: str) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        with self._lock:
            return self._agates.setdefault(loop, {}).setdefault(key, asyncio.Lock())

    def reset(self) -> None:
        """Forget every admission (tests and benchmarks)."""
        with self._lock:
            self._memory.clear()
        if self.uses_redis:
            client = self._redis_script().registered_client
            for key in client.scan_iter(_redis_key("*")):
                client.delete(key)

    def _args(self, limit: int) -> list:
        return [limit, int(self.window * 1e6), f"{self._member}:{uuid.uuid4().hex[:8]}"]

    def _redis_script(self):  # noqa: ANN202 - redis.commands.core.Script
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.storage_uri).register_script(_REDIS_ACQUIRE)
        return self._redis

    def _aredis_script(self):  # noqa: ANN202 - redis.commands.core.AsyncScript
        loop = id(asyncio.get_running_loop())
        if loop not in self._aredis:
            import redis.asyncio

            self._aredis[loop] = redis.asyncio.Redis.from_url(self.storage_uri).register_script(_REDIS_ACQUIRE)
        return self._aredis[loop]


def limiter_key(project_id: str, region: str, api: str) -> str:
    """Limits are per tenant, per region, per API."""
    return f"{project_id}:{region}:{api}"


def _redis_key(key: str) -> str:
    return f"metastudio:ratelimit:{key}"


@cache
def get_limiter(storage_uri: str = "memory://", margin: float = DEFAULT_MARGIN) -> RateLimiter:
    """The process-wide limiter for ``storage_uri``."""
    return RateLimiter(storage_uri, margin)
