"""The adaptive limiter's state in Redis, shared by every process and host: ``client.adaptive`` in Lua.

Keys of one limiter key ``<tenant>:<region>:<api>`` (the braces are a Redis Cluster hash tag, so one
script's keys live in one slot):

* ``metastudio:ratelimit:{<key>}:log``: sorted set, the calls in the window; score = stamp (µs).
* ``metastudio:ratelimit:{<key>}:state``: hash ``rate``, ``ceiling`` (calls/s), ``next_at``,
  ``blocked_until``, ``cut_at`` (µs), ``succeeded``, ``throttled`` (counters); kept a day after last use.
* ``metastudio:ratelimit:{<key>}:calls``: sorted set, admissions of the last minute.
* ``metastudio:ratelimit:{<key>}:throttled``: sorted set, 429s of the last five minutes.

Times come from Redis (``TIME``), so hosts with skewed clocks share one schedule; both scripts run
atomically, so no two processes can take the same slot or both cut the rate for one overshoot.

The rules are ``client.adaptive``'s, written twice because Redis must run them atomically: each block of the
scripts starts with a comment ``-- <block> (Python: <Class.method>)`` naming the Python it mirrors, and those
methods' docstrings name the script and block back. ``tests/client/test_limiter_adaptive.py`` checks that
the names match and that both sides give the same rates for the same reports.

A Redis that does not answer within ``SOCKET_TIMEOUT`` raises here at once (one reconnect on a closed
connection, no other retry): ``client.limiter_fallback`` then paces the process in memory until it answers.
"""

from __future__ import annotations

import asyncio
from string import Template
from typing import Any

from metastudio_provider.client.adaptive import MINUTE, RECENT_THROTTLES, STATE_TTL, WINDOW, Policy

PREFIX = "metastudio:ratelimit:"
US = 1_000_000
SOCKET_TIMEOUT = 1.0
"""Seconds to connect to Redis or to wait for a script's answer (a script takes about a millisecond); past it
the call is paced in memory instead. ``?socket_timeout=`` / ``?socket_connect_timeout=`` in the URI win."""

# ARGV: limit, member, margin µs, slack µs, state ttl ms. Returns {wait µs (0: admitted), now µs}.
ACQUIRE = Template("""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local s = redis.call('HMGET', KEYS[2], 'rate', 'next_at', 'blocked_until')
local rate = math.min(tonumber(s[1]) or limit, limit)
local next_at = tonumber(s[2]) or 0
local wait = math.max((tonumber(s[3]) or 0) - now, next_at - now)
-- hard cap (Python: MemoryBackend.try_acquire)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - $window)
if redis.call('ZCARD', KEYS[1]) >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  wait = math.max(wait, tonumber(oldest[2]) + $window - now)
end
if wait > 0 then return {math.ceil(wait), now} end
-- even pacing (Python: MemoryBackend.try_acquire)
if now - next_at > tonumber(ARGV[4]) then next_at = now end
next_at = next_at + 1000000 / rate
redis.call('HSET', KEYS[2], 'rate', string.format('%.17g', rate), 'next_at', string.format('%.0f', next_at))
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('PEXPIRE', KEYS[1], $log_ttl)
redis.call('ZADD', KEYS[3], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - $minute)
redis.call('PEXPIRE', KEYS[3], $minute_ms)
return {0, now}
""").substitute(window=int(WINDOW * US), log_ttl=int((WINDOW + 60) * 1000), minute=int(MINUTE * US),
               minute_ms=int(MINUTE * 1000))

# ARGV: limit, member, admitted µs, outcome, retry-after µs (0: none), margin µs, state ttl ms,
#       decrease, band, probe_seconds, recover_seconds, floor. Returns the rate in milli-calls/s.
REPORT = Template("""
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit = tonumber(ARGV[1])
local member, admitted, outcome = ARGV[2], tonumber(ARGV[3]), ARGV[4]
local decrease, band = tonumber(ARGV[8]), tonumber(ARGV[9])
local probe, recover, floor = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
local s = redis.call('HMGET', KEYS[2], 'rate', 'ceiling', 'next_at', 'blocked_until', 'cut_at')
local rate = math.min(tonumber(s[1]) or limit, limit)
local ceiling = tonumber(s[2]) or 0
if outcome == 'throttled' then
  -- a 429 (Python: MemoryBackend.report)
  redis.call('ZREM', KEYS[1], member)
  redis.call('HINCRBY', KEYS[2], 'throttled', 1)
  redis.call('ZADD', KEYS[4], now, member)
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - $recent)
  redis.call('PEXPIRE', KEYS[4], $recent_ms)
  local blocked = tonumber(s[4]) or 0
  local retry_after = tonumber(ARGV[5])
  if retry_after > 0 then blocked = math.max(blocked, now + retry_after) end
  if admitted >= (tonumber(s[5]) or 0) then
    local observed = redis.call('ZCOUNT', KEYS[1], '(' .. string.format('%.0f', now - $window), '+inf')
    if ceiling == 0 and limit >= 2 and observed >= limit - 1 then
      -- the windows' edge (Python: Policy.on_throttled)
      ceiling = limit
      rate = math.max(rate * (1 - band), floor)
    else
      -- multiplicative decrease (Python: Policy.on_throttled)
      local failed = rate
      if observed >= 1 then failed = math.min(rate, observed) end
      local factor = decrease
      if ceiling > 0 and failed >= ceiling * (1 - band) then factor = 1 - band end
      ceiling = failed
      rate = math.max(failed * factor, floor)
    end
    redis.call('HSET', KEYS[2], 'cut_at', string.format('%.0f', now))
  end
  local next_at = math.max(tonumber(s[3]) or 0, now + 1000000 / rate)
  redis.call('HSET', KEYS[2], 'rate', string.format('%.17g', rate), 'ceiling', string.format('%.17g', ceiling),
             'next_at', string.format('%.0f', next_at), 'blocked_until', string.format('%.0f', blocked))
else
  -- an answer (Python: MemoryBackend.report)
  redis.call('ZADD', KEYS[1], 'XX', math.min(now, admitted + tonumber(ARGV[6])), member)
  if outcome == 'admitted' then
    redis.call('HINCRBY', KEYS[2], 'succeeded', 1)
    -- additive increase (Python: Policy.on_success)
    if ceiling > 0 and rate >= math.min(ceiling * (1 + band), limit) then ceiling = 0 end
    if ceiling == 0 then
      rate = rate + limit / recover / rate
    elseif rate < ceiling * (1 - band) then
      rate = math.min(rate + limit / recover / rate, ceiling * (1 - band))
    else
      rate = rate + ceiling * band / probe / rate
    end
    rate = math.min(rate, limit)
    redis.call('HSET', KEYS[2], 'rate', string.format('%.17g', rate), 'ceiling', string.format('%.17g', ceiling))
  end
end
redis.call('PEXPIRE', KEYS[2], ARGV[7])
return math.floor(rate * 1000)
""").substitute(recent=int(RECENT_THROTTLES * US), recent_ms=int(RECENT_THROTTLES * 1000), window=int(WINDOW * US))


def _client_options(retry: Any) -> dict[str, Any]:
    """Short timeouts and a single reconnect (redis-py's default is 5 s and 10 retries: a stalled Redis would
    hold a call for a minute before the limiter could fall back)."""
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError

    return {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT,
            "retry": retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,))}


def redis_keys(key: str) -> list[str]:
    """The log, state, calls and throttled keys of one limiter key."""
    base = f"{PREFIX}{{{key}}}:"
    return [base + "log", base + "state", base + "calls", base + "throttled"]


class RedisBackend:
    """``client.adaptive``'s rules on Redis: ``try_acquire``/``report`` and their asyncio twins."""

    def __init__(self, storage_uri: str, policy: Policy) -> None:
        self.storage_uri = storage_uri
        self.policy = policy
        self._sync: Any = None
        self._async: dict[int, Any] = {}  # one asyncio client per event loop

    def _scripts(self) -> Any:
        if self._sync is None:
            import redis
            from redis.retry import Retry

            client = redis.Redis.from_url(self.storage_uri, **_client_options(Retry))
            self._sync = (client, client.register_script(ACQUIRE), client.register_script(REPORT))
        return self._sync

    def _ascripts(self) -> Any:
        loop = id(asyncio.get_running_loop())
        if loop not in self._async:
            import redis.asyncio
            from redis.asyncio.retry import Retry as AsyncRetry

            client = redis.asyncio.Redis.from_url(self.storage_uri, **_client_options(AsyncRetry))
            self._async[loop] = (client, client.register_script(ACQUIRE), client.register_script(REPORT))
        return self._async[loop]

    def _acquire_args(self, limit: int, member: str) -> list:
        p = self.policy
        return [limit, member, int(p.margin * US), int(p.slack * US), int(STATE_TTL * 1000)]

    def _report_args(self, limit: int, member: str, admitted_at: float, outcome: str,
                     retry_after: float | None) -> list:
        p = self.policy
        return [limit, member, int(admitted_at), outcome, int((retry_after or 0) * US), int(p.margin * US),
                int(STATE_TTL * 1000), p.decrease, p.band, p.probe_seconds, p.recover_seconds, p.floor]

    def try_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        wait, now = self._scripts()[1](keys=redis_keys(key), args=self._acquire_args(limit, member))
        return wait / US, now

    async def atry_acquire(self, key: str, limit: int, member: str) -> tuple[float, float]:
        wait, now = await self._ascripts()[1](keys=redis_keys(key), args=self._acquire_args(limit, member))
        return wait / US, now

    def report(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
               retry_after: float | None) -> None:
        self._scripts()[2](keys=redis_keys(key), args=self._report_args(limit, member, admitted_at, outcome,
                                                                        retry_after))

    async def areport(self, key: str, limit: int, member: str, admitted_at: float, outcome: str,
                      retry_after: float | None) -> None:
        await self._ascripts()[2](keys=redis_keys(key), args=self._report_args(limit, member, admitted_at, outcome,
                                                                              retry_after))

    def snapshot(self, keys: list[str]) -> dict[str, dict | None]:
        """Per key, what ``metastudio limits`` shows (None: no state, i.e. unused for a day)."""
        client = self._scripts()[0]
        seconds, micros = client.time()
        now = seconds * US + micros
        pipe = client.pipeline(transaction=False)
        for key in keys:
            _, state, calls, throttled = redis_keys(key)
            pipe.hmget(state, "rate", "ceiling", "blocked_until", "succeeded", "throttled")
            pipe.zcount(calls, now - MINUTE * US, "+inf")
            pipe.zcount(throttled, now - RECENT_THROTTLES * US, "+inf")
        replies = pipe.execute()
        out: dict[str, dict | None] = {}
        for i, key in enumerate(keys):
            (rate, ceiling, blocked, succeeded, throttled), calls, recent = replies[3 * i: 3 * i + 3]
            out[key] = None if rate is None else {
                "learned": float(rate), "ceiling": float(ceiling) if ceiling and float(ceiling) else None,
                "succeeded": int(succeeded or 0), "throttled": int(throttled or 0),
                "calls_last_minute": int(calls), "throttled_recent": int(recent),
                "blocked_for": max((float(blocked or 0) - now) / US, 0.0),
            }
        return out

    def reset(self, pattern: str = "*") -> None:
        """Delete the limiter keys matching ``<tenant>:<region>:<api>`` glob ``pattern``."""
        client = self._scripts()[0]
        for name in client.scan_iter(f"{PREFIX}{{{pattern}}}:*"):
            client.delete(name)
