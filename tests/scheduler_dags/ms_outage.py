"""A video, a batch of videos and a show, all through the connection ``metastudio_outage``: a proxy in front
of the emulator that tests/integration/test_outage_cluster.py takes down for 60 s while they run.

    livestream (the project's livestream tasks, on outage_rooms/outage.yaml)
    system_assets ── show_live ─┬─ video (CreateVideoOperator, deferred wait)
                                └─ batch (backfill rows: batches.submission.submit_rows, then their renders polled)

The video and the batch start once the show is live, which is when the test takes MetaStudio down: their
creates go into the outage.

Every task may be retried once: the test checks that none was (an outage costs time, not a try).
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import DAG, task

from metastudio_provider.batches.submission import submit_rows
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.dag import livestream_params, livestream_shows
from metastudio_provider.operators.videos import CreateVideoOperator

HERE = Path(__file__).resolve().parent
CONN = "metastudio_outage"
BATCH_ROWS = 3
ROOM_NAME = "ms-live-outage"


@task
def system_assets() -> dict[str, str]:
    hook = MetaStudioHook(CONN)
    return {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
            "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}


@task
def show_live() -> None:
    """Wait until the show is live (asked of the emulator directly, not through the proxy)."""
    hook, deadline = MetaStudioHook(), time.monotonic() + 180
    while time.monotonic() < deadline:
        rooms = hook.call("ListSmartLiveRooms", query={"limit": 100})["smart_live_rooms"]
        for room in (r for r in rooms if r["room_name"] == ROOM_NAME):
            jobs = hook.call("ListSmartLive", {"room_id": room["room_id"]}, query={"limit": 100})["smart_live_jobs"]
            if any(j["state"] == "PROCESSING" for j in jobs):
                return
        time.sleep(0.5)
    raise RuntimeError(f"room {ROOM_NAME} never went live")


@task
def batch(models: dict[str, str], run_id: str | None = None) -> list[dict]:
    """Submit the rows as the backfill's chunks do, then wait for their renders; fail unless each SUCCEEDs."""
    hook = MetaStudioHook(CONN)
    rows = [{"id": f"r{n}", "title": f"Outage row {n}", "script": f"Row {n}, made once."} for n in range(BATCH_ROWS)]
    results = submit_rows(hook, rows, prefix=f"ms_outage-{run_id}", models=models)
    failed = [r for r in results if r["status"] not in ("submitted", "reused")]
    if failed:
        raise RuntimeError(f"rows not submitted: {failed}")
    for result in results:
        while (state := hook.show_video_job(result["job_id"])["state"]) in ("WAITING", "PROCESSING"):
            time.sleep(1)
        if state != "SUCCEED":
            raise RuntimeError(f"row {result['row']}: video job {result['job_id']} ended {state}")
    return [{"row": r["row"], "job_id": r["job_id"]} for r in results]


with DAG("ms_outage", schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"), catchup=False,
         params=livestream_params(), render_template_as_native_obj=True, tags=["test", "outage"],
         default_args={"retries": 1, "retry_delay": timedelta(seconds=1)}):
    models = system_assets()
    live = show_live()
    models >> live
    video = CreateVideoOperator(task_id="video", poll_interval=1.0, metastudio_conn_id=CONN, script={
        "model_asset_id": models["model_asset_id"], "voice_config": {"voice_asset_id": models["voice_asset_id"]},
        "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"text_config": {"text": "Made through an outage."}}}]})
    live >> [video, batch(models)]
    livestream_shows(include_dir=HERE, rooms_glob="outage_rooms/*.yaml", poll_interval=1.0, metastudio_conn_id=CONN)
