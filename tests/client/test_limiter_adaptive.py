"""The adaptive limiter's rules: hard cap, even pacing, AIMD, Retry-After; in memory and in Redis alike."""

from __future__ import annotations

import inspect
import re
import time
import uuid
from collections.abc import Callable

import pytest

from metastudio_provider.client import adaptive, limiter_redis
from metastudio_provider.client.adaptive import MemoryBackend, Policy
from metastudio_provider.client.limiter import Permit, RateLimiter, limiter_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _admit(backend: MemoryBackend, clock: Clock, key: str, limit: int) -> tuple[str, float]:
    """Advance the fake clock until a call is admitted; return its member and admission time."""
    member = uuid.uuid4().hex
    while (result := backend.try_acquire(key, limit, member))[0] > 0:
        clock.now += result[0]
    return member, result[1]


def test_even_pacing_at_the_table_limit_and_the_hard_cap():
    clock = Clock()
    backend = MemoryBackend(Policy(), clock)
    starts = [_admit(backend, clock, "k", 5)[1] - 1000.0 for _ in range(6)]
    # no burst: one call every 1/5 s; the sixth waits for the first to leave the window, whose stamp is
    # its admission + the 50 ms margin while it has no answer
    assert starts == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.05])


def test_an_answer_frees_the_slot_one_second_after_it_arrived():
    clock = Clock()
    backend = MemoryBackend(Policy(), clock)
    calls = []
    for _ in range(5):
        member, at = _admit(backend, clock, "k", 5)
        clock.now += 0.004  # answered 4 ms later
        backend.report("k", 5, member, at, "admitted", None)
        calls.append(at)
    clock.now = calls[-1] + 0.01
    _, sixth = _admit(backend, clock, "k", 5)
    assert sixth - calls[0] == pytest.approx(1.004)  # not 1.05: the gateway counted the first call before its answer


def test_throttled_call_cuts_the_rate_once_and_retry_after_blocks_the_key():
    clock = Clock()
    backend = MemoryBackend(Policy(), clock)
    first, at1 = _admit(backend, clock, "k", 5)
    second, at2 = _admit(backend, clock, "k", 5)
    clock.now += 0.01
    backend.report("k", 5, second, at2, "throttled", 2.0)
    snap = backend.snapshot("k")
    # the gateway's window was full with one call of ours in it: it allows 1/s, not 5; pace at half that
    assert (snap["learned"], snap["ceiling"], snap["throttled"]) == (0.5, 1.0, 1)
    # a 429 of a call sent before the cut says nothing new: no second cut
    backend.report("k", 5, first, at1, "throttled", None)
    assert backend.snapshot("k")["learned"] == 0.5
    cut = clock.now
    _, at3 = _admit(backend, clock, "k", 5)
    assert at3 - cut == pytest.approx(2.0)  # nobody sends before Retry-After


def test_additive_increase_recovers_fast_then_probes_slowly_and_never_passes_the_table():
    policy = Policy()
    rate, ceiling = policy.on_throttled(5.0, 0.0)  # unknown territory: halve
    assert (rate, ceiling) == (2.5, 5.0)
    rate, ceiling = policy.on_success(rate, ceiling, 5)
    # each success adds step / rate: at full speed, the table's limit per recover_seconds (10 s)
    assert rate == pytest.approx(2.5 + 5 / 10 / 2.5)
    assert policy.on_success(4.4, 5.0, 5)[0] == pytest.approx(4.5)  # but only up to 0.9 x the ceiling
    # near the rate that failed: slow probing, the band (10 %) in probe_seconds (30 s) at full speed
    assert policy.on_success(4.5, 5.0, 5)[0] == pytest.approx(4.5 + 5.0 * 0.1 / 30 / 4.5)
    # a failure near the ceiling is a confirmation: back off by the band only
    assert policy.on_throttled(4.9, 5.0) == pytest.approx((4.41, 4.9))
    # well past the old ceiling without a 429: forgotten, fast again, capped at the table
    rate, ceiling = policy.on_success(5.5, 5.0, 8)
    assert ceiling == 0.0 and rate == pytest.approx(5.5 + 8 / 10 / 5.5)
    assert policy.on_success(4.99, 0.0, 5) == (5.0, 0.0)
    assert policy.on_throttled(0.01, 0.0)[0] == policy.floor


def test_a_429_at_the_windows_edge_backs_off_by_the_band_only():
    """The table's limit held: 4 of our calls in our last second, the gateway still counted the oldest of 5
    (it arrived late); a band's back-off, not a halving. A second 429 before the rate is back is a lower limit."""
    policy = Policy()
    assert policy.on_throttled(5.0, 0.0, observed=4, limit=5) == pytest.approx((4.5, 5.0))
    assert policy.on_throttled(5.0, 0.0, observed=3, limit=5) == pytest.approx((1.5, 3.0))  # the gateway allows 3
    assert policy.on_throttled(4.6, 5.0, observed=4, limit=5) == pytest.approx((2.0, 4.0))  # again: a lower limit
    assert policy.on_throttled(1.0, 0.0, observed=0, limit=1) == pytest.approx((0.5, 1.0))  # limit 1: no edge
    rate, ceiling = 4.5, 5.0
    while rate < 5.0:
        rate, ceiling = policy.on_success(rate, ceiling, 5)  # probing back up to the table's limit
    assert ceiling == 5.0 and policy.on_success(rate, ceiling, 5) == (5.0, 0.0)  # there: the ceiling is forgotten

    clock = Clock()
    backend = MemoryBackend(Policy(), clock)
    calls = []
    for _ in range(5):
        member, at = _admit(backend, clock, "k", 5)
        clock.now += 0.004
        backend.report("k", 5, member, at, "admitted", None)
        calls.append(at)
    member, at = _admit(backend, clock, "k", 5)  # 1.004 s after the first call's answer, by our stamps
    backend.report("k", 5, member, at, "throttled", 1.0)  # the gateway had counted the first call 60 ms late
    snap = backend.snapshot("k")
    assert (snap["learned"], snap["ceiling"]) == pytest.approx((4.5, 5.0))


def test_the_python_and_lua_rules_name_each_other():
    """Each block of the Redis scripts names the Python method it mirrors, and that method's docstring names
    the script and block back: a reader of either side finds the other."""
    blocks = {(script, block, owner) for script in ("ACQUIRE", "REPORT")
              for block, owner in re.findall(r"-- (.+) \(Python: (\w+\.\w+)\)", getattr(limiter_redis, script))}
    assert len(blocks) == 7
    named = set()
    for owner in ("Policy.on_success", "Policy.on_throttled", "MemoryBackend.try_acquire", "MemoryBackend.report"):
        cls, method = owner.split(".")
        doc = inspect.getdoc(getattr(getattr(adaptive, cls), method)) or ""
        twin = re.search(r"The Lua twin: ``limiter_redis\.(\w+)``, blocks? (.+)\.", doc, flags=re.S)
        assert twin, f"{owner}'s docstring names no Lua block"
        named |= {(twin.group(1), block, owner) for block in re.findall(r'"([^"]+)"', twin.group(2))}
    assert named == blocks


def _learned(limiter: RateLimiter, key: str) -> tuple[float, float | None]:
    """The key's learned rate and ceiling (None: none), rounded as both backends can agree on."""
    snap = limiter.snapshot([key])[key]
    assert snap is not None
    return round(snap["learned"], 3), snap["ceiling"] and round(snap["ceiling"], 3)


def _in_redis_and_memory(redis_url: str, api: str, sequence: Callable[[RateLimiter, str], list]) -> list:
    """``sequence`` run on the Redis backend and on the memory backend: the same, returned once."""
    key = limiter_key("p-" + uuid.uuid4().hex[:8], "cn-north-4", api)
    shared = RateLimiter(redis_url)
    try:
        in_redis = sequence(shared, key)
    finally:
        shared.reset(key)
    in_memory = sequence(RateLimiter("memory://"), key)
    assert in_redis == in_memory
    return in_memory


def _edge_sequence(limiter: RateLimiter, key: str) -> list[tuple[float, float | None]]:
    """A 429 at the windows' edge of a 2/s API, then probing back to the table's limit: rate, ceiling after each."""
    first, second = limiter.acquire(key, 2), limiter.acquire(key, 2)  # 0.5 s apart: the first is in the window
    limiter.report(first, "admitted")
    limiter.report(second, "throttled")
    seen = [_learned(limiter, key)]
    after_the_cut = 1e18 if limiter.uses_redis else 1e9
    for _ in range(150):
        limiter.report(Permit(key, 2, uuid.uuid4().hex, after_the_cut, 0.0), "admitted")
        seen.append(_learned(limiter, key))
    return seen


def test_redis_applies_the_same_windows_edge_rule_as_memory(redis_url):
    seen = _in_redis_and_memory(redis_url, "ShowAsset", _edge_sequence)
    assert seen[0] == (1.8, 2.0)  # the edge: the band's back-off under the table's limit
    assert seen[-1] == (2.0, None)  # probed back to the table's limit: the ceiling forgotten


def _sequence(limiter: RateLimiter, key: str) -> list[tuple[float, float | None]]:
    """The same reports on any backend; the learned rate and ceiling after each."""
    before_any_cut, after_every_cut = -1.0, 1e18  # admission times: sent before / after the last cut
    if not limiter.uses_redis:
        before_any_cut, after_every_cut = -1e9, 1e9  # the memory backend's monotonic clock
    outcomes = (["throttled", "throttled_old"] + ["admitted"] * 12 + ["throttled"] + ["admitted"] * 5
                + ["unknown", "throttled"])
    first, second = limiter.acquire(key, 5), limiter.acquire(key, 5)  # in the window: what the gateway saw
    limiter.report(first, "admitted")
    limiter.report(second, "throttled")
    seen = [_learned(limiter, key)]
    for outcome in outcomes:
        at = before_any_cut if outcome == "throttled_old" else after_every_cut
        limiter.report(Permit(key, 5, uuid.uuid4().hex, at, 0.0), outcome.split("_")[0])  # type: ignore[arg-type]
        seen.append(_learned(limiter, key))
    return seen


def test_redis_applies_the_same_rules_as_memory(redis_url):
    seen = _in_redis_and_memory(redis_url, "Create2DDigitalHumanVideo", _sequence)
    assert seen[0] == (0.5, 1.0)  # one of our calls filled the window: 1/s
    assert seen[1] == (0.25, 0.5) and seen[2] == (0.25, 0.5)  # the old call's 429 did not cut again
    assert seen[-1][0] < seen[-2][0]



def test_redis_backend_paces_evenly_honours_retry_after_and_is_shown(redis_url):
    key = limiter_key("p-" + uuid.uuid4().hex[:8], "cn-north-4", "ListAssets")
    limiter = RateLimiter(redis_url)
    try:
        permits = [limiter.acquire(key, 10) for _ in range(4)]
        gaps = [b.admitted_at - a.admitted_at for a, b in zip(permits, permits[1:], strict=False)]
        # µs of Redis TIME: one call per 1/10 s, on a schedule a late waker (by < 5 ms of slack) keeps
        assert all(gap >= 0.095 * 1e6 for gap in gaps) and sum(gaps) >= 0.3 * 1e6, gaps
        blocked = time.monotonic()  # before the report: Redis starts the 0.4 s when it runs the report
        limiter.report(permits[-1], "throttled", 0.4)
        limiter.acquire(key, 10)
        assert time.monotonic() - blocked >= 0.35
        snap = limiter.snapshot([key])[key]
        assert snap is not None
        # 3 calls (the 4th, throttled, left the log) reached the gateway in the last second: 3/s failed
        assert (snap["learned"], snap["ceiling"], snap["throttled"], snap["throttled_recent"]) == (1.5, 3.0, 1, 1)
        assert snap["calls_last_minute"] == 5
    finally:
        limiter.reset(key)
    assert limiter.snapshot([key]) == {key: None}


def test_finds_a_lower_limit_then_recovers_when_the_gateway_allows_more():
    """One caller against a gateway counting any 1-s window, whose limit is 1/s for 60 calls, then 5/s."""
    clock = Clock()
    backend = MemoryBackend(Policy(), clock)
    arrivals: list[float] = []
    throttled = {"low": 0, "high": 0}
    rates = []
    for n in range(360):
        real = 1 if n < 60 else 5
        while True:
            member, at = _admit(backend, clock, "k", 5)
            clock.now += 0.002  # arrives
            window = [t for t in arrivals if t > clock.now - 1.0]
            ok = len(window) < real
            if ok:
                arrivals.append(clock.now)
            clock.now += 0.002  # answered
            backend.report("k", 5, member, at, "admitted" if ok else "throttled", None if ok else 1.0)
            if ok:
                break
            throttled["low" if n < 60 else "high"] += 1
        rates.append(backend.snapshot("k")["learned"])
    assert throttled["low"] <= 3  # (deterministic: 2) finding 1/s from the table's 5/s, then probing every ~30 s
    assert 0.85 <= rates[59] <= 1.05
    assert max(rates) == 5.0 and rates[-1] == 5.0  # back to the table's limit
    assert throttled["high"] <= 2
