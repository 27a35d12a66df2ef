"""DAGs for ``tests/operators/test_exactly_once.py`` and ``tests/operators/test_permanent_errors.py``.

* ``metastudio_exactly_once``: every kind of create (upload, script + video, avatar and voice
  training) under the user's name ``params.output_name``; the test runs it twice with the same
  name, the second run's creates each failing once with a 5xx.
* ``metastudio_permanent_errors``: tasks that must fail at once though retries are configured (a
  404, injected 400 and 403, connection mistakes, a file without a suffix), one transient fault that
  must be ridden out, a video job that ends FAILED, and a task that hands an error text to XCom.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, task

from metastudio_provider.operators.api import (
    Create2dModelTrainingJobOperator,
    CreateTrainingBasicJobOperator,
    ListAssetsOperator,
    ListProductsOperator,
    ListSmartLiveRoomsOperator,
    ListVideoScriptsOperator,
    ShowAssetOperator,
)
from metastudio_provider.operators.assets import UploadAssetOperator
from metastudio_provider.operators.videos import CreateVideoOperator

POLL = 0.2
START = pendulum.datetime(2026, 1, 1, tz="UTC")
BAD_CONNECTIONS = ("metastudio_bad_scheme", "metastudio_bad_extra", "metastudio_missing_sk", "metastudio_bad_storage",
                   "metastudio_nowhere")  # the test defines all but the last


@task
def models() -> dict:
    """A SYSTEM avatar and voice to make videos with."""
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    hook = MetaStudioHook()
    return {"avatar": hook.system_asset_id("HUMAN_MODEL_2D"), "voice": hook.system_asset_id("VOICE_MODEL")}


def script(text: str, name: str | None = None) -> dict:
    body = {
        "model_asset_id": "{{ ti.xcom_pull(task_ids='models')['avatar'] }}", "model_asset_type": "HUMAN_MODEL_2D",
        "voice_config": {"voice_asset_id": "{{ ti.xcom_pull(task_ids='models')['voice'] }}"},
        "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT", "text_config": {"text": text}}}],
    }
    return {**body, "script_name": name} if name else body


with DAG(dag_id="metastudio_exactly_once", schedule=None, start_date=START, catchup=False,
         params={"output_name": Param("same-name", type="string"),
                 "image_path": Param("/nonexistent.png", type="string")},
         tags=["metastudio", "test"]) as exactly_once:
    chosen = models()
    upload = UploadAssetOperator(task_id="upload", source="{{ params.image_path }}",
                                 asset_name="{{ params.output_name }}", wait_for_active=False)
    video = CreateVideoOperator(task_id="video", script=script("Same name, own video", "{{ params.output_name }}"),
                                output_asset_name="{{ params.output_name }}", wait=False)
    avatar_job = Create2dModelTrainingJobOperator(task_id="avatar_job", body={"name": "{{ params.output_name }}"})
    voice_job = CreateTrainingBasicJobOperator(task_id="voice_job", body={"voice_name": "{{ params.output_name }}"})
    chosen >> [upload, video, avatar_job, voice_job]


@task(retries=0)
def storage_error_as_xcom() -> dict:
    """What a task that hands an error on (XCom) would publish: it must not hold the storage password."""
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    try:
        MetaStudioHook("metastudio_bad_storage").call("ListAssets", query={"limit": 1})
    except Exception as exc:
        return {"error": str(exc)}
    return {"error": None}


with DAG(dag_id="metastudio_permanent_errors", schedule=None, start_date=START, catchup=False,
         params={"no_suffix_path": Param("/nonexistent", type="string")},
         default_args={"retries": 2, "retry_delay": timedelta(0)}, tags=["metastudio", "test"]) as permanent:
    ShowAssetOperator(task_id="not_found", path_params={"asset_id": "0" * 32})
    ListVideoScriptsOperator(task_id="bad_request", query={"limit": 1})  # the test injects a 400
    ListProductsOperator(task_id="forbidden", query={"limit": 1})  # the test injects a 403
    ListSmartLiveRoomsOperator(task_id="transient", query={"limit": 1})  # the test injects two 503s
    for conn_id in BAD_CONNECTIONS:
        ListAssetsOperator(task_id=conn_id.removeprefix("metastudio_"), metastudio_conn_id=conn_id,
                           query={"limit": 1})
    storage_error_as_xcom()
    UploadAssetOperator(task_id="no_suffix", source="{{ params.no_suffix_path }}",
                        asset_name="no-suffix-{{ run_id }}", wait_for_active=False)
    video_models = models()
    video_models >> CreateVideoOperator(task_id="failing_video", script=script("This render will fail"),
                                        wait=True, poll_interval=POLL, retries=0)
