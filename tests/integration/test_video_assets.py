"""Videos as Assets through the real scheduler: the pipeline's video is announced through the asset alias
``metastudio-videos``, the scheduler creates a run of ``metastudio_video_catalogue`` for it, and that run
writes the video to the catalogue (the folder set by the Variable ``metastudio_catalogue_dir``)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from .airflow_cluster import wait_until

pytestmark = pytest.mark.airflow_integration

PIPELINE = "metastudio_video_pipeline"
CATALOGUE = "metastudio_video_catalogue"
VARIABLE = "metastudio_catalogue_dir"


def _catalogued(folder: Path) -> list[dict]:
    return [json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()]


def test_a_new_video_starts_a_catalogue_run_that_writes_it(airflow_cluster, cluster_emulator, tmp_path):
    client = airflow_cluster.client
    began = time.monotonic()
    client.request("DELETE", f"/api/v2/variables/{VARIABLE}", ok=(404,))
    client.request("POST", "/api/v2/variables", json={"key": VARIABLE, "value": str(tmp_path)})
    client.wait_for_dag(CATALOGUE, timeout=120)
    client.unpause(CATALOGUE)  # a paused DAG gets no runs from asset events
    try:
        before = {r["dag_run_id"] for r in client.get(f"/api/v2/dags/{CATALOGUE}/dagRuns")["dag_runs"]}
        run_id = client.trigger(PIPELINE, conf={"title": "Scheduled on assets", "script_text": "Hello, catalogue."})
        assert client.wait_for_run(PIPELINE, run_id, timeout=120) == "success", client.ti_state_history(
            PIPELINE, run_id
        )
        video = client.xcom(PIPELINE, run_id, "create_video")

        # the event, as the REST API shows it: the video's URI, through the alias, with its extra
        listed = client.get("/api/v2/assets/events", params={"source_dag_id": PIPELINE, "source_run_id": run_id})
        (event,) = listed["asset_events"]
        assert event["uri"] == (f"metastudio://{cluster_emulator.region}/{cluster_emulator.project_id}"
                                f"/assets/{video['output_asset_id']}")
        assert event["extra"]["title"] == "Scheduled on assets" and event["extra"]["job_id"] == video["job_id"]

        # the scheduler made a catalogue run from it, which wrote the video to the catalogue
        def new_run() -> dict | None:
            runs = client.get(f"/api/v2/dags/{CATALOGUE}/dagRuns")["dag_runs"]
            return next((r for r in runs if r["dag_run_id"] not in before and r["state"] in ("success", "failed")),
                        None)

        run = wait_until(new_run, timeout=60, interval=1, what=f"a finished {CATALOGUE} run")
        assert run["run_type"] == "asset_triggered" and run["state"] == "success", run
        upstream = client.get(f"/api/v2/dags/{CATALOGUE}/dagRuns/{run['dag_run_id']}/upstreamAssetEvents")
        assert event["id"] in {e["id"] for e in upstream["asset_events"]}
        (row,) = [r for r in _catalogued(tmp_path) if r["asset_id"] == video["output_asset_id"]]
        assert row["title"] == "Scheduled on assets" and row["uri"] == event["uri"]
        assert row["download_url"] == video["download_url"] and row["duration"] == video["duration"]
        assert row["source_dag_id"] == PIPELINE and row["source_run_id"] == run_id
        sources = [r["source_dag_id"] for r in _catalogued(tmp_path)]
        print(f"\npipeline run → catalogue run {run['dag_run_id']} → {row['uri']} catalogued "
              f"{time.monotonic() - began:.1f} s after the trigger; the run catalogued "
              f"{len(upstream['asset_events'])} event(s), {len(sources)} video(s): "
              + ", ".join(f"{sources.count(s)} from {s}" for s in sorted(set(sources))))
    finally:
        client.request("PATCH", f"/api/v2/dags/{CATALOGUE}", json={"is_paused": True})
        client.request("DELETE", f"/api/v2/variables/{VARIABLE}", ok=(404,))
