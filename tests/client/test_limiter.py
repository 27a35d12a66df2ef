"""The client-side limiter: one process, and several processes sharing the machine's Redis."""

from __future__ import annotations

import multiprocessing
import os
import time

import httpx

from metastudio_provider.catalog import get_api
from metastudio_provider.client import RateLimiter
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
    stamps = []
    for _ in range(12):
        limiter.acquire("k", 5)
        stamps.append(time.time())
    assert _max_in_any_window(stamps) == 5
    assert stamps[-1] - stamps[0] >= 2.0  # 12 calls at 5/s need two full windows


def _worker(conn_json: str, calls: int, out: multiprocessing.Queue) -> None:
    os.environ["AIRFLOW_CONN_METASTUDIO_DEFAULT"] = conn_json
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    hook = MetaStudioHook()
    stamps = []
    for _ in range(calls):
        hook.call("ListSmartLiveJobs", query={"limit": 1})
        stamps.append(time.time())
    out.put(stamps)


def test_processes_share_the_limit_through_redis(emulator, redis_url):
    """Four processes, one Redis: together they stay at the API's limit, and nothing is throttled."""
    RateLimiter(redis_url).reset(f"{emulator.project_id}:*")  # only this tenant's keys: other tests share db 15
    api = get_api("ListSmartLiveJobs")
    limit = api.limit(emulator.region)
    httpx.post(f"{emulator.base_url}/_emulator/reset-stats").raise_for_status()
    conn = connection_json(emulator, rate_limit_storage=redis_url)
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(conn, 3 * limit // 2, out)) for _ in range(4)]
    for p in procs:
        p.start()
    stamps = [t for _ in procs for t in out.get(timeout=120)]
    for p in procs:
        p.join(timeout=30)
    stats = httpx.get(f"{emulator.base_url}/_emulator/stats").json()["apis"]["ListSmartLiveJobs"]
    total = 4 * (3 * limit // 2)
    assert len(stamps) == total
    # The gateway's view decides: arrivals at the emulator never over the limit in any second. (The
    # stamps are when answers came back: on a loaded machine several answers can land in one second.)
    assert stats["throttled"] == 0
    assert stats["max_admitted_per_second"] == limit
    # the budget is shared, not per process: 4 processes alone would have needed a quarter of the time
    assert max(stamps) - min(stamps) >= total / limit - 1
