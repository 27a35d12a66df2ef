"""Fault injection: a 5xx after the resource was created, or before anything happened."""

from __future__ import annotations

import httpx

from .helpers import call, call_raw


def _inject(emu, **fault) -> dict:
    resp = httpx.post(f"{emu.base_url}/_emulator/faults", json=fault)
    assert resp.status_code == 200, resp.text
    return resp.json()


def _named(emu, name: str) -> int:
    return call(emu, "ListAssets", query={"name": name, "accurate_query_field": "name"})["count"]


def test_error_after_commit_creates_the_resource(emu) -> None:
    answer = _inject(emu, api="CreateDigitalAsset", mode="error_after_commit", status=500, count=1)
    assert answer["fault"] == {"api": "CreateDigitalAsset", "mode": "error_after_commit", "status": 500, "count": 1}
    resp = call_raw(emu, "CreateDigitalAsset", json={"asset_name": "after-commit", "asset_type": "IMAGE"})
    assert resp.status_code == 500 and resp.json()["error_code"] == "MSS.00000500"
    assert resp.headers["X-Request-Id"]
    assert _named(emu, "after-commit") == 1
    call(emu, "CreateDigitalAsset", json={"asset_name": "after-commit-2", "asset_type": "IMAGE"})  # consumed


def test_error_before_commit_creates_nothing(emu) -> None:
    _inject(emu, api="CreateDigitalAsset", mode="error_before_commit", status=503, count=2)
    for _ in range(2):
        resp = call_raw(emu, "CreateDigitalAsset", json={"asset_name": "before-commit", "asset_type": "IMAGE"})
        assert resp.status_code == 503
    assert _named(emu, "before-commit") == 0
    assert httpx.get(f"{emu.base_url}/_emulator/faults").json() == {"pending": []}


def test_bad_fault_requests(emu) -> None:
    assert httpx.post(f"{emu.base_url}/_emulator/faults", json={"api": "Nope", "mode": "error_after_commit"}
                      ).status_code == 400
    assert httpx.post(f"{emu.base_url}/_emulator/faults", json={"api": "ShowAsset", "mode": "x"}).status_code == 400
