"""The limiter survives its store: with its Redis down, calls go on, each process paced in memory at a share of
the limit; one warning per outage; back on the shared budget within a probe interval of Redis answering again.

Each test starts a redis-server of its own (tests/redis_server.py: a free port, no persistence, a password) and
kills or freezes it (SIGKILL: connection refused; SIGSTOP: timeouts). Without redis-server the tests skip, except
with CI=true.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise

import httpx
import pytest

from metastudio_provider import get_provider_info
from metastudio_provider.client import ClientSettings, Credentials, MetaStudioClient, RateLimiter
from metastudio_provider.client.limiter import limiter_key
from metastudio_provider.client.limiter_fallback import DEFAULT_SHARE, PROBE_SECONDS, configured_share
from metastudio_provider.client.limiter_redis import redis_keys
from tests.redis_server import PrivateRedis, redis_server_executable

SHARE = 0.25
LIMIT = 20  # ListAssets in cn-north-4: 5/s at the share
PASSWORD = "outage-test-redis-password"
LOGGER = "metastudio_provider.client.limiter_fallback"


@pytest.fixture
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(redis_server_executable(), tmp_path_factory.mktemp("redis"), PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.kill()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def at(self, level: int) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno == level]


@pytest.fixture
def records() -> Iterator[Records]:
    handler, logger = Records(), logging.getLogger(LOGGER)
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _max_in_any_window(stamps: list[float], window: float = 1.0) -> int:
    stamps, best, start = sorted(stamps), 0, 0
    for end, t in enumerate(stamps):
        while t - stamps[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _check_one_warning(records: Records, server: PrivateRedis) -> None:
    (warning,) = records.at(logging.WARNING)
    assert f"redis://:***@127.0.0.1:{server.port}/0" in warning and "0.25 of each API's limit" in warning, warning
    assert "limiter_fallback_share" in warning
    assert all(PASSWORD not in r.getMessage() for r in records.records)


def test_sync_acquire_goes_on_at_the_share_while_redis_is_down_and_comes_back(private_redis, records):
    limiter = RateLimiter(private_redis.url, fallback_share=SHARE)
    key = limiter_key(uuid.uuid4().hex, "cn-north-4", "ListAssets")
    permit = limiter.acquire(key, LIMIT)
    limiter.report(permit, "admitted")
    assert private_redis.counted(permit) and not limiter.in_fallback

    private_redis.kill()  # connection refused from now on
    killed, stamps = time.monotonic(), []
    for _ in range(16):
        permit = limiter.acquire(key, LIMIT)  # never raises
        limiter.report(permit, "admitted")
        stamps.append(time.monotonic())
    assert limiter.in_fallback
    first_wait = stamps[0] - killed
    pace = (stamps[-1] - stamps[0]) / (len(stamps) - 1)
    expected = 1 / (LIMIT * SHARE)  # 0.2 s
    print(f"outage: first permit after {first_wait:.2f} s; 16 permits paced {pace:.3f} s apart "
          f"({1 / pace:.2f}/s; the share is {LIMIT * SHARE:g}/s)")
    assert 0.9 <= first_wait <= 1.5  # the window of Redis's last permits first
    assert expected * 0.95 <= pace <= expected * 1.25
    # the stamps are taken after acquire returns: on a loaded machine one taken late can share a window with
    # the next; the limit paced at the full rate would put 16 in one
    assert _max_in_any_window(stamps) <= LIMIT * SHARE + 1
    _check_one_warning(records, private_redis)

    private_redis.start()  # the same port, empty
    restarted = time.monotonic()
    while True:
        permit = limiter.acquire(key, LIMIT)
        limiter.report(permit, "admitted")
        if private_redis.counted(permit):
            break
        assert time.monotonic() - restarted < PROBE_SECONDS + 1, "still not back on Redis"
    back = time.monotonic() - restarted
    print(f"back on Redis {back:.2f} s after it restarted (probe interval {PROBE_SECONDS:g} s)")
    assert not limiter.in_fallback
    assert len(records.at(logging.WARNING)) == 1
    (again,) = records.at(logging.INFO)
    assert "answers again" in again and PASSWORD not in again
    state = private_redis.client().hgetall(redis_keys(key)[1])
    assert int(state[b"succeeded"]) >= 1  # its reports reach the new server too


def test_async_acquire_goes_on_while_redis_is_frozen_and_comes_back(private_redis, records):
    """SIGSTOP: the socket accepts and never answers; each try of Redis costs its 1-s timeout."""
    limiter = RateLimiter(private_redis.url, fallback_share=SHARE)
    key = limiter_key(uuid.uuid4().hex, "cn-north-4", "ListAssets")

    async def scenario() -> tuple[list[float], float, float]:
        permit = await limiter.aacquire(key, LIMIT)
        await limiter.areport(permit, "admitted")
        assert private_redis.counted(permit)
        private_redis.pause()
        stamps: list[float] = []

        async def caller(n: int) -> None:
            for _ in range(n):
                permit = await limiter.aacquire(key, LIMIT)
                await limiter.areport(permit, "admitted")
                stamps.append(time.monotonic())

        frozen = time.monotonic()
        await asyncio.gather(*(caller(4) for _ in range(4)))
        took = time.monotonic() - frozen
        assert limiter.in_fallback
        private_redis.resume()
        resumed = time.monotonic()
        while True:
            permit = await limiter.aacquire(key, LIMIT)
            await limiter.areport(permit, "admitted")
            if not limiter.in_fallback and private_redis.counted(permit):
                return stamps, took, time.monotonic() - resumed
            assert time.monotonic() - resumed < PROBE_SECONDS + 2, "still not back on Redis"

    stamps, took, back = asyncio.run(scenario())
    gaps = [b - a for a, b in pairwise(sorted(stamps))]
    pace = statistics.median(gaps)
    print(f"frozen Redis: 16 permits in {took:.2f} s, median gap {pace:.3f} s ({1 / pace:.2f}/s); "
          f"back {back:.2f} s after SIGCONT")
    assert len(stamps) == 16
    assert 0.19 <= pace <= 0.25
    # the stamps are taken after acquire returns: on a loaded machine one taken late can share a window with
    # the next; the limit paced at the full rate would put 16 in one
    assert _max_in_any_window(stamps) <= LIMIT * SHARE + 1
    # 1 s to find Redis frozen, 15 gaps of 0.2 s, and at most 2 s of probes timing out (one per 3 s)
    assert took <= 1 + 15 * 0.2 + 2 + 0.8
    _check_one_warning(records, private_redis)
    assert any("answers again" in m for m in records.at(logging.INFO))


API = "ListAssets"


def test_calls_through_the_client_all_succeed_unthrottled_while_redis_stops_mid_burst(private_redis, records):
    """The real HTTP client, 4 threads, 70 calls of one API; Redis frozen 0.8 s in, for 3 s."""
    from metastudio_emulator.testing import running_emulator

    project = uuid.uuid4().hex
    with running_emulator(project_id=project) as emu:
        settings = ClientSettings(Credentials(emu.ak, emu.sk, project), region=emu.region, endpoint=emu.base_url,
                                  rate_limit_storage=private_redis.url)
        limiter = RateLimiter(private_redis.url, fallback_share=SHARE)
        stopped: dict[str, float] = {}

        def outage() -> None:
            time.sleep(0.8)
            private_redis.pause()
            stopped["at"] = time.monotonic()
            time.sleep(3.0)
            private_redis.resume()
            stopped["until"] = time.monotonic()

        with MetaStudioClient(settings, limiter=limiter) as client, ThreadPoolExecutor(4) as pool:
            thread = threading.Thread(target=outage)
            started = time.monotonic()
            thread.start()
            results = list(pool.map(lambda _: client.call(API, query={"limit": 1}), range(70)))
            took = time.monotonic() - started
            thread.join()
        stats = httpx.get(f"{emu.base_url}/_emulator/stats").json()["apis"][API]
    key = limiter_key(project, emu.region, API)
    in_redis = private_redis.client().zcard(redis_keys(key)[2])
    print(f"70 calls in {took:.2f} s, Redis frozen for {stopped['until'] - stopped['at']:.1f} s: emulator {stats}; "
          f"{in_redis} permits came from Redis")
    assert len(results) == 70 and all("count" in r for r in results)
    # at most one 429, retried: the limiter's 50 ms admission margin on a loaded machine (per-process limits at the
    # full rate, or a limiter failing open, would get dozens)
    assert stats["requests"] - stats["throttled"] == 70 and stats["throttled"] <= 1, stats
    assert stats["max_admitted_per_second"] <= 20
    assert in_redis < 70  # some went through the in-memory fallback (late commands of the frozen server included)
    _check_one_warning(records, private_redis)


def test_the_share_is_an_airflow_option(monkeypatch, records):
    options = get_provider_info()["config"]["metastudio"]["options"]
    assert options["limiter_fallback_share"]["default"] == str(DEFAULT_SHARE) == "0.25"
    monkeypatch.setenv("AIRFLOW__METASTUDIO__LIMITER_FALLBACK_SHARE", "0.5")
    assert configured_share() == 0.5
    assert RateLimiter("redis://127.0.0.1:1/0")._store.share == 0.5  # type: ignore[union-attr]
    monkeypatch.setenv("AIRFLOW__METASTUDIO__LIMITER_FALLBACK_SHARE", "2")
    assert configured_share() == DEFAULT_SHARE
    assert "limiter_fallback_share" in records.at(logging.WARNING)[-1]
    with pytest.raises(ValueError):
        RateLimiter("redis://127.0.0.1:1/0", fallback_share=0)
