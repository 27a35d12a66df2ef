"""A backfill whose limiter Redis stops for 30 s in the middle: every row still makes one video, hardly throttled.

The limiter's Redis is a redis-server of the test's own (a free port, a password); it is frozen (SIGSTOP: every
try of it times out) as soon as the run's first create reaches the emulator, and continued 30 s later. The
emulator is the test's own too, so its counters are this run's alone.
"""

from __future__ import annotations

import threading
import time
import uuid

import httpx

from metastudio_provider.client import ClientSettings, Credentials, MetaStudioClient
from tests.client.test_limiter_store_outage import PASSWORD, private_redis  # noqa: F401 - the fixture
from tests.conftest import connection_json

DATE = "2026-11-30"
ROWS = 30
OUTAGE_SECONDS = 30.0


def _manifest() -> str:
    return "".join(f"- {{id: row{i:02d}, title: Video {i}, script: This is video number {i} of the batch.}}\n"
                   for i in range(ROWS))


def test_backfill_goes_on_while_the_limiter_redis_is_stopped_for_30_s(run_dag, private_redis, tmp_path):  # noqa: F811
    from metastudio_emulator.testing import running_emulator

    (tmp_path / f"{DATE}.yaml").write_text(_manifest())
    project = uuid.uuid4().hex
    with running_emulator(project_id=project, job_seconds=1.0) as emu:
        def stats() -> dict:
            return httpx.get(f"{emu.base_url}/_emulator/stats").json()["apis"]

        done, outage = threading.Event(), {}

        def stop_redis_mid_run() -> None:
            while not done.is_set() and stats()["CreateVideoScripts"]["requests"] == 0:
                time.sleep(0.05)
            if done.is_set():
                return
            private_redis.pause()
            outage["from"] = time.monotonic()
            done.wait(OUTAGE_SECONDS)
            private_redis.resume()
            outage["until"] = time.monotonic()

        thread = threading.Thread(target=stop_redis_mid_run, daemon=True)
        thread.start()
        started = time.monotonic()
        try:
            result = run_dag("metastudio_video_backfill", logical_date=DATE, timeout=150, extra_env={
                "METASTUDIO_BATCHES_DIR": str(tmp_path),
                "AIRFLOW_CONN_METASTUDIO_DEFAULT": connection_json(emu, rate_limit_storage=private_redis.url),
            })
        finally:
            took = time.monotonic() - started
            done.set()
            thread.join(10)
        apis = stats()
        settings = ClientSettings(Credentials(emu.ak, emu.sk, project), region=emu.region, endpoint=emu.base_url)
        with MetaStudioClient(settings) as client:
            jobs = client.call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]

    prefix = f"metastudio_video_backfill-{DATE}-"
    names = [(j.get("output_asset_config") or {}).get("asset_name", "") for j in jobs]
    made = sorted(n.removeprefix(prefix) for n in names if n.startswith(prefix))
    throttled = sum(a["throttled"] for a in apis.values())
    in_outage = outage.get("until", time.monotonic()) - outage.get("from", time.monotonic())
    for line in result.output.splitlines():
        if "rate limiter:" in line:
            print(line[-400:])
    print(f"backfill of {ROWS} rows in {took:.1f} s, the limiter's Redis stopped {in_outage:.1f} s of it; "
          f"throttled {throttled} ({throttled / ROWS:.3f} per video); "
          + ", ".join(f"{name} {a['requests']} req {a['throttled']} thr" for name, a in apis.items() if a["requests"]))
    assert "from" in outage, "the run made no create: the outage never started"
    assert result.state == "success", result.output[-4000:]
    assert made == [f"row{i:02d}" for i in range(ROWS)], made  # every row once, none twice
    assert all(j["state"] == "SUCCEED" for j in jobs), jobs
    assert throttled / ROWS < 0.2, apis
    assert result.output.count("does not answer") == 1, "one warning per process per outage"
    assert "back on the shared budget" in result.output
    assert PASSWORD not in result.output
