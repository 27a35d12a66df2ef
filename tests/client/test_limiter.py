"""The client-side limiter: one process, and several processes sharing the machine's Redis."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

import httpx

from metastudio_provider.catalog import get_api
from metastudio_provider.client import RateLimiter
from metastudio_provider.client.limits_view import limit_rows
from tests.conftest import connection_json


def _max_in_any_window(stamps: list[float], window: float = 1.0) -> int:
    stamps = sorted(stamps)
    best, start = 0, 0
    for end, t in enumerate(stamps):
        while t - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def test_moving_window_in_one_process():
    """Unanswered calls (no report): even pacing at 5/s, and never more than 5 in any 1-s window."""
    limiter = RateLimiter("memory://")
    # the limiter's own admission times: a stamp taken after acquire() returns moves with the scheduler's delays
    stamps = [limiter.acquire("k", 5).admitted_at for _ in range(12)]
    assert _max_in_any_window(stamps) == 5
    assert stamps[-1] - stamps[0] >= 2.0  # 12 calls at 5/s need two full windows


def _worker(conn_json: str, calls: int, ready: multiprocessing.Queue, go: Any, out: multiprocessing.Queue) -> None:
    os.environ["AIRFLOW_CONN_METASTUDIO_DEFAULT"] = conn_json
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    hook = MetaStudioHook()
    ready.put(os.getpid())
    go.wait(60)  # every process calls at once: each alone would be within the limit
    stamps = []
    for _ in range(calls):
        hook.call("ListSmartLiveJobs", query={"limit": 1})
        stamps.append(time.time())
    out.put(stamps)


def test_processes_share_the_limit_through_redis(emulator, redis_url):
    """Three processes, one Redis, calling at once, each a second's worth of the limit: together they stay at the
    API's limit, next to nothing refused (three per-process limiters would send three times the limit)."""
    RateLimiter(redis_url).reset(f"{emulator.project_id}:*")  # only this tenant's keys: other tests share db 15
    api = get_api("ListSmartLiveJobs")
    limit = api.limit(emulator.region)
    httpx.post(f"{emulator.base_url}/_emulator/reset-stats").raise_for_status()
    conn = connection_json(emulator, rate_limit_storage=redis_url)
    ctx = multiprocessing.get_context("spawn")
    ready, go, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(conn, limit, ready, go, out)) for _ in range(3)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    go.set()
    stamps = [t for _ in procs for t in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
    stats = httpx.get(f"{emulator.base_url}/_emulator/stats").json()["apis"]["ListSmartLiveJobs"]
    total = len(procs) * limit
    assert len(stamps) == total
    # One budget: every process counted its calls in the shared store (per-process limiters leave it empty)
    rows = {r["api"]: r for r in limit_rows(RateLimiter(redis_url), emulator.project_id, emulator.region)}
    assert rows.get("ListSmartLiveJobs", {}).get("calls_last_minute", 0) >= total, rows
    # The gateway's view decides: arrivals at the emulator at the limit, next to nothing refused. (The
    # limiter leaves 50 ms between admission and arrival; on a loaded machine a call can be later than that
    # and be refused once, then retried. Three per-process limiters are refused 3 times or more.)
    assert stats["throttled"] <= 1, stats
    assert stats["max_admitted_per_second"] == limit
    # the budget is shared, not per process: each process alone would have needed one second
    assert max(stamps) - min(stamps) >= total / limit - 1
