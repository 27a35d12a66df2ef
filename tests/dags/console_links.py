"""``metastudio_console_links``: one small run whose workflow tasks each push a "MetaStudio console" link
(an asset, a video job, a livestream job), for ``tests/operators/test_links.py``.

The avatar and voice ids come as run conf (the test reads the emulator's system assets).
"""

from __future__ import annotations

from pathlib import Path

import pendulum
from airflow.sdk import DAG, Param, chain

from metastudio_provider.livestream.start_stop import StartLivestreamOperator
from metastudio_provider.operators.api import CreateSmartLiveRoomOperator
from metastudio_provider.operators.assets import UploadAssetOperator
from metastudio_provider.operators.videos import CreateVideoOperator

POLL = 0.2
IMAGE = Path(__file__).resolve().parents[2] / "include" / "assets" / "background.png"
AVATAR, VOICE = "{{ params.avatar }}", "{{ params.voice }}"


with DAG(dag_id="metastudio_console_links", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
         catchup=False, tags=["metastudio", "test"],
         params={"avatar": Param("", type="string"), "voice": Param("", type="string")}):
    upload = UploadAssetOperator(task_id="upload", source=str(IMAGE), wait_for_active=False)
    video = CreateVideoOperator(task_id="video", wait=False, script={
        "model_asset_id": AVATAR, "voice_config": {"voice_asset_id": VOICE},
        "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT",
                                                              "text_config": {"text": "Link me"}}}]})
    room = CreateSmartLiveRoomOperator(task_id="room", body={
        "room_name": "links-{{ run_id }}",
        "scene_scripts": [{"script_name": "scene", "model_asset_id": AVATAR,
                           "voice_config": {"voice_asset_id": VOICE},
                           "shoot_scripts": [{"sequence_no": 0, "text_config": {"text": "Welcome"}}]}]})
    live = StartLivestreamOperator(task_id="live", room_id="{{ ti.xcom_pull(task_ids='room', key='room_id') }}",
                                   wait_until_live=False, poll_interval=POLL)
    chain(upload, video, room, live)
