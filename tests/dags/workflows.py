"""The workflow operators and the sensors in real DAG runs (``tests/operators/test_workflows.py``).

* ``metastudio_workflows``: upload assets (a local path and an ``ObjectStoragePath``), make a
  video and wait for it (deferred), watch more video jobs, run a livestream start → live → stop
  → ended, train an avatar and a voice, preview TTS; each of the six sensors deferrable, four of
  them also in poke mode, and ``VideoJobsSensor`` over three jobs.
* ``metastudio_workflow_failures``: every task fails on purpose (a FAILED video job, sensor
  timeouts); the test checks how.
* ``metastudio_workflow_retries``: creates that crash after creating on try 1 and are retried.

The input files are written by the test and passed as run conf (``params``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pendulum
from airflow.sdk import DAG, ObjectStoragePath, Param, chain, task

from metastudio_provider.livestream.start_stop import StartLivestreamOperator, StopLivestreamOperator
from metastudio_provider.operators.api import (
    CommitVoiceTrainingJobOperator,
    Create2dModelTrainingJobOperator,
    CreateDigitalAssetOperator,
    CreateSmartLiveRoomOperator,
    CreateTrainingAdvanceJobOperator,
    CreateTtsAuditionOperator,
    Execute2dModelTrainingCommandByUserOperator,
    ListAssetsOperator,
)
from metastudio_provider.operators.assets import UploadAssetOperator
from metastudio_provider.operators.training import TrainAvatarOperator, TrainVoiceOperator
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import (
    AssetStateSensor,
    AvatarTrainingJobSensor,
    LivestreamJobSensor,
    TtsAuditionSensor,
    VideoJobSensor,
    VideoJobsSensor,
    VoiceTrainingJobSensor,
)

POLL = 0.2
START = pendulum.datetime(2026, 1, 1, tz="UTC")
PARAMS = {
    "image_path": Param("/nonexistent/image.png", type="string"),
    "second_image_path": Param("/nonexistent/second.png", type="string"),
    "video_path": Param("/nonexistent/training.mp4", type="string"),
    "voice_zip_path": Param("/nonexistent/voice.zip", type="string"),
}


def xcom(task_id: str, key: str = "return_value", path: str = "") -> str:
    return "{{ ti.xcom_pull(task_ids='" + task_id + "', key='" + key + "')" + path + " }}"


AVATAR = xcom("list_system_avatars", path="['assets'][0]['asset_id']")
VOICE = xcom("list_system_voices", path="['assets'][0]['asset_id']")


def system_assets() -> tuple[ListAssetsOperator, ListAssetsOperator]:
    return (
        ListAssetsOperator(task_id="list_system_avatars",
                           query={"asset_type": "HUMAN_MODEL_2D", "asset_source": "SYSTEM", "limit": 1}),
        ListAssetsOperator(task_id="list_system_voices",
                           query={"asset_type": "VOICE_MODEL", "asset_source": "SYSTEM", "limit": 1}),
    )


def script(text: str, background: str | None = None) -> dict[str, Any]:
    shoot: dict[str, Any] = {"script_type": "TEXT", "text_config": {"text": text}}
    if background:
        shoot["background_config"] = [{"background_type": "IMAGE", "background_asset_id": background}]
    return {"model_asset_id": AVATAR, "model_asset_type": "HUMAN_MODEL_2D", "voice_config": {"voice_asset_id": VOICE},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": shoot}]}


@task
def as_object_storage_path(params: dict | None = None) -> ObjectStoragePath:
    """The second image as an ``ObjectStoragePath`` (``file://``), handed over through XCom."""
    return ObjectStoragePath(f"file://{params['second_image_path']}")


# -- the happy paths ----------------------------------------------------------------------------------
with DAG(dag_id="metastudio_workflows", schedule=None, start_date=START, catchup=False, params=PARAMS,
         tags=["metastudio", "test"]) as workflows:
    list_system_avatars, list_system_voices = system_assets()

    upload_local = UploadAssetOperator(
        task_id="upload_local", source="{{ params.image_path }}", asset_type="IMAGE",
        asset_fields={"tags": ["from-a-path"]}, poll_interval=POLL,
    )
    upload_object = UploadAssetOperator(
        task_id="upload_object", source=as_object_storage_path(), asset_name="object-{{ run_id }}",
        deferrable=False, poll_interval=POLL,
    )
    asset_deferrable = AssetStateSensor(task_id="asset_deferrable", asset_id=xcom("upload_local", "asset_id"),
                                        poll_interval=POLL, timeout=30)
    asset_poke = AssetStateSensor(task_id="asset_poke", asset_id=xcom("upload_object", "asset_id"),
                                  poll_interval=POLL, timeout=30, deferrable=False)

    create_video = CreateVideoOperator(
        task_id="create_video", script=script("Hello from CreateVideoOperator", xcom("upload_local", "asset_id")),
        wait=True, deferrable=True, poll_interval=POLL,
    )
    more_video_1 = CreateVideoOperator(task_id="more_video_1", script_id=xcom("create_video", "script_id"),
                                       wait=False)
    more_video_2 = CreateVideoOperator(task_id="more_video_2", script_id=xcom("create_video", "script_id"),
                                       video={"output_asset_config": {"asset_name": "second-{{ run_id }}"}},
                                       wait=False)
    video_deferrable = VideoJobSensor(task_id="video_deferrable", job_id=xcom("more_video_1", "job_id"),
                                      poll_interval=POLL, timeout=60)
    video_poke = VideoJobSensor(task_id="video_poke", job_id=xcom("more_video_2", "job_id"),
                                poll_interval=POLL, timeout=60, deferrable=False)
    more_video_3 = CreateVideoOperator(task_id="more_video_3", script_id=xcom("create_video", "script_id"),
                                       wait=False)
    all_videos = VideoJobsSensor(
        task_id="all_videos", poll_interval=POLL, timeout=60,
        job_ids=[xcom("create_video", "job_id"), xcom("more_video_1", "job_id"), xcom("more_video_3", "job_id")],
    )

    create_room = CreateSmartLiveRoomOperator(task_id="create_room", body={
        "room_name": "workflows-{{ run_id }}",
        "scene_scripts": [{"script_name": "scene", "model_asset_id": AVATAR, "voice_config": {"voice_asset_id": VOICE},
                           "shoot_scripts": [{"sequence_no": 0, "text_config": {"text": "Welcome"}}]}]})
    start_live = StartLivestreamOperator(task_id="start_live", room_id=xcom("create_room", "room_id"),
                                         wait_until_live=False, poll_interval=POLL)
    live_deferrable = LivestreamJobSensor(task_id="live_deferrable", room_id=xcom("start_live", "room_id"),
                                          job_id=xcom("start_live", "job_id"), poll_interval=POLL, timeout=30)
    live_poke = LivestreamJobSensor(task_id="live_poke", room_id=xcom("start_live", "room_id"),
                                    job_id=xcom("start_live", "job_id"), poll_interval=POLL, timeout=30,
                                    deferrable=False)
    stop_live = StopLivestreamOperator(task_id="stop_live", room_id=xcom("start_live", "room_id"),
                                       job_id=xcom("start_live", "job_id"), poll_interval=POLL)
    live_ended = LivestreamJobSensor(task_id="live_ended", wait_for="ended", room_id=xcom("start_live", "room_id"),
                                     job_id=xcom("start_live", "job_id"), poll_interval=POLL, timeout=30,
                                     deferrable=False)
    start_live_and_wait = StartLivestreamOperator(task_id="start_live_and_wait",
                                                  room_id=xcom("create_room", "room_id"), poll_interval=POLL)
    stop_live_again = StopLivestreamOperator(task_id="stop_live_again", room_id=xcom("create_room", "room_id"),
                                             job_id=xcom("start_live_and_wait", "job_id"), poll_interval=POLL,
                                             deferrable=False)

    train_avatar = TrainAvatarOperator(task_id="train_avatar", video="{{ params.video_path }}",
                                       job_fields={"tags": ["airflow-test"]}, poll_interval=POLL)
    # the training sensors watch jobs submitted by plain API operators, so they find them still running
    avatar_job = Create2dModelTrainingJobOperator(task_id="avatar_job", body={"name": "sensor-{{ run_id }}"})
    submit_avatar_job = Execute2dModelTrainingCommandByUserOperator(
        task_id="submit_avatar_job", path_params={"job_id": xcom("avatar_job", "job_id")},
        body={"command": "SUBMITVERIFYING"})
    avatar_deferrable = AvatarTrainingJobSensor(task_id="avatar_deferrable", job_id=xcom("avatar_job", "job_id"),
                                                poll_interval=POLL, timeout=30)
    train_voice = TrainVoiceOperator(task_id="train_voice", data="{{ params.voice_zip_path }}", edition="middle",
                                     job_fields={"sex": "MALE", "language": "CN"}, poll_interval=POLL)
    voice_job = CreateTrainingAdvanceJobOperator(task_id="voice_job", body={"voice_name": "sensor-{{ run_id }}"})
    commit_voice_job = CommitVoiceTrainingJobOperator(task_id="commit_voice_job", body={},
                                                      path_params={"job_id": xcom("voice_job", "job_id")})
    voice_deferrable = VoiceTrainingJobSensor(task_id="voice_deferrable", job_id=xcom("voice_job", "job_id"),
                                              poll_interval=POLL, timeout=30)
    train_voice_polling = TrainVoiceOperator(task_id="train_voice_polling", data="{{ params.voice_zip_path }}",
                                             edition="basic", deferrable=False, poll_interval=POLL)

    create_tts = CreateTtsAuditionOperator(task_id="create_tts", body={"text": "Preview me", "emotion": VOICE})
    tts_deferrable = TtsAuditionSensor(task_id="tts_deferrable", job_id=xcom("create_tts", "job_id"),
                                       poll_interval=POLL, timeout=30)
    create_tts_2 = CreateTtsAuditionOperator(task_id="create_tts_2", body={"text": "Again", "emotion": VOICE})
    tts_poke = TtsAuditionSensor(task_id="tts_poke", job_id=xcom("create_tts_2", "job_id"), poll_interval=POLL,
                                 timeout=30, deferrable=False)

    chain(list_system_avatars, list_system_voices, upload_local, upload_object, asset_deferrable, asset_poke,
          create_video, more_video_2, more_video_1, video_deferrable, video_poke, more_video_3, all_videos,
          create_room, start_live, live_deferrable, live_poke, stop_live, live_ended,
          start_live_and_wait, stop_live_again,
          train_avatar, avatar_job, submit_avatar_job, avatar_deferrable,
          train_voice, voice_job, commit_voice_job, voice_deferrable, train_voice_polling,
          create_tts, tts_deferrable, create_tts_2, tts_poke)


# -- failures: each of these tasks must fail, with a clear message -------------------------------------
with DAG(dag_id="metastudio_workflow_failures", schedule=None, start_date=START, catchup=False,
         default_args={"trigger_rule": "all_done"}, tags=["metastudio", "test"]) as failures:
    fail_avatars, fail_voices = system_assets()
    failing_video = CreateVideoOperator(task_id="failing_video", script=script("This render will fail"),
                                        wait=False)
    failed_video_deferrable = VideoJobSensor(task_id="failed_video_deferrable", poll_interval=POLL, timeout=30,
                                             job_id=xcom("failing_video", "job_id"))
    failed_video_poke = VideoJobSensor(task_id="failed_video_poke", poll_interval=POLL, timeout=30,
                                       job_id=xcom("failing_video", "job_id"), deferrable=False)
    failed_videos = VideoJobsSensor(task_id="failed_videos", poll_interval=POLL, timeout=30,
                                    job_ids=[xcom("failing_video", "job_id")])
    failing_video_waited = CreateVideoOperator(task_id="failing_video_waited", script=script("Fails, waited on"),
                                               wait=True, poll_interval=POLL)
    never_uploaded = CreateDigitalAssetOperator(task_id="never_uploaded", body={
        "asset_name": "never-uploaded-{{ run_id }}", "asset_type": "IMAGE"})
    asset_timeout_deferrable = AssetStateSensor(task_id="asset_timeout_deferrable", poll_interval=POLL, timeout=1,
                                                asset_id=xcom("never_uploaded", "asset_id"))
    asset_timeout_poke = AssetStateSensor(task_id="asset_timeout_poke", poll_interval=POLL, timeout=1,
                                          asset_id=xcom("never_uploaded", "asset_id"), deferrable=False)
    missing_video = VideoJobSensor(task_id="missing_video", job_id="0" * 32, poll_interval=POLL, timeout=5)

    # the deferrable sensor runs right after the create, while the job still renders: it waits in
    # the trigger; every task runs whatever its upstream did (trigger_rule all_done)
    chain(fail_avatars, fail_voices, failing_video, failed_video_deferrable,
          [failed_video_poke, failed_videos, failing_video_waited, never_uploaded, missing_video])
    never_uploaded >> [asset_timeout_deferrable, asset_timeout_poke]


# -- retries: creates that crash after creating, retried at once ----------------------------------------
class CrashAfterCreateOnFirstTry:
    """Mixin: run the operator, then fail try 1 as a worker dying right after the create would."""

    def execute(self, context: Any) -> Any:
        result = super().execute(context)  # type: ignore[misc]
        if context["ti"].try_number == 1:
            raise RuntimeError(f"simulated crash after the create (try 1 made {result})")
        return result


class FlakyCreateVideoOperator(CrashAfterCreateOnFirstTry, CreateVideoOperator):
    pass


class FlakyUploadAssetOperator(CrashAfterCreateOnFirstTry, UploadAssetOperator):
    pass


class FlakyCreateDigitalAssetOperator(CrashAfterCreateOnFirstTry, CreateDigitalAssetOperator):
    pass


class CrashBeforeSubmitOnFirstTry(TrainAvatarOperator):
    """Try 1 dies between the create (and the upload) and the submit, as a worker killed there would;
    with ``upload=False`` it dies before the upload too."""

    def __init__(self, *, upload: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.upload = upload

    def execute(self, context: Any) -> Any:
        self.first_try = context["ti"].try_number == 1
        return super().execute(context)

    def _upload(self, urls: list[str]) -> None:
        if self.first_try and not self.upload:
            raise RuntimeError("simulated crash after the create, before the upload")
        super()._upload(urls)

    def _submit(self, job_id: str) -> None:
        if self.first_try:
            raise RuntimeError(f"simulated crash after the create and the upload, before submitting {job_id}")
        super()._submit(job_id)


with DAG(dag_id="metastudio_workflow_retries", schedule=None, start_date=START, catchup=False, params=PARAMS,
         default_args={"retries": 1, "retry_delay": timedelta(0)}, tags=["metastudio", "test"]) as retries:
    retry_avatars, retry_voices = system_assets()
    flaky_video = FlakyCreateVideoOperator(task_id="flaky_video", script=script("Made once, retried"), wait=False)
    flaky_video_done = VideoJobSensor(task_id="flaky_video_done", job_id=xcom("flaky_video", "job_id"),
                                      poll_interval=POLL, timeout=30)
    flaky_upload = FlakyUploadAssetOperator(task_id="flaky_upload", source="{{ params.image_path }}",
                                            wait_for_active=False)
    flaky_asset = FlakyCreateDigitalAssetOperator(task_id="flaky_asset", body={
        "asset_name": "flaky-asset-{{ run_id }}", "asset_type": "IMAGE"})

    flaky_avatar = CrashBeforeSubmitOnFirstTry(task_id="flaky_avatar", video="{{ params.video_path }}",
                                               poll_interval=POLL, wait_timeout=30)
    flaky_avatar_no_video = CrashBeforeSubmitOnFirstTry(task_id="flaky_avatar_no_video", upload=False,
                                                        video="{{ params.video_path }}", poll_interval=POLL,
                                                        wait_timeout=30)

    chain(retry_avatars, retry_voices, flaky_video, flaky_video_done, flaky_upload, flaky_asset, flaky_avatar,
          flaky_avatar_no_video)
