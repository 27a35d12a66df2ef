"""The official Huawei SDK as a peer of the emulator: the whole production chain through SDK models.

If the emulator's paths, signature checks or response shapes drifted from the SDK's, these
calls would raise or the typed attributes would come back empty.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

pytest.importorskip("huaweicloudsdkmetastudio")

from huaweicloudsdkcore.auth.credentials import BasicCredentials  # noqa: E402
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException  # noqa: E402
from huaweicloudsdkcore.http.http_config import HttpConfig  # noqa: E402
from huaweicloudsdkmetastudio.v1 import MetaStudioClient  # noqa: E402
from huaweicloudsdkmetastudio.v1 import model as m  # noqa: E402

from metastudio_emulator.testing import RunningEmulator, running_emulator  # noqa: E402


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    with running_emulator(job_seconds=0.5, live_start_seconds=0.2, throttle=False) as running:
        yield running


@pytest.fixture(scope="module")
def sdk(emu: RunningEmulator) -> MetaStudioClient:
    config = HttpConfig.get_default_config()
    config.ignore_ssl_verification = True
    return (MetaStudioClient.new_builder()
            .with_credentials(BasicCredentials(emu.ak, emu.sk, emu.project_id))
            .with_endpoints([emu.base_url])
            .with_http_config(config)
            .build())


def _poll(fetch: Callable[[], Any], done: Callable[[Any], bool], timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        resp = fetch()
        if done(resp):
            return resp
        assert time.monotonic() < deadline, f"timed out; last response {resp}"
        time.sleep(0.1)


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def test_production_chain_through_the_sdk(sdk: MetaStudioClient) -> None:
    # 1. an image asset: create → file → PUT → confirm → ACTIVED
    data = b"\x89PNG\r\n\x1a\n emulated background"
    asset = sdk.create_digital_asset(m.CreateDigitalAssetRequest(
        body=m.CreateDigitalAssetRequestBody(asset_name="sdk background", asset_type="IMAGE")))
    assert asset.asset_id and asset.produce_id and asset.x_request_id
    file = sdk.create_file(m.CreateFileRequest(body=m.FilesCreateReq(
        file_name="bg.png", file_md5=_md5(data), file_size=len(data), file_type="png",
        asset_id=asset.asset_id, asset_file_category="MAIN")))
    assert file.file_id and file.upload_url.startswith("http")
    put = httpx.put(file.upload_url, content=data, headers={"Content-MD5": _md5(data), "Content-Type": "image/png"})
    assert put.status_code == 200, put.text
    sdk.confirm_file_upload(m.ConfirmFileUploadRequest(
        file_id=file.file_id, body=m.ConfirmFileUploadRequestBody(state="CREATED")))
    shown = _poll(lambda: sdk.show_asset(m.ShowAssetRequest(asset_id=asset.asset_id)),
                  lambda r: r.asset_state == "ACTIVED")
    assert isinstance(shown, m.ShowAssetResponse)
    assert isinstance(shown.files[0], m.AssetFileInfo) and shown.files[0].download_url

    # 2. system avatar and voice
    avatars = sdk.list_assets(m.ListAssetsRequest(asset_type="HUMAN_MODEL_2D", asset_source="SYSTEM"))
    voices = sdk.list_assets(m.ListAssetsRequest(asset_type="VOICE_MODEL", asset_source="SYSTEM"))
    assert avatars.count >= 1 and voices.count >= 1
    assert isinstance(avatars.assets[0], m.DigitalAssetInfo) and avatars.assets[0].asset_state == "ACTIVED"
    model_id, voice_id = avatars.assets[0].asset_id, voices.assets[0].asset_id

    # 3. video script → video job → SUCCEED with an output VIDEO asset
    script = sdk.create_video_scripts(m.CreateVideoScriptsRequest(body=m.CreateVideoScriptsReq(
        script_name="sdk script", model_asset_id=model_id, model_asset_type="HUMAN_MODEL_2D",
        voice_config=m.VoiceConfig(voice_asset_id=voice_id),
        shoot_scripts=[m.ShootScriptItem(sequence_no=0, shoot_script=m.ShootScript(
            script_type="TEXT", text_config=m.TextConfig(text="Hello from the SDK"),
            background_config=[m.BackgroundConfigInfo(background_type="IMAGE",
                                                      background_asset_id=asset.asset_id)]))])))
    assert script.script_id
    shown_script = sdk.show_video_script(m.ShowVideoScriptRequest(script_id=script.script_id))
    assert shown_script.voice_config.voice_asset_id == voice_id
    assert shown_script.shoot_scripts[0].shoot_script.text_config.text == "Hello from the SDK"

    job = sdk.create2_d_digital_human_video(m.Create2DDigitalHumanVideoRequest(body=m.Create2DDigitalHumanVideoReq(
        script_id=script.script_id, output_asset_config=m.OutputAssetConfig(asset_name="sdk video"))))
    assert job.job_id
    done = _poll(lambda: sdk.show2_d_digital_human_video(m.Show2DDigitalHumanVideoRequest(job_id=job.job_id)),
                 lambda r: r.state in ("SUCCEED", "FAILED"))
    assert done.state == "SUCCEED" and done.job_type == "2D_DIGITAL_HUMAN_VIDEO"
    assert isinstance(done.output_asset_config, m.OutputAssetInfo) and done.output_asset_config.asset_id
    video = sdk.show_asset(m.ShowAssetRequest(asset_id=done.output_asset_config.asset_id))
    assert video.asset_type == "VIDEO" and video.asset_state == "ACTIVED" and video.files[0].download_url
    listed = sdk.list_digital_human_video(m.ListDigitalHumanVideoRequest(job_ids=[job.job_id, "other"]))
    assert listed.count == 1 and listed.jobs[0].job_id == job.job_id and listed.jobs[0].state == "SUCCEED"

    # 4. live room → start → show → stop
    room = sdk.create_smart_live_room(m.CreateSmartLiveRoomRequest(body=m.CreateSmartLiveRoomReq(
        room_name="sdk room", scene_scripts=[m.LiveVideoScriptInfo(
            script_name="scene", model_asset_id=model_id, voice_config=m.VoiceConfig(voice_asset_id=voice_id),
            shoot_scripts=[m.LiveShootScriptItem(sequence_no=0, text_config=m.TextConfig(text="Welcome"))])])))
    assert room.room_id
    shown_room = sdk.show_smart_live_room(m.ShowSmartLiveRoomRequest(room_id=room.room_id))
    assert shown_room.room_state == "ENABLE" and shown_room.scene_scripts[0].model_asset_id == model_id
    live = sdk.start_smart_live(m.StartSmartLiveRequest(room_id=room.room_id, body=m.StartSmartLiveReq()))
    assert live.job_id and live.live_event_report_url and isinstance(live.rtc_room_info, m.RTCRoomInfoList)

    def show_live() -> m.ShowSmartLiveResponse:
        return sdk.show_smart_live(m.ShowSmartLiveRequest(room_id=room.room_id, job_id=live.job_id))

    assert _poll(show_live, lambda r: r.state == "PROCESSING").room_id == room.room_id
    with pytest.raises(ClientRequestException) as refused:
        sdk.start_smart_live(m.StartSmartLiveRequest(room_id=room.room_id, body=m.StartSmartLiveReq()))
    assert refused.value.status_code == 400 and refused.value.error_code.startswith("MSS.")
    assert refused.value.request_id
    sdk.stop_smart_live(m.StopSmartLiveRequest(room_id=room.room_id, job_id=live.job_id))
    assert show_live().state == "SUCCEED"


def test_sdk_sees_throttling_and_auth_errors() -> None:
    with running_emulator() as emu:
        def client(sk: str) -> MetaStudioClient:
            return (MetaStudioClient.new_builder()
                    .with_credentials(BasicCredentials(emu.ak, sk, emu.project_id))
                    .with_endpoints([emu.base_url]).build())

        with pytest.raises(ClientRequestException) as denied:
            client("wrong-secret").list_assets(m.ListAssetsRequest())
        assert denied.value.status_code == 401 and denied.value.error_code == "APIGW.0301"

        good = client(emu.sk)
        body = m.BatchAssetActionReq(action="ACTIVE", asset_ids=["x"])
        good.batch_execute_asset_action(m.BatchExecuteAssetActionRequest(body=body))  # limit 1/s
        with pytest.raises(ClientRequestException) as throttled:
            good.batch_execute_asset_action(m.BatchExecuteAssetActionRequest(body=body))
        assert throttled.value.status_code == 429 and throttled.value.error_code == "APIGW.0308"
