"""MetaStudioHook against the emulator, over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import uuid

import httpx
import pytest

from metastudio_provider import signing
from metastudio_provider.catalog import get_api
from metastudio_provider.client import MetaStudioAPIError, MetaStudioOutcomeUnknownError
from metastudio_provider.hooks.metastudio import MetaStudioHook
from tests.conftest import connection_json


def _fault(emu, **fault) -> None:
    httpx.post(f"{emu.base_url}/_emulator/faults", json=fault).raise_for_status()


def _stats(emu) -> dict:
    return httpx.get(f"{emu.base_url}/_emulator/stats").json()["apis"]


def test_system_assets_are_listed(metastudio_conn):
    hook = MetaStudioHook()
    result = hook.list_assets(asset_type="HUMAN_MODEL_2D", asset_source="SYSTEM")
    assert result["count"] >= 1
    assert all(a["asset_type"] == "HUMAN_MODEL_2D" for a in result["assets"])


def test_test_connection(metastudio_conn, monkeypatch):
    ok, message = MetaStudioHook().test_connection()
    assert ok, message
    assert "cn-north-4" in message
    bad = connection_json(metastudio_conn).replace(metastudio_conn.sk, "wrong-secret-key")
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_BAD", bad)
    ok, message = MetaStudioHook("metastudio_bad").test_connection()
    assert not ok
    assert "APIGW.0301" in message and "wrong-secret-key" not in message


def test_api_error_is_typed_with_request_id(metastudio_conn):
    with pytest.raises(MetaStudioAPIError) as info:
        MetaStudioHook().show_asset("no-such-asset")
    err = info.value
    assert err.status_code == 404 and err.api == "ShowAsset"
    assert err.error_code and err.error_msg and err.request_id


def test_throttled_calls_back_off_and_succeed(metastudio_conn):
    """Fill the emulator's window for an API with raw requests, then call through the hook."""
    emu = metastudio_conn
    api = get_api("ListSmartLiveJobs")
    limit = api.limit(emu.region)
    path = api.format_path(emu.project_id)
    before = _stats(emu)["ListSmartLiveJobs"]["throttled"]
    with httpx.Client() as raw:
        for _ in range(limit + 200):  # until the window is full, however slowly this machine sends
            headers = signing.sign(ak=emu.ak, sk=emu.sk, method="GET", host=emu.base_url.split("//")[1], path=path,
                                   headers={"Content-Type": "application/json", "X-Project-Id": emu.project_id})
            if raw.get(emu.base_url + path, headers=headers).status_code == 429:
                break
    assert _stats(emu)["ListSmartLiveJobs"]["throttled"] > before
    hook = MetaStudioHook()
    hook.client.limiter.reset()
    result = hook.call("ListSmartLiveJobs")
    assert "count" in result


def test_lost_create_response_finds_the_asset_instead_of_duplicating(metastudio_conn):
    emu = metastudio_conn
    name = f"dedupe-{uuid.uuid4().hex[:8]}"
    _fault(emu, api="CreateDigitalAsset", mode="error_after_commit", status=502, count=1)
    result = MetaStudioHook().call("CreateDigitalAsset", body={"asset_name": name, "asset_type": "IMAGE"})
    assert result["found_existing"] is True
    listed = MetaStudioHook().list_assets(name=name)["assets"]
    assert [a["asset_id"] for a in listed if a["asset_name"] == name] == [result["asset_id"]]


def test_lost_create_response_without_lookup_is_not_resent(metastudio_conn):
    emu = metastudio_conn
    hook = MetaStudioHook()
    asset = {"asset_name": f"f-{uuid.uuid4().hex[:8]}", "asset_type": "IMAGE"}
    asset_id = hook.call("CreateDigitalAsset", body=asset)["asset_id"]
    _fault(emu, api="CreateFile", mode="error_after_commit", status=500, count=1)
    body = {"file_name": "a.png", "file_md5": "1B2M2Y8AsgTpgAmY7PhCfg==", "file_size": 0, "file_type": "png",
            "asset_id": asset_id, "asset_file_category": "MAIN"}
    with pytest.raises(MetaStudioOutcomeUnknownError):
        hook.call("CreateFile", body=body)
    assert len(hook.show_asset(asset_id).get("files") or []) == 1


def test_async_call_shares_the_process_limiter(metastudio_conn):
    hook = MetaStudioHook()

    async def run() -> tuple[list[dict], object]:
        try:
            results = await asyncio.gather(*(hook.acall("ListAssets", query={"limit": 1}) for _ in range(3)))
            return results, hook._async_client.limiter
        finally:
            await hook.aclose()

    results, async_limiter = asyncio.run(run())
    assert all("count" in r for r in results)
    assert async_limiter is hook.client.limiter


def test_secret_never_logged_nor_raised(metastudio_conn, caplog, monkeypatch):
    emu = metastudio_conn
    caplog.set_level(logging.DEBUG)
    hook = MetaStudioHook()
    hook.list_assets(limit=1)
    with pytest.raises(MetaStudioAPIError) as info:
        hook.show_asset("missing")
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_BAD", connection_json(emu).replace(emu.sk, emu.sk + "x"))
    with pytest.raises(MetaStudioAPIError) as bad:
        MetaStudioHook("metastudio_bad").list_assets()
    texts = [caplog.text, str(info.value), repr(info.value), str(bad.value), repr(hook.settings),
             repr(hook.settings.credentials), str(info.value.to_dict())]
    assert all(emu.sk not in t for t in texts)
