"""The per-second usage counts behind the MetaStudio view's Limits chart (``client/usage_log.py``)."""

from __future__ import annotations

import time
import uuid

import pytest

from metastudio_provider.client import usage_log
from metastudio_provider.client.limiter import limiter_key


def test_a_real_call_is_counted_where_the_api_server_reads_it(metastudio_conn, tmp_path, monkeypatch):
    """memory:// (make demo): each process appends to files in one folder of the host."""
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    monkeypatch.setenv("METASTUDIO_USAGE_DIR", str(tmp_path))
    began = time.time() - 1
    with MetaStudioHook() as hook:
        hook.call("ListAssets", query={"limit": 1})
        hook.call("ListAssets", query={"limit": 1})
    key = limiter_key(metastudio_conn.project_id, metastudio_conn.region, "ListAssets")
    counts = usage_log.read("memory://", began)
    assert sum(counts[key]["admitted"].values()) == 2, counts
    assert not counts[key]["throttled"]
    assert usage_log.read("memory://", time.time() + 5) == {}  # nothing after now


def test_old_files_are_swept_and_other_outcomes_not_counted(tmp_path, monkeypatch):
    monkeypatch.setenv("METASTUDIO_USAGE_DIR", str(tmp_path))
    usage_log._swept.clear()
    now = time.time()
    stale = tmp_path / f"{int(now - 2 * usage_log.RETENTION) // 60}-1.log"
    stale.write_text(f"{int(now - 2 * usage_log.RETENTION)} a p:r:Old\n")
    usage_log.record("memory://", "p:r:Api", "throttled", now)
    usage_log.record("memory://", "p:r:Api", "unknown", now)  # no answer: neither admitted nor throttled
    assert not stale.exists()
    counts = usage_log.read("memory://", now - 10, now + 1)
    assert dict(counts["p:r:Api"]["throttled"]) == {int(now): 1} and not counts["p:r:Api"]["admitted"]


def test_redis_counts_are_shared_and_read_back_per_second(redis_url):
    key = f"test-{uuid.uuid4().hex}:cn-north-4:ListAssets"
    now = float(int(time.time()))
    for offset, outcome in ((0, "admitted"), (0, "admitted"), (-1, "throttled"), (-120, "admitted")):
        usage_log.record(redis_url, key, outcome, now + offset)
    counts = usage_log.read(redis_url, now - 60, now + 1)[key]
    assert dict(counts["admitted"]) == {int(now): 2} and dict(counts["throttled"]) == {int(now) - 1: 1}
    assert sum(usage_log.read(redis_url, now - 300, now + 1, keys=[key])[key]["admitted"].values()) == 3


def test_a_redis_that_does_not_answer_pauses_the_counting(monkeypatch):
    usage_log._redis_down_until.clear()
    calls = []

    def broken(uri):
        calls.append(uri)
        raise ConnectionError("no Redis")

    monkeypatch.setattr(usage_log, "redis_client", broken)
    usage_log.record("redis://127.0.0.1:1/0", "p:r:Api", "admitted")  # never raises
    usage_log.record("redis://127.0.0.1:1/0", "p:r:Api", "admitted")
    assert len(calls) == 1
    usage_log._redis_down_until.clear()


@pytest.fixture(autouse=True)
def _fresh_sweep():
    usage_log._swept.clear()
