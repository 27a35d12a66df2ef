"""Video pipeline, triggered from the Airflow UI: check inputs → upload background → video script → video (made and
delivered) → report."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, get_current_context, task

from metastudio_provider.assets.videos import VIDEOS
from metastudio_provider.operators.assets import UploadAssetOperator
from metastudio_provider.operators.delivery import CreateAndDeliverVideoOperator

INCLUDE = Path(__file__).resolve().parent.parent / "include"
# Background images are read only from under this folder (a path outside it is refused).
ASSETS_ROOT = Path(os.environ.get("METASTUDIO_ASSETS_ROOT", INCLUDE))
DELIVERIES = f"file://{INCLUDE / 'deliveries'}"  # the default; the Variable metastudio_delivery_uri wins
# No `pattern` in the Params: Airflow's form does not check one, and the API's refusal of a value that breaks
# it shows the raw regular expression and the whole schema. validate_inputs refuses such values in words.
SIZES = {"landscape": (1920, 1080), "portrait": (1080, 1920)}

DOC = """
### MetaStudio video pipeline

Press **Trigger** (top right of the DAG page): the form opens with working defaults, so
**Trigger** again makes a video right away. Change the title, the script (a multi-line editor), the
avatar and voice (empty: the tenant's first system ones), the background image (a PNG or JPEG under
`include/`) or the output name. From the CLI:
`airflow dags trigger metastudio_video_pipeline --conf '{"script_text": "Hello!"}'`.

The first task, `validate_inputs`, checks everything before anything is created in MetaStudio:
unknown conf keys (a misspelt `script` is refused, naming the valid keys), the avatar and voice ids
(they must exist and be a HUMAN_MODEL_2D / VOICE_MODEL asset), the script's length, the background
image by its content (PNG/JPEG) and size, names without slashes or control characters. A bad input
fails the run there, at once and without retries, naming what to fix; nothing is left behind.

Then it uploads the background image as an asset, writes a video script, renders a 2D avatar
video (the wait is deferred: no worker slot is held while MetaStudio renders), delivers it and
reports the output video's asset id, download URL and delivered copy.

**Delivery**: `create_video` copies the finished video to
`<destination>/metastudio_video_pipeline/<run id>/<asset id>.mp4` before announcing it (verified size
and MD5; a retry copies nothing twice). The destination: the Airflow Variable `metastudio_delivery_uri`
(or `[metastudio] delivery_uri`), default `include/deliveries/`, e.g. `s3://videos/metastudio` with
the store's connection in the Variable `metastudio_delivery_conn_id`. A video that cannot be delivered
fails the task.

The finished video is announced as an Airflow asset event through the asset alias
`metastudio-videos` (URI `metastudio://<region>/<project_id>/assets/<asset_id>`, extra: the delivered
copy's URI, title, duration, download URL, job id): DAGs scheduled on that alias, such as
`metastudio_video_catalogue`, run on it.
"""


@dag(
    dag_id="metastudio_video_pipeline",
    description="Trigger with the form: checks the inputs, then renders one avatar video with MetaStudio",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["metastudio", "video"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=10)},
    params={
        "title": Param(
            "Airflow on MetaStudio", type="string", minLength=1, maxLength=256,
            title="Title", description="The video's title, at most 256 characters (shown in the report and the "
                                       "catalogue; any characters, slashes included).", section="Video",
        ),
        "script_text": Param(
            "Hello! This video was scheduled by Apache Airflow and rendered by Huawei Cloud MetaStudio.",
            # maxLength is SSML's hard cap: the form does not check a textarea's length, and the API's refusal
            # would echo the whole text; validate_inputs checks the 10,000 spoken characters, in words
            type="string", format="multiline", minLength=1, maxLength=131072,
            title="Script", description="What the avatar says: at most 10,000 characters (SSML tags not counted). "
                                        "A longer script fails the run at once, saying how long it is.",
            section="Video",
        ),
        "orientation": Param(
            "landscape", type="string", enum=list(SIZES),
            values_display={"landscape": "Landscape 1920 × 1080", "portrait": "Portrait 1080 × 1920"},
            title="Format", description="The video's frame.", section="Video",
        ),
        "avatar_model_asset_id": Param(
            None, type=["null", "string"], maxLength=64,
            title="Avatar (asset id)", section="Avatar and voice",
            description="A HUMAN_MODEL_2D asset id (letters and digits, as MetaStudio shows it). Empty: the "
                        "tenant's first system avatar.",
        ),
        "voice_asset_id": Param(
            None, type=["null", "string"], maxLength=64,
            title="Voice (asset id)", section="Avatar and voice",
            description="A VOICE_MODEL asset id (letters and digits, as MetaStudio shows it). Empty: the "
                        "tenant's first system voice.",
        ),
        "background_image": Param(
            "assets/background.png", type="string", minLength=1, maxLength=1024,
            title="Background image", section="Background and output",
            description="A PNG or JPEG file, relative to include/ (files outside it are refused).",
        ),
        "output_name": Param(
            None, type=["null", "string"], maxLength=256,
            title="Output video name", section="Background and output",
            description="Name of the output video asset: at most 256 characters, no slashes (/ or \\). "
                        "Empty: derived from the run.",
        ),
    },
    render_template_as_native_obj=True,
)
def metastudio_video_pipeline():
    @task
    def validate_inputs(params: dict | None = None) -> dict:
        """Check every input (nothing is created yet); pick the avatar and voice; locate the image."""
        from metastudio_provider.checks import names, paths, scripts, uploads
        from metastudio_provider.checks.assets import pick_asset
        from metastudio_provider.checks.problems import Problems
        from metastudio_provider.checks.run_conf import check_run_conf
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        assert params is not None  # Airflow passes the DAG's params
        found = Problems()
        check_run_conf(get_current_context(), found)
        title = found.check(names.check_title, params["title"], "title")
        found.check(scripts.check_script_text, params["script_text"], "script_text")
        output_name = params.get("output_name") or None
        if output_name is not None:
            output_name = found.check(names.check_name, output_name, "output_name")
        image = found.check(paths.resolve_under, params["background_image"], ASSETS_ROOT, "background_image")
        if image is not None:
            found.check(uploads.check_upload, image.name, image.read_bytes(), "IMAGE")
        hook = MetaStudioHook()
        model = found.check(pick_asset, hook, params.get("avatar_model_asset_id"), "HUMAN_MODEL_2D",
                            "avatar_model_asset_id")
        voice = found.check(pick_asset, hook, params.get("voice_asset_id"), "VOICE_MODEL", "voice_asset_id")
        try:
            found.fail_if_any("metastudio_video_pipeline: bad input, nothing was created")
        except Exception as exc:
            from metastudio_provider.listeners.run_notes import note_for_run

            note_for_run(get_current_context()["ti"], str(exc))
            raise
        return {"model_asset_id": model, "voice_asset_id": voice, "background_image": str(image),
                "output_name": output_name, "title": title}

    inputs = validate_inputs()
    background = UploadAssetOperator(
        task_id="upload_background",
        source=inputs["background_image"],
        asset_type="IMAGE",
        asset_fields={"system_properties": [{"key": "BACKGROUND_IMG", "value": "Yes"}]},
    )

    @task
    def build_script(inputs: dict, background: dict, params: dict | None = None) -> dict:
        from metastudio_provider.hooks import request_bodies
        from metastudio_provider.operators.workflow import deterministic_name

        assert params is not None  # Airflow passes the DAG's params
        width, height = SIZES[params["orientation"]]
        return request_bodies.video_script(
            script_name=deterministic_name(get_current_context(), "script"),
            text=params["script_text"],
            model_asset_id=inputs["model_asset_id"],
            voice_asset_id=inputs["voice_asset_id"],
            background_asset_id=background["asset_id"],
            width=width,
            height=height,
        )

    script = build_script(inputs, background.output)
    video = CreateAndDeliverVideoOperator(
        task_id="create_video",
        script=script,
        output_asset_name=inputs["output_name"],
        outlets=[VIDEOS],  # the SUCCEED video is delivered, then announced as an asset event (assets/videos.py)
        event_extra={"title": inputs["title"]},
        fallback_destination=DELIVERIES,
    )

    @task
    def report(video: dict, params: dict | None = None) -> dict:
        assert params is not None  # Airflow passes the DAG's params
        summary = {"title": params["title"], **video}
        print(f"Video {summary['title']!r}: job {video['job_id']} {video['state']}; "
              f"output asset {video['output_asset_id']} ({video.get('duration')} s); "
              f"download: {video['download_url']}; delivered to {video.get('delivered_uri')}")
        return summary

    report(video.output)


metastudio_video_pipeline()
