"""The naive design the benchmark compares with: one mapped task per video, and a poke-mode sensor each.

A mapped task group per video: ``create`` (``CreateVideoOperator(wait=False)``: CreateVideoScripts then
Create2DDigitalHumanVideo) then ``wait`` (``VideoJobSensor(deferrable=False, mode="poke")``: one
Show2DDigitalHumanVideo per poke, holding a worker slot for the whole render). Each task runs in its
API's pool (``include/pools/cn-north-4.json``: slots = the API's per-second limit), which is all that
paces it — plus the client limiter (Redis), shared with every other task.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import dag, task, task_group

from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import VideoJobSensor

POLL_INTERVAL = float(os.environ.get("BENCH_POLL_INTERVAL", "5"))


@dag(
    dag_id="bench_naive",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["metastudio", "bench"],
)
def bench_naive():
    @task
    def load_manifest(dag_run=None) -> list[dict]:
        """One {script, output_asset_name} per row (the same bodies the batched design sends)."""
        from pathlib import Path

        import yaml

        from metastudio_provider.batches.submission import video_bodies
        from metastudio_provider.checks.manifests import validate_rows
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        path = Path(dag_run.conf["manifest"])
        rows = validate_rows(yaml.safe_load(path.read_text()) or [], path.name)
        hook = MetaStudioHook()
        models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
                  "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
        out = []
        for row in rows:
            script, video = video_bodies(row, prefix=dag_run.conf["prefix"], models=models)
            out.append({"script": script, "output_asset_name": video["output_asset_config"]["asset_name"]})
        return out

    @task_group
    def video(script: dict, output_asset_name: str):
        create = CreateVideoOperator(task_id="create", script=script, output_asset_name=output_asset_name,
                                     wait=False)
        wait = VideoJobSensor(task_id="wait", job_id=create.output["job_id"], deferrable=False, mode="poke",
                              poll_interval=POLL_INTERVAL)
        create >> wait

    video.expand_kwargs(load_manifest())


bench_naive()
