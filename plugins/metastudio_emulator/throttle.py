"""Per-API throttling at the catalog limit over any 1-second window, plus the stats it reports.

Hand-written rather than taken from ``limits`` or a token bucket: the emulator must enforce the
gateway's rule exactly (at most N admitted requests in ANY 1-s window, which a fixed window or
a bucket with burst does not guarantee) and must also report the largest number admitted in any
1-s window, which needs the log of admission times anyway. A sliding log (one deque of admitted
timestamps per API) gives both: a request is admitted iff fewer than N admissions lie in the
last second, and the window count right after an admission is that window's size, so its
running maximum is the maximum over all windows.

A refused request is told when to come back (``Retry-After``, whole seconds as HTTP has them: until the
oldest admission leaves the window, at least 1). The limit of an API can be set below the table's
(``EmulatorConfig.limits``, ``--limit API=N``, ``PUT /_emulator/limits``): real gateways do not always
allow what their documentation says. This module is the limiter alone; the admin routes that change its
limits are ``admin.limits``.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

WINDOW_SECONDS = 1.0


@dataclass
class ApiCounters:
    limit: int
    requests: int = 0
    throttled: int = 0
    max_admitted_per_second: int = 0
    admitted_at: deque[float] = field(default_factory=deque)

    def as_dict(self) -> dict[str, int]:
        return {
            "limit": self.limit,
            "requests": self.requests,
            "admitted": self.requests - self.throttled,
            "throttled": self.throttled,
            "max_admitted_per_second": self.max_admitted_per_second,
        }


class Throttle:
    """Sliding-log limiter keyed by API name; thread-safe."""

    def __init__(
        self, limits: Mapping[str, int], *, enabled: bool = True, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = dict(limits)
        self._enabled = enabled
        self._clock = clock
        self._lock = threading.Lock()
        self._counters = {name: ApiCounters(limit) for name, limit in self._limits.items()}

    def admit(self, api: str) -> bool:
        """Count one request to ``api``; True if admitted, False if over the limit (not admitted)."""
        return self.check(api) is None

    def check(self, api: str) -> int | None:
        """Count one request to ``api``: None if admitted, else its ``Retry-After`` in whole seconds."""
        with self._lock:
            c = self._counters[api]
            c.requests += 1
            now = self._clock()
            log = c.admitted_at
            while log and log[0] <= now - WINDOW_SECONDS:
                log.popleft()
            if self._enabled and len(log) >= c.limit:
                c.throttled += 1
                return max(1, math.ceil(log[-c.limit] + WINDOW_SECONDS - now))
            log.append(now)
            c.max_admitted_per_second = max(c.max_admitted_per_second, len(log))
            return None

    def limit(self, api: str) -> int:
        return self._limits[api]

    def set_limits(self, limits: Mapping[str, int]) -> None:
        """Enforce these per-second limits from now on (API name -> limit); counters are kept."""
        with self._lock:
            for name, limit in limits.items():
                self._limits[name] = limit
                self._counters[name].limit = limit

    def stats(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {name: c.as_dict() for name, c in self._counters.items()}

    def reset(self) -> None:
        """Forget counters and admission logs."""
        with self._lock:
            self._counters = {name: ApiCounters(limit) for name, limit in self._limits.items()}
