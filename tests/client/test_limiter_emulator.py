"""The adaptive limiter against the emulator enforcing less than the table, over real HTTP, state in Redis."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from metastudio_provider.client import ClientSettings, Credentials, MetaStudioClient, RateLimiter
from metastudio_provider.client.limiter import limiter_key

API = "ListAssets"  # 20/s in cn-north-4's table


def test_client_learns_the_enforced_limit_and_stops_being_throttled(redis_url):
    from metastudio_emulator.testing import running_emulator

    project = uuid.uuid4().hex
    with running_emulator(project_id=project, limits={API: 10}) as emu:
        settings = ClientSettings(Credentials(emu.ak, emu.sk, project), region=emu.region, endpoint=emu.base_url,
                                  rate_limit_storage=redis_url)
        limiter = RateLimiter(redis_url)  # its own instance: nothing learned by other tests
        key = limiter_key(project, emu.region, API)

        def throttled() -> int:
            return httpx.get(f"{emu.base_url}/_emulator/stats").json()["apis"][API]["throttled"]

        try:
            with MetaStudioClient(settings, limiter=limiter) as client, ThreadPoolExecutor(8) as pool:
                def calls(n: int) -> list[dict]:
                    return list(pool.map(lambda _: client.call(API, query={"limit": 1}), range(n)))

                learning = calls(16)
                after_learning = throttled()
                steady = calls(16)
                in_steady = throttled() - after_learning
            snap = limiter.snapshot([key])[key]
        finally:
            limiter.reset(key)
    print(f"429s while learning: {after_learning}, then {in_steady}; limiter: {snap}")
    assert all("count" in r for r in learning + steady)  # every call made it, 429s were re-sent
    assert 1 <= after_learning <= 5  # the table's 20/s would be refused about every other call
    assert in_steady <= 1  # learned: at most one probe past the limit
    assert snap is not None and snap["learned"] <= 10.5 and 9 <= snap["ceiling"] <= 12, snap


def test_emulator_enforces_a_lower_limit_with_retry_after_and_restores_the_table():
    from metastudio_emulator.cli import build_parser
    from metastudio_emulator.testing import running_emulator

    args = build_parser().parse_args(["--limit", "Create2DDigitalHumanVideo=1", "--limit", "ListAssets=2"])
    assert dict(args.limit) == {"Create2DDigitalHumanVideo": 1, "ListAssets": 2}
    with running_emulator(limits={"ListAssets": 2}) as emu:
        limits = httpx.get(f"{emu.base_url}/_emulator/limits").json()
        assert limits["limits"][API] == {"table": 20, "enforced": 2} and limits["lowered"] == {API: 2}
        answers = [emu.request("GET", "/v1/{project_id}/digital-assets", query={"limit": 1}) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        refused = answers[-1]
        assert refused.json()["error_code"] == "APIGW.0308" and "limit:2,time:1 second" in refused.json()["error_msg"]
        assert refused.headers["Retry-After"] == "1"  # whole seconds until a slot frees up
        bad = httpx.put(f"{emu.base_url}/_emulator/limits", json={API: 0})
        assert bad.status_code == 400 and "whole number" in bad.json()["error_msg"]
        assert httpx.put(f"{emu.base_url}/_emulator/limits", json={API: 7}).json()["lowered"] == {API: 7}
        assert httpx.delete(f"{emu.base_url}/_emulator/limits").json()["lowered"] == {API: 2}  # the configured one
        assert emu.stats()["apis"][API]["limit"] == 2
