"""The adaptive limit of one key (tenant, region, API): how fast to send, learned from the gateway's answers.

Three rules, the same in memory (``MemoryBackend``) and in Redis (``limiter_redis``):

* **Hard cap (the table).** At most ``limit`` calls whose stamp lies in the last second. A call is
  stamped ``admitted + margin`` while in flight and, once answered, ``min(answered, admitted + margin)``:
  the gateway counted it on arrival, before the answer, so a slot is reused 1 s after the answer (a few
  ms on a near gateway) and never later than the old fixed margin. A throttled call frees its slot: the
  gateway did not count it.
* **Even pacing at the learned rate.** Calls start ``1 / rate`` apart (no burst): ``next_at``.
* **AIMD on the learned rate** (``Policy.on_success`` / ``on_throttled``), starting at the table's limit and
  never above it. A 429 / APIGW.0308 of a call admitted after the last cut takes the rate that failed
  (the *ceiling*: the pacing rate, or fewer if fewer of our calls reached the gateway in the last second,
  since the 429 says its window was full), multiplies it by ``decrease`` and paces at that; later 429s
  of calls sent at the old rate do not cut again. Successes add to the rate as time does, whatever the
  rate (each adds ``step / rate``, so sending at full speed adds ``step`` per second, like TCP's one
  segment per round trip): the table's limit in ``recover_seconds`` up to just below the ceiling, then
  only the ``band`` in ``probe_seconds`` (slow probing where it failed); a failure there is a
  confirmation and costs only ``band``. Past ``ceiling * (1 + band)`` (or back at the table's limit)
  without a 429 the gateway allows more: the ceiling is forgotten and the rate climbs back to the
  table's. ``Retry-After`` blocks the whole key until then. **The windows' edge**: a first 429 (no
  ceiling) while ``limit - 1`` of our calls were in our last second says the gateway's window held the
  table's ``limit`` (the oldest call counted a few ms later there than our stamp: a late arrival, not a
  lower limit), so the rate backs off by the ``band`` only, under a ceiling at the table's limit; a
  second 429 before the rate is back there is a lower limit, cut as above (``Policy.on_throttled``).

Redis runs the same rules in Lua (``limiter_redis.ACQUIRE`` and ``REPORT``, atomically): each method below
names the script's blocks it mirrors, and each block names the method.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

WINDOW = 1.0
"""Seconds of the gateway's window ("any 1-second window")."""
MINUTE = 60.0
RECENT_THROTTLES = 300.0
"""How far back ``metastudio limits`` counts 429s (seconds)."""
STATE_TTL = 86400.0
"""An unused key's learned limit is forgotten after a day."""


@dataclass(frozen=True)
class Policy:
    """The limiter's parameters (docs/limits.md explains each)."""

    margin: float = 0.05
    decrease: float = 0.5
    band: float = 0.1
    probe_seconds: float = 30.0
    recover_seconds: float = 10.0
    floor: float = 1 / 60
    slack: float = 0.005

    def on_success(self, rate: float, ceiling: float, limit: float) -> tuple[float, float]:
        """Additive increase after a call the gateway admitted: the new (rate, ceiling).

        The Lua twin: ``limiter_redis.REPORT``, block "additive increase".
        """
        if ceiling and rate >= min(ceiling * (1 + self.band), limit):
            ceiling = 0.0  # past the rate that failed (or at the table's), without a 429: the gateway allows more
        if not ceiling:
            rate += limit / self.recover_seconds / rate
        elif rate < ceiling * (1 - self.band):
            rate = min(rate + limit / self.recover_seconds / rate, ceiling * (1 - self.band))
        else:
            rate += ceiling * self.band / self.probe_seconds / rate
        return min(rate, limit), ceiling

    def on_throttled(self, rate: float, ceiling: float, observed: int = 0, limit: int = 0) -> tuple[float, float]:
        """Multiplicative decrease after a 429 of a call sent at ``rate``, when ``observed`` of our calls
        (all processes') reached the gateway in the last second: the new (rate, ceiling).

        The rate that failed is at most what the gateway just let through: a 429 says its window was full.
        At the windows' edge (no ceiling yet, ``limit - 1`` of ours in the window: the gateway still held
        the oldest of the table's ``limit``) it is the table's limit that held: back off by the band only.

        The Lua twin: ``limiter_redis.REPORT``, blocks "the windows' edge" and "multiplicative decrease".
        """
        if not ceiling and limit >= 2 and observed >= limit - 1:  # the windows' edge
            return max(rate * (1 - self.band), self.floor), float(limit)
        # multiplicative decrease
        failed = min(rate, observed) if observed >= 1 else rate
        near = ceiling and failed >= ceiling * (1 - self.band)
        return max(failed * ((1 - self.band) if near else self.decrease), self.floor), failed


@dataclass
class KeyState:
    """One key's state in memory (the Redis backend keeps the same fields in a hash and sorted sets)."""

    rate: float
    ceiling: float = 0.0
    next_at: float = 0.0
    blocked_until: float = 0.0
    cut_at: float = 0.0
    succeeded: int = 0
    throttled: int = 0
    log: dict[str, float] = field(default_factory=dict)  # in-window calls: member -> stamp
    calls: deque[float] = field(default_factory=deque)  # admissions of the last minute
    throttles: deque[float] = field(default_factory=deque)  # 429s of the last RECENT_THROTTLES seconds
    used_at: float = 0.0


class MemoryBackend:
    """The limiter's state in this process (``memory://``). Not thread-safe: ``RateLimiter`` holds a lock."""

    def __init__(self, policy: Policy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self.clock = clock
        self.keys: dict[str, KeyState] = {}

    def _state(self, key: str, limit: int, now: float) -> KeyState:
        state = self.keys.get(key)
        if state is None or now - state.used_at > STATE_TTL:
            state = self.keys[key] = KeyState(rate=float(limit))
        state.rate = min(state.rate, float(limit))
        state.used_at = now
        return state

    def try_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        """``(0, admitted_at)`` when the call may start now, else ``(seconds to wait, now)``.

        The Lua twin: ``limiter_redis.ACQUIRE``, blocks "hard cap" and "even pacing".
        """
        now = self.clock()
        s = self._state(key, limit, now)
        wait = max(s.blocked_until - now, s.next_at - now)
        # hard cap
        s.log = {m: t for m, t in s.log.items() if t > now - WINDOW}
        if len(s.log) >= limit:
            wait = max(wait, min(s.log.values()) + WINDOW - now)
        if wait > 0:
            return max(wait, 1e-6), now
        # even pacing: on schedule (late by at most ``slack``: a sleeper's wake-up) the schedule is kept, else it
        # restarts now
        s.next_at = (s.next_at if now - s.next_at <= self.policy.slack else now) + 1 / s.rate
        s.log[member] = now + self.policy.margin
        s.calls.append(now)
        while s.calls and s.calls[0] <= now - MINUTE:
            s.calls.popleft()
        return 0.0, now

    def report(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
               retry_after: float | None) -> None:
        """Record how the call admitted at ``admitted_at`` ended: ``admitted`` (the gateway let it through,
        whatever it answered), ``throttled`` (429 / APIGW.0308) or ``unknown`` (no answer).

        The Lua twin: ``limiter_redis.REPORT``, blocks "a 429" and "an answer".
        """
        now = self.clock()
        s = self._state(key, limit, now)
        if outcome == "throttled":  # a 429
            s.log.pop(member, None)
            s.throttled += 1
            s.throttles.append(now)
            while s.throttles and s.throttles[0] <= now - RECENT_THROTTLES:
                s.throttles.popleft()
            if retry_after:
                s.blocked_until = max(s.blocked_until, now + retry_after)
            if admitted_at >= s.cut_at:
                observed = sum(1 for t in s.log.values() if t > now - WINDOW)
                s.rate, s.ceiling = self.policy.on_throttled(s.rate, s.ceiling, observed, limit)
                s.cut_at = now
            s.next_at = max(s.next_at, now + 1 / s.rate)
            return
        # an answer
        if member in s.log:
            s.log[member] = min(now, admitted_at + self.policy.margin)
        if outcome == "admitted":
            s.succeeded += 1
            s.rate, s.ceiling = self.policy.on_success(s.rate, s.ceiling, limit)

    def snapshot(self, key: str) -> dict | None:
        """What ``metastudio limits`` shows for ``key``, or None if this process never used it."""
        s = self.keys.get(key)
        if s is None:
            return None
        now = self.clock()
        return {
            "learned": s.rate, "ceiling": s.ceiling or None, "succeeded": s.succeeded, "throttled": s.throttled,
            "calls_last_minute": sum(1 for t in s.calls if t > now - MINUTE),
            "throttled_recent": sum(1 for t in s.throttles if t > now - RECENT_THROTTLES),
            "blocked_for": max(s.blocked_until - now, 0.0),
        }

    def reset(self) -> None:
        self.keys.clear()
