"""Admin API for scripted job endings: a video job FAILED with error_info, a livestream that fails or ends early."""

from __future__ import annotations

import httpx

from .helpers import call, wait_for
from .test_live import _room
from .test_videos import _job

ERROR = {"error_code": "MSS.00012345", "error_msg": "avatar model is broken"}


def _admin(emu, path: str, body: dict | None = None, expect: int = 200) -> dict:
    resp = httpx.post(f"{emu.base_url}/_emulator/{path}", json=body)
    assert resp.status_code == expect, resp.text
    return resp.json()


def test_a_given_video_job_ends_failed_now(emu) -> None:
    job_id = _job(emu, "fail me")
    answer = _admin(emu, f"video-jobs/{job_id}/end", ERROR)
    assert answer == {"job_id": job_id, "state": "FAILED", "error_info": ERROR}
    shown = call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})
    assert shown["state"] == "FAILED" and shown["error_info"] == ERROR and shown["end_time"]
    assert "asset_id" not in shown["output_asset_config"]
    again = _admin(emu, f"video-jobs/{job_id}/end", {}, expect=409)
    assert again["error_code"] == "EMULATOR.0001" and "FAILED" in again["error_msg"]
    assert _admin(emu, "video-jobs/nope/end", {}, expect=404)["error_code"] == "EMULATOR.0001"


def test_next_video_jobs_end_failed_at_their_normal_end(emu) -> None:
    planned = _admin(emu, "video-jobs/end-next", {"count": 2, **ERROR})
    assert planned["pending"]["video"][0]["count"] == 2
    jobs = [_job(emu, f"doomed {i}") for i in range(2)]
    lucky = _job(emu, "lucky")
    assert httpx.get(f"{emu.base_url}/_emulator/end-next").json() == {"video": [], "live": []}

    def failed() -> list[dict] | None:
        shown = [call(emu, "Show2DDigitalHumanVideo", {"job_id": j}) for j in jobs]
        return shown if all(s["state"] == "FAILED" for s in shown) else None

    for shown in wait_for(failed):
        assert shown["error_info"] == ERROR and shown.get("start_time")  # it was PROCESSING first
    assert wait_for(lambda: call(emu, "Show2DDigitalHumanVideo", {"job_id": lucky})["state"] == "SUCCEED")


def test_default_error_info_and_bad_requests(emu) -> None:
    job_id = _job(emu, "default failure")
    assert _admin(emu, f"video-jobs/{job_id}/end")["error_info"]["error_code"] == "MSS.00010001"
    for body in ({"state": "SUCCEED"}, {"count": 0}, {"after_seconds": -1}, {"error_code": 7}):
        assert _admin(emu, "video-jobs/end-next", body, expect=400)["error_code"] == "EMULATOR.0001"
    resp = httpx.post(f"{emu.base_url}/_emulator/live-jobs/end-next", content=b"[1]")
    assert resp.status_code == 400 and "object" in resp.json()["error_msg"]
    assert httpx.get(f"{emu.base_url}/_emulator/end-next").json() == {"video": [], "live": []}


def test_a_livestream_that_never_goes_live(emu) -> None:
    _admin(emu, "live-jobs/end-next", {"error_code": "MSS.00020002", "error_msg": "push stream failed"})
    room_id = _room(emu, "never live")
    ids = {"room_id": room_id, "job_id": call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]}
    seen: set[str] = set()

    def ended() -> dict | None:
        shown = call(emu, "ShowSmartLive", ids)
        seen.add(shown["state"])
        return shown if shown["state"] == "FAILED" else None

    shown = wait_for(ended)
    assert seen <= {"WAITING", "FAILED"}, seen
    assert shown["error_info"] == {"error_code": "MSS.00020002", "error_msg": "push stream failed"}
    assert "start_time" not in shown and shown["duration"] == 0
    room = call(emu, "ListSmartLiveRooms", query={"room_name": "never live"})["smart_live_rooms"][0]
    assert room["last_job_status"] == "FAILED" and room["last_job_end_time"]


def test_a_running_livestream_ends_early_on_demand(emu) -> None:
    room_id = _room(emu, "ends early")
    ids = {"room_id": room_id, "job_id": call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]}
    wait_for(lambda: call(emu, "ShowSmartLive", ids)["state"] == "PROCESSING")
    assert _admin(emu, f"live-jobs/{ids['job_id']}/end", {"state": "SUCCEED"})["state"] == "SUCCEED"
    shown = call(emu, "ShowSmartLive", ids)
    assert shown["state"] == "SUCCEED" and "error_info" not in shown and shown["start_time"]
    call(emu, "StopSmartLive", ids, json={}, expect=400)
    _admin(emu, f"live-jobs/{ids['job_id']}/end", expect=409)
    # the room is free again, and a planned failure after some live time shows PROCESSING first
    _admin(emu, "live-jobs/end-next", {"live_seconds": 0.3})
    ids["job_id"] = call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]
    failed = wait_for(lambda: (s := call(emu, "ShowSmartLive", ids))["state"] == "FAILED" and s)
    assert failed["error_info"]["error_code"] == "MSS.00020001"
    assert failed["start_time"] and abs(failed["duration"] - 0.3) < 0.01  # it was live for 0.3 s
