"""Per-API throttling at the catalog limit over any 1-second window, measured over real HTTP."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from metastudio_provider.catalog import get_api

from .helpers import call, system_asset


async def _burst(emu, requests: list[tuple[str, str, bytes]]) -> list[httpx.Response]:
    """Send pre-signed requests concurrently; returns the responses."""
    signed = [(method, path, body, emu.signed_headers(method, path, body=body)) for method, path, body in requests]
    async with httpx.AsyncClient(base_url=emu.base_url, timeout=10,
                                 limits=httpx.Limits(max_connections=100)) as client:
        return list(await asyncio.gather(*(client.request(m, p, content=b, headers=h) for m, p, b, h in signed)))


def test_burst_of_twice_the_limit_admits_exactly_the_limit(throttled_emu, monkeypatch) -> None:
    emu = throttled_emu
    script = {"model_asset_id": system_asset(emu, "HUMAN_MODEL_2D"),
              "voice_config": {"voice_asset_id": system_asset(emu, "VOICE_MODEL")},
              "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"text_config": {"text": "hi"}}}]}
    script_id = call(emu, "CreateVideoScripts", json=script)["script_id"]
    time.sleep(1.05)  # let the set-up calls of ListAssets leave the window
    httpx.post(f"{emu.base_url}/_emulator/reset-stats")

    create = get_api("Create2DDigitalHumanVideo")
    create_path = create.format_path(emu.project_id)
    create_body = json.dumps({"script_id": script_id, "output_asset_config": {"asset_name": "burst"}}).encode()
    list_path = get_api("ListAssets").format_path(emu.project_id)
    limits = {"Create2DDigitalHumanVideo": create.limit(emu.region),
              "ListAssets": get_api("ListAssets").limit(emu.region)}
    assert limits == {"Create2DDigitalHumanVideo": 5, "ListAssets": 20}

    requests = [("POST", create_path, create_body)] * (2 * limits["Create2DDigitalHumanVideo"])
    requests += [("GET", list_path, b"")] * (2 * limits["ListAssets"])
    # the burst falls in one 1-s window however slowly a loaded machine sends it: the throttle's clock stands still
    frozen_at = time.monotonic()
    with monkeypatch.context() as frozen:
        frozen.setattr(emu.state.throttle, "_clock", lambda: frozen_at)
        responses = asyncio.run(_burst(emu, requests))

    by_api = {"Create2DDigitalHumanVideo": responses[:10], "ListAssets": responses[10:]}
    stats = httpx.get(f"{emu.base_url}/_emulator/stats").json()
    assert stats["region"] == "cn-north-4" and len(stats["apis"]) == 66
    for name, group in by_api.items():
        limit = limits[name]
        admitted = [r for r in group if r.status_code == 200]
        refused = [r for r in group if r.status_code == 429]
        assert len(admitted) == limit and len(refused) == limit, (name, [r.status_code for r in group])
        for r in refused:
            body = r.json()
            assert body["error_code"] == "APIGW.0308"
            assert body["error_msg"] == ("The throttling threshold has been reached: policy user over ratelimit,"
                                         f"limit:{limit},time:1 second")
            assert body["request_id"] == r.headers["X-Request-Id"]
        s = stats["apis"][name]
        assert s == {"limit": limit, "requests": 2 * limit, "admitted": limit, "throttled": limit,
                     "max_admitted_per_second": limit}

    time.sleep(1.05)
    assert call(emu, "ListAssets", query={"limit": 1})["count"] >= 0  # the window slid on


def test_stats_and_reset(throttled_emu) -> None:
    emu = throttled_emu
    call(emu, "ListAssets")
    stats = emu.stats()["apis"]
    assert stats["ListAssets"]["requests"] == 1 and stats["ShowAsset"]["requests"] == 0
    assert all(set(v) >= {"limit", "requests", "throttled", "max_admitted_per_second"} for v in stats.values())
    assert httpx.post(f"{emu.base_url}/_emulator/reset-stats").json() == {"status": "ok"}
    assert emu.stats()["apis"]["ListAssets"]["requests"] == 0


def test_region_limits_apply() -> None:
    from metastudio_emulator.testing import running_emulator

    with running_emulator(region="cn-east-3") as emu:
        stats = emu.stats()
        assert stats["region"] == "cn-east-3"
        assert stats["apis"]["Create2DDigitalHumanVideo"]["limit"] == 3
        assert stats["apis"]["BatchExecuteAssetAction"]["limit"] == 1
