"""Video pipeline, triggered from the Airflow UI: upload assets → video script → video job → wait → report."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from metastudio_provider.operators.workflows import CreateVideoOperator, UploadAssetOperator

INCLUDE = Path(__file__).resolve().parent.parent / "include"

DOC = """
### MetaStudio video pipeline

Trigger it with the form (**Trigger DAG ▸ with config**). It uploads the background image as an
asset, writes a video script for the chosen avatar and voice, renders a 2D avatar video (the
wait is deferred: no worker slot is held while MetaStudio renders) and reports the output
video's asset id and download URL. Empty avatar / voice mean the tenant's first SYSTEM ones.
"""


@dag(
    dag_id="metastudio_video_pipeline",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["metastudio", "video"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=10)},
    params={
        "title": Param("Airflow on MetaStudio", type="string", minLength=1, description="The video's title"),
        "script_text": Param(
            "Hello! This video was scheduled by Apache Airflow and rendered by Huawei Cloud MetaStudio.",
            type="string", minLength=1, description="What the avatar says",
        ),
        "avatar_model_asset_id": Param("", type="string", description="HUMAN_MODEL_2D asset id (empty: a system one)"),
        "voice_asset_id": Param("", type="string", description="VOICE_MODEL asset id (empty: a system one)"),
        "background_image": Param("assets/background.png", type="string",
                                  description="Image file, absolute or relative to include/"),
        "output_name": Param("", type="string", description="Name of the output video asset (empty: derived from the run)"),
    },
    render_template_as_native_obj=True,
)
def metastudio_video_pipeline():
    @task
    def resolve_inputs(params: dict | None = None) -> dict:
        """Pick the avatar and voice (system ones when not given) and locate the background image."""
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        hook = MetaStudioHook()
        image = Path(params["background_image"])
        image = image if image.is_absolute() else INCLUDE / image
        if not image.is_file():
            raise FileNotFoundError(f"background_image {params['background_image']!r}: no such file ({image})")
        return {
            "model_asset_id": params["avatar_model_asset_id"] or hook.system_asset_id("HUMAN_MODEL_2D"),
            "voice_asset_id": params["voice_asset_id"] or hook.system_asset_id("VOICE_MODEL"),
            "background_image": str(image),
        }

    inputs = resolve_inputs()
    background = UploadAssetOperator(
        task_id="upload_background",
        source=inputs["background_image"],
        asset_type="IMAGE",
        asset_fields={"system_properties": [{"key": "BACKGROUND_IMG", "value": "Yes"}]},
    )

    @task
    def build_script(inputs: dict, background: dict, params: dict | None = None) -> dict:
        from metastudio_provider import bodies
        from metastudio_provider.operators.workflows import deterministic_name

        return bodies.video_script(
            script_name=deterministic_name(get_current_context(), "script"),
            text=params["script_text"],
            model_asset_id=inputs["model_asset_id"],
            voice_asset_id=inputs["voice_asset_id"],
            background_asset_id=background["asset_id"],
        )

    script = build_script(inputs, background.output)
    video = CreateVideoOperator(
        task_id="create_video",
        script=script,
        output_asset_name="{{ params.output_name }}",
    )

    @task
    def report(video: dict, params: dict | None = None) -> dict:
        summary = {"title": params["title"], **video}
        print(f"Video {summary['title']!r}: job {video['job_id']} {video['state']}; "
              f"output asset {video['output_asset_id']}; download: {video['download_url']}")
        return summary

    report(video.output)


metastudio_video_pipeline()
