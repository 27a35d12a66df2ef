"""A MetaStudio outage (every call 5xx or reset, tests/faulty_proxy.py in front of the emulator) costs a
call time, not a failure, up to ``outage_seconds``; a longer one fails naming the outage; a create sent
into it is made once."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from metastudio_provider.client.errors import MetaStudioUnreachableError
from metastudio_provider.hooks.metastudio import MetaStudioHook
from tests.faulty_proxy import FaultyProxy


@pytest.fixture
def proxy(emulator):
    with FaultyProxy(emulator.base_url, seed=7) as proxy:
        yield proxy


def hook_through(proxy: FaultyProxy, emu, monkeypatch, **extra) -> MetaStudioHook:
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", json.dumps({
        "conn_type": "metastudio", "login": emu.ak, "password": emu.sk,
        "extra": {"region": emu.region, "project_id": emu.project_id, "endpoint": proxy.url, **extra}}))
    return MetaStudioHook()


def outage(proxy: FaultyProxy, seconds: float) -> threading.Thread:
    proxy.down = True
    thread = threading.Timer(seconds, lambda: setattr(proxy, "down", False))
    thread.start()
    return thread


def test_a_call_rides_out_an_outage_longer_than_its_attempts(proxy, emulator, monkeypatch) -> None:
    hook = hook_through(proxy, emulator, monkeypatch, max_attempts=2, outage_seconds=30)
    name = f"outage-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    outage(proxy, 4.0)
    made = hook.create_or_resume("CreateDigitalAsset", {"asset_name": name, "asset_type": "IMAGE"},
                                 identity=f"af-{uuid.uuid4().hex[:13]}", look=False)
    took = time.monotonic() - started
    failed = proxy.counts["reset"] + proxy.counts["error_before"]
    print(f"outage of 4 s: the create answered after {took:.1f} s, {failed} attempts failed before it")
    assert took >= 4.0 and failed > 2  # more tries than max_attempts: the outage was ridden out
    same = [a for a in hook.list_assets(name=name, limit=100)["assets"] if a["asset_name"] == name]
    assert [a["asset_id"] for a in same] == [made["asset_id"]]  # made once


def test_an_outage_longer_than_outage_seconds_fails_naming_it(proxy, emulator, monkeypatch) -> None:
    hook = hook_through(proxy, emulator, monkeypatch, max_attempts=2, outage_seconds=2)
    proxy.down = True
    started = time.monotonic()
    with pytest.raises(MetaStudioUnreachableError) as failed:
        hook.call("ListAssets", query={"limit": 1})
    took = time.monotonic() - started
    assert 2.0 <= took < 15
    assert "ListAssets: MetaStudio has been unreachable for" in str(failed.value)
    assert "outage_seconds" in str(failed.value) and emulator.sk not in str(failed.value)
    assert failed.value.retryable  # Airflow's retries (if any) may try again


def test_outage_seconds_zero_is_max_attempts_alone(proxy, emulator, monkeypatch) -> None:
    hook = hook_through(proxy, emulator, monkeypatch, max_attempts=2, outage_seconds=0)
    proxy.down = True
    with pytest.raises(Exception) as failed:
        hook.call("ListAssets", query={"limit": 1})
    assert not isinstance(failed.value, MetaStudioUnreachableError)
    assert proxy.counts["reset"] + proxy.counts["error_before"] == 2
