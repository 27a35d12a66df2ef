"""Client-side rate limiting: wait for a token of an API's per-second limit before each call.

Built on the ``limits`` library's moving-window strategy (a log of admissions, so no more
than ``limit`` calls start in ANY 1-second window, which is how MetaStudio's gateway counts).
``limits`` was chosen over pyrate-limiter because it offers the same storage for sync and
asyncio callers (memory, Redis with an atomic Lua script) with a small non-blocking API
(``hit``/``get_window_stats``); the waiting loop around it is the few lines below.

One ``RateLimiter`` per storage URI is shared by everything in a process (``get_limiter``):
threads, the sync client and the asyncio client of a triggerer alike. With a ``redis://``
storage, every process and host pointing at the same Redis shares the budget.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from functools import cache

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindow
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

_NAMESPACE = "metastudio"


class RateLimiter:
    """Waits until a call of ``api`` may start for ``tenant`` in ``region``."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage_uri = storage_uri
        self._sync = MovingWindowRateLimiter(storage_from_string(storage_uri))
        self._async: AsyncMovingWindow | None = None
        self._async_lock = threading.Lock()

    def acquire(self, key: str, limit: int) -> float:
        """Block until a token is granted; return the seconds waited."""
        item = RateLimitItemPerSecond(limit, 1, namespace=_NAMESPACE)
        started = time.monotonic()
        while not self._sync.hit(item, key):
            reset_at = self._sync.get_window_stats(item, key).reset_time
            time.sleep(_pause(reset_at))
        return time.monotonic() - started

    async def aacquire(self, key: str, limit: int) -> float:
        """The asyncio twin of ``acquire``: never blocks the event loop."""
        item = RateLimitItemPerSecond(limit, 1, namespace=_NAMESPACE)
        started = time.monotonic()
        strategy = self._async_strategy()
        if strategy is None:  # in-memory: the sync storage is shared and never does I/O
            while not self._sync.hit(item, key):
                await asyncio.sleep(_pause(self._sync.get_window_stats(item, key).reset_time))
        else:
            while not await strategy.hit(item, key):
                await asyncio.sleep(_pause((await strategy.get_window_stats(item, key)).reset_time))
        return time.monotonic() - started

    def _async_strategy(self) -> AsyncMovingWindow | None:
        if isinstance(self._sync.storage, MemoryStorage):
            return None
        with self._async_lock:
            if self._async is None:
                from limits.aio.storage import storage_from_string as async_storage

                uri = self.storage_uri if self.storage_uri.startswith("async+") else f"async+{self.storage_uri}"
                self._async = AsyncMovingWindow(async_storage(uri, implementation="redispy"))
            return self._async

    def reset(self) -> None:
        """Forget every admission (tests and benchmarks)."""
        self._sync.storage.reset()


def limiter_key(project_id: str, region: str, api: str) -> str:
    """Limits are per tenant, per region, per API."""
    return f"{project_id}:{region}:{api}"


@cache
def get_limiter(storage_uri: str = "memory://") -> RateLimiter:
    """The process-wide limiter for ``storage_uri``."""
    return RateLimiter(storage_uri)


def _pause(reset_at: float) -> float:
    """Sleep until the oldest admission leaves the window, with a little jitter against stampedes."""
    return max(reset_at - time.time(), 0.002) + random.uniform(0, 0.005)
