"""Per-second counts of admitted and throttled calls per limiter key: the MetaStudio view's Limits chart.

``record`` is called by ``RateLimiter.report`` for every call the gateway answered; ``read`` gives the counts
of some keys since a moment. Where they are kept follows the limiter's storage:

* ``redis://`` (and ``rediss://``, ``unix://``): one hash per key and minute,
  ``metastudio:usage:{<key>}:<epoch minute>``, fields ``a<epoch second>`` / ``t<epoch second>``, kept an hour
  (``RETENTION``), so every process and host adds to the same counts.
* ``memory://`` (``make demo``: each process learns alone): small append-only files in
  ``$AIRFLOW_HOME/metastudio-usage`` (or ``METASTUDIO_USAGE_DIR``), one per process and minute, deleted after
  ``RETENTION``; the api-server on the same host reads them all.

Recording never raises and costs one pipelined Redis round trip or one short file append per call.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PREFIX = "metastudio:usage:"
RETENTION = 3660
"""Seconds a count is kept: the Limits panel shows the last hour."""
Counts = dict[str, dict[str, dict[int, int]]]
"""key → ``admitted`` / ``throttled`` → epoch second → calls."""
_KINDS = {"admitted": "a", "throttled": "t"}
_files_lock = threading.Lock()
_swept: dict[str, int] = {}
_redis_down_until: dict[str, float] = {}
REDIS_PAUSE = 30.0
"""Seconds without counting after a Redis error: a Redis that does not answer must not slow every call."""


def usage_dir() -> Path:
    """Where ``memory://`` counts are kept on this host."""
    explicit = os.environ.get("METASTUDIO_USAGE_DIR")
    if explicit:
        return Path(explicit)
    home = os.environ.get("AIRFLOW_HOME") or str(Path.home() / "airflow")
    return Path(home) / "metastudio-usage"


def uses_redis(storage_uri: str) -> bool:
    return storage_uri.startswith(("redis://", "rediss://", "unix://"))


@cache
def redis_client(storage_uri: str) -> Any:
    import redis
    from redis.retry import Retry

    from metastudio_provider.client.limiter_redis import _client_options

    return redis.Redis.from_url(storage_uri, **_client_options(Retry))


def record(storage_uri: str, key: str, outcome: str, now: float | None = None) -> None:
    """Count one ``admitted`` or ``throttled`` call of ``key`` (other outcomes are not counted). Never raises."""
    kind = _KINDS.get(outcome)
    if kind is None:
        return
    second = int(now if now is not None else time.time())
    try:
        if uses_redis(storage_uri):
            if _redis_down_until.get(storage_uri, 0.0) > time.monotonic():
                return
            name = f"{PREFIX}{{{key}}}:{second // 60}"
            pipe = redis_client(storage_uri).pipeline(transaction=False)
            pipe.hincrby(name, f"{kind}{second}", 1)
            pipe.expire(name, RETENTION)
            pipe.execute()
        else:
            _append(key, kind, second)
    except Exception as exc:  # noqa: BLE001 - a lost count must never lose a call
        if uses_redis(storage_uri):
            _redis_down_until[storage_uri] = time.monotonic() + REDIS_PAUSE
        log.debug("usage log: could not count a %s call of %s: %s", outcome, key, exc)


def record_later(storage_uri: str, key: str, outcome: str) -> None:
    """``record`` in a worker thread, not awaited: an asyncio caller never waits for the count."""
    if outcome in _KINDS:
        asyncio.get_running_loop().run_in_executor(None, record, storage_uri, key, outcome, time.time())


def _append(key: str, kind: str, second: int) -> None:
    folder = usage_dir()
    minute = second // 60
    path = folder / f"{minute}-{os.getpid()}.log"
    with _files_lock:
        if _swept.get(str(folder)) != minute:
            folder.mkdir(parents=True, exist_ok=True)
            _sweep(folder, minute)
            _swept[str(folder)] = minute
        with path.open("a", encoding="utf-8") as out:
            out.write(f"{second} {kind} {key}\n")


def _sweep(folder: Path, minute: int) -> None:
    """Delete the files older than ``RETENTION``."""
    for old in folder.glob("*.log"):
        try:
            if int(old.name.split("-", 1)[0]) < minute - RETENTION // 60 - 1:
                old.unlink(missing_ok=True)
        except (ValueError, OSError):
            continue


def read(storage_uri: str, since: float, now: float | None = None, keys: list[str] | None = None) -> Counts:
    """Per key (every key counted since ``since`` when ``keys`` is None), the calls admitted and throttled in
    each second from ``since`` to ``now``."""
    now = now if now is not None else time.time()
    first, last = int(since) // 60, int(now) // 60
    out: Counts = {}
    names = {v: k for k, v in _KINDS.items()}

    def add(key: str, kind: str, second: int, count: int) -> None:
        if since <= second <= now and kind in names:
            per = out.setdefault(key, {"admitted": defaultdict(int), "throttled": defaultdict(int)})
            per[names[kind]][second] += count

    if uses_redis(storage_uri):
        client = redis_client(storage_uri)
        if keys is None:
            slots: list[tuple[str, int]] = []
            for name in client.scan_iter(match=f"{PREFIX}*", count=1000):
                text = name.decode() if isinstance(name, bytes) else str(name)
                braced, _, tail = text[len(PREFIX):].rpartition(":")
                if tail.isdigit() and first <= int(tail) <= last:
                    slots.append((braced.strip("{}"), int(tail)))
        else:
            slots = [(key, minute) for key in keys for minute in range(first, last + 1)]
        pipe = client.pipeline(transaction=False)
        for key, at in slots:
            pipe.hgetall(f"{PREFIX}{{{key}}}:{at}")
        for (key, _), fields in zip(slots, pipe.execute() if slots else [], strict=True):
            for field, count in (fields or {}).items():
                text = field.decode() if isinstance(field, bytes) else str(field)
                add(key, text[0], int(text[1:]), int(count))
        return out
    wanted = None if keys is None else set(keys)
    folder = usage_dir()
    for path in folder.glob("*.log") if folder.is_dir() else ():
        try:
            if not first <= int(path.name.split("-", 1)[0]) <= last:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
        except (ValueError, OSError):
            continue
        for line in lines:
            parts = line.split(" ", 2)
            if len(parts) == 3 and parts[0].isdigit() and (wanted is None or parts[2] in wanted):
                add(parts[2], parts[1], int(parts[0]), 1)
    return out
