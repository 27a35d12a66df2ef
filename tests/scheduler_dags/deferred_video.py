"""Videos waited for in the triggerer: one with ``VideoJobSensor``, three with one ``VideoJobsSensor``.

Run by tests/integration/test_scheduler_triggerer.py through the real scheduler and triggerer,
against the MetaStudio emulator named by the ``metastudio_default`` connection.

    system_assets ─┬─ create_video (CreateVideoOperator, wait=False) ── wait_video (VideoJobSensor)
                   └─ create_script ── create_video_{a,b,c} (generated API operator) ── wait_videos (VideoJobsSensor)
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.operators.api import Create2DDigitalHumanVideoOperator, CreateVideoScriptsOperator
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import VideoJobSensor, VideoJobsSensor

POLL_SECONDS = 1.0


@task(multiple_outputs=True)
def system_assets() -> dict[str, str]:
    """The ids of a system avatar and a system voice (the emulator makes new ids each start)."""
    hook = MetaStudioHook()
    return {"model": hook.system_asset_id("HUMAN_MODEL_2D"), "voice": hook.system_asset_id("VOICE_MODEL")}


with DAG(
    dag_id="ms_deferred_video",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["metastudio", "integration"],
):
    assets = system_assets()
    script = {
        "model_asset_id": assets["model"],
        "voice_config": {"voice_asset_id": assets["voice"]},
        "shoot_scripts": [
            {"sequence_no": 0, "shoot_script": {"script_type": "TEXT", "text_config": {"text": "Hello from Airflow"}}}
        ],
    }

    create_video = CreateVideoOperator(task_id="create_video", script=script, wait=False)
    wait_video = VideoJobSensor(task_id="wait_video", job_id=create_video.output["job_id"],
                                poll_interval=POLL_SECONDS)

    create_script = CreateVideoScriptsOperator(task_id="create_script",
                                               body={"script_name": "batch-{{ run_id }}", **script})
    batch = [
        Create2DDigitalHumanVideoOperator(
            task_id=f"create_video_{name}",
            body={"script_id": create_script.output["script_id"],
                  "output_asset_config": {"asset_name": f"batch-{name}-{{{{ run_id }}}}"}},
        )
        for name in ("a", "b", "c")
    ]
    wait_videos = VideoJobsSensor(task_id="wait_videos", job_ids=[t.output["job_id"] for t in batch],
                                  poll_interval=POLL_SECONDS)
