"""What the MetaStudio view reads outside Airflow's database, cached: MetaStudio's list calls (through the
client and its shared limiter, at most one call per API every ``LIST_TTL`` seconds however many people look,
and however many api-servers show the view when the limiter's store is Redis) and the limiter's shared state
(learned limits, per-second counts)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from metastudio_provider.client import usage_log
from metastudio_provider.client.limiter import get_limiter, limiter_key

LIST_TTL = 10.0
"""Seconds a MetaStudio listing is reused: one call per API per 10 s for every viewer together."""
LIST_LIMIT = 100
SHARED_KEEP = 60
"""Seconds a listing stays in Redis for the other api-servers (they read it; only a turn holder calls)."""
SHARED_WAIT = 3.0
"""Seconds an api-server waits for the listing of the one whose turn it is, when it has none yet."""


@dataclass(frozen=True)
class Listing:
    """One list call's items, or why there are none (``error``), and when it was made."""

    items: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    fetched_at: float = 0.0


@dataclass(frozen=True)
class Tenant:
    """The connection's project, region and limiter storage (never its keys)."""

    conn_id: str
    project_id: str
    region: str
    storage: str


class Cache:
    """Values by name, each computed at most once per ``ttl`` seconds; callers arriving meanwhile wait for it."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self.clock = ttl, clock
        self._values: dict[str, tuple[float, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, name: str, compute: Callable[[], Any]) -> Any:
        with self._lock:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            held = self._values.get(name)
            if held is not None and self.clock() - held[0] < self.ttl:
                return held[1]
            value = compute()
            self._values[name] = (self.clock(), value)
            return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


LISTINGS = Cache(LIST_TTL)
LIMITS = Cache(5.0)


def tenant(conn_id: str) -> Tenant:
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    settings = MetaStudioHook(conn_id).settings
    return Tenant(conn_id, settings.credentials.project_id, settings.region, settings.rate_limit_storage)


def listing(conn_id: str, api: str, key: str, query: dict[str, Any] | None = None) -> Listing:
    """``api``'s first page (newest first), from the cache or one call; errors are kept as text, never raised.
    With a Redis limiter store, the api-servers share one call per ``LIST_TTL`` (``shared_listing``)."""

    def call() -> Listing:
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        try:
            with MetaStudioHook(conn_id) as hook:
                answer = hook.call(api, query={"limit": LIST_LIMIT, **(query or {})})
            return Listing(list(answer.get(key) or []), None, time.time())
        except Exception as exc:  # noqa: BLE001 - the client's errors are redacted; the page says what failed
            return Listing([], f"{api}: {exc}", time.time())

    def fetch() -> Listing:
        try:
            t = tenant(conn_id)
        except Exception:  # noqa: BLE001 - no such connection: the call says so
            return call()
        if not usage_log.uses_redis(t.storage):
            return call()
        name = f"metastudio:view:{{{t.project_id}:{t.region}}}:{api}:{json.dumps(query or {}, sort_keys=True)}"
        return shared_listing(t.storage, name, call)

    return LISTINGS.get(f"{conn_id}:{api}", fetch)


def shared_listing(storage: str, name: str, call: Callable[[], Listing]) -> Listing:
    """One call per ``LIST_TTL`` among every process sharing the limiter's Redis (several api-servers, or
    workers): the process that takes the turn (``SET NX EX``) calls and stores the listing for
    ``SHARED_KEEP`` s; the others read the stored one, waiting up to ``SHARED_WAIT`` s for a first. When
    Redis fails, the call is made here: the view never breaks on the limiter's store."""
    import redis

    try:
        client = usage_log.redis_client(storage)
        if not client.set(f"{name}:turn", "1", nx=True, ex=int(LIST_TTL)):
            deadline = time.monotonic() + SHARED_WAIT
            while (stored := client.get(f"{name}:value")) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            if stored is not None:
                return Listing(**json.loads(stored))
            return Listing([], "another api-server is listing; shown at the next refresh", time.time())
    except redis.RedisError:
        return call()
    made = call()
    try:
        client.set(f"{name}:value", json.dumps(asdict(made)), ex=SHARED_KEEP)
    except redis.RedisError:
        pass  # the others call themselves once the turn expires
    return made


def limiter_state(t: Tenant, now: float) -> tuple[dict[str, dict[str, Any] | None], usage_log.Counts]:
    """The shared limiter's state per API key, and the per-second counts of the last hour (cached 5 s)."""

    def read() -> tuple[dict[str, dict[str, Any] | None], usage_log.Counts]:
        from metastudio_provider.catalog import all_apis

        counts = usage_log.read(t.storage, now - 3600, now)
        prefix = f"{t.project_id}:{t.region}:"
        counts = {k: v for k, v in counts.items() if k.startswith(prefix)}
        states: dict[str, dict[str, Any] | None] = {}
        if usage_log.uses_redis(t.storage):
            states = get_limiter(t.storage).snapshot(
                [limiter_key(t.project_id, t.region, name) for name in all_apis()])
        return states, counts

    result: tuple[dict[str, dict[str, Any] | None], usage_log.Counts] = LIMITS.get(f"{t.conn_id}", read)
    return result
