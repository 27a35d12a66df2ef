"""The six deferrable state sensors, each on a resource its upstream tasks create, in the real triggerer.

Upstream tasks only create and start things (generated API operators, ``CreateVideoOperator`` with
``wait=False``): every wait is a sensor, so each sensor defers while its resource is still running.

    create_asset                                    ── wait_asset   (AssetStateSensor; the asset stays
                                                                     CREATING until its MAIN file is uploaded)
    system_assets ── create_video                   ── wait_video   (VideoJobSensor)
    create_room ── start_live                       ── wait_live    (LivestreamJobSensor) ── stop_live
    create_avatar_job ── submit_avatar_job          ── wait_avatar  (AvatarTrainingJobSensor)
    create_voice_job ── commit_voice_job            ── wait_voice   (VoiceTrainingJobSensor)
    create_tts                                      ── wait_tts     (TtsAuditionSensor)
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, task

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.start_stop import StopLivestreamOperator
from metastudio_provider.operators.api import (
    CommitVoiceTrainingJobOperator,
    Create2dModelTrainingJobOperator,
    CreateDigitalAssetOperator,
    CreateSmartLiveRoomOperator,
    CreateTrainingBasicJobOperator,
    CreateTtsAuditionOperator,
    Execute2dModelTrainingCommandByUserOperator,
    StartSmartLiveOperator,
)
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import (
    AssetStateSensor,
    AvatarTrainingJobSensor,
    LivestreamJobSensor,
    TtsAuditionSensor,
    VideoJobSensor,
    VoiceTrainingJobSensor,
)

POLL_SECONDS = 1.0
SENSORS = ("wait_asset", "wait_video", "wait_live", "wait_avatar", "wait_voice", "wait_tts")


@task(multiple_outputs=True)
def system_assets() -> dict[str, str]:
    """The ids of a system avatar and a system voice (the emulator makes new ids each start)."""
    hook = MetaStudioHook()
    return {"model": hook.system_asset_id("HUMAN_MODEL_2D"), "voice": hook.system_asset_id("VOICE_MODEL")}


with DAG(
    dag_id="ms_six_sensors",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["metastudio", "integration"],
):
    # asset: created without its file, so it stays CREATING until someone uploads it
    asset = CreateDigitalAssetOperator(task_id="create_asset",
                                       body={"asset_name": "picture-{{ run_id }}", "asset_type": "IMAGE"})
    AssetStateSensor(task_id="wait_asset", asset_id=asset.output["asset_id"], poll_interval=POLL_SECONDS)

    # video
    assets = system_assets()
    video = CreateVideoOperator(
        task_id="create_video",
        wait=False,
        script={
            "model_asset_id": assets["model"],
            "voice_config": {"voice_asset_id": assets["voice"]},
            "shoot_scripts": [{"sequence_no": 0,
                               "shoot_script": {"script_type": "TEXT", "text_config": {"text": "Six sensors"}}}],
        },
    )
    VideoJobSensor(task_id="wait_video", job_id=video.output["job_id"], poll_interval=POLL_SECONDS)

    # livestream: WAITING, then PROCESSING (live) — the sensor's success; stopped afterwards
    room = CreateSmartLiveRoomOperator(task_id="create_room", body={"room_name": "room-{{ run_id }}"})
    live = StartSmartLiveOperator(task_id="start_live", path_params={"room_id": room.output["room_id"]}, body={})
    wait_live = LivestreamJobSensor(task_id="wait_live", room_id=room.output["room_id"],
                                    job_id=live.output["job_id"], poll_interval=POLL_SECONDS)
    wait_live >> StopLivestreamOperator(task_id="stop_live", room_id=room.output["room_id"],
                                        job_id=live.output["job_id"], wait_until_ended=False)

    # avatar training: created, then submitted for verification
    avatar = Create2dModelTrainingJobOperator(task_id="create_avatar_job", body={"name": "avatar-{{ run_id }}"})
    submit = Execute2dModelTrainingCommandByUserOperator(
        task_id="submit_avatar_job", path_params={"job_id": avatar.output["job_id"]},
        body={"command": "SUBMITVERIFYING"},
    )
    submit >> AvatarTrainingJobSensor(task_id="wait_avatar", job_id=avatar.output["job_id"],
                                      poll_interval=POLL_SECONDS)

    # voice training: created, then committed
    voice = CreateTrainingBasicJobOperator(task_id="create_voice_job", body={"voice_name": "voice-{{ run_id }}"})
    commit = CommitVoiceTrainingJobOperator(task_id="commit_voice_job",
                                            path_params={"job_id": voice.output["job_id"]}, body={})
    commit >> VoiceTrainingJobSensor(task_id="wait_voice", job_id=voice.output["job_id"],
                                     poll_interval=POLL_SECONDS)

    # TTS audition
    tts = CreateTtsAuditionOperator(task_id="create_tts", body={"text": "Hello from Airflow", "emotion": "HAPPY"})
    TtsAuditionSensor(task_id="wait_tts", job_id=tts.output["job_id"], poll_interval=POLL_SECONDS)
