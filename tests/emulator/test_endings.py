"""Admin API for scripted job endings: a video job FAILED with error_info, a livestream that fails or ends early."""

from __future__ import annotations

import httpx

from .helpers import call, manual_clock
from .test_live import _room
from .test_videos import _job

ERROR = {"error_code": "MSS.00012345", "error_msg": "avatar model is broken"}


def _admin(emu, path: str, body: dict | None = None, expect: int = 200) -> dict:
    resp = httpx.post(f"{emu.base_url}/_emulator/{path}", json=body)
    assert resp.status_code == expect, resp.text
    return resp.json()


def test_a_given_video_job_ends_failed_now(emu) -> None:
    with manual_clock(emu):  # still running when ended, however slow the machine (job_seconds 0.5)
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
    with manual_clock(emu) as clock:  # job_seconds 0.5
        jobs = [_job(emu, f"doomed {i}") for i in range(2)]
        lucky = _job(emu, "lucky")
        assert httpx.get(f"{emu.base_url}/_emulator/end-next").json() == {"video": [], "live": []}
        clock.advance(0.3)
        assert {call(emu, "Show2DDigitalHumanVideo", {"job_id": j})["state"] for j in jobs} == {"PROCESSING"}
        clock.advance(0.3)
        for job_id in jobs:
            shown = call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})
            assert shown["state"] == "FAILED" and shown["error_info"] == ERROR and shown["start_time"]
        assert call(emu, "Show2DDigitalHumanVideo", {"job_id": lucky})["state"] == "SUCCEED"


def test_default_error_info_and_bad_requests(emu) -> None:
    with manual_clock(emu):
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
    with manual_clock(emu) as clock:  # live_start_seconds 0.2
        ids = {"room_id": room_id, "job_id": call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]}
        assert call(emu, "ShowSmartLive", ids)["state"] == "WAITING"
        clock.advance(0.25)
        shown = call(emu, "ShowSmartLive", ids)
        room = call(emu, "ListSmartLiveRooms", query={"room_name": "never live"})["smart_live_rooms"][0]
    assert shown["state"] == "FAILED"
    assert shown["error_info"] == {"error_code": "MSS.00020002", "error_msg": "push stream failed"}
    assert "start_time" not in shown and shown["duration"] == 0
    assert room["last_job_status"] == "FAILED" and room["last_job_end_time"]


def test_a_running_livestream_ends_early_on_demand(emu) -> None:
    room_id = _room(emu, "ends early")
    with manual_clock(emu) as clock:
        ids = {"room_id": room_id, "job_id": call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]}
        clock.advance(0.25)
        assert call(emu, "ShowSmartLive", ids)["state"] == "PROCESSING"
        assert _admin(emu, f"live-jobs/{ids['job_id']}/end", {"state": "SUCCEED"})["state"] == "SUCCEED"
        shown = call(emu, "ShowSmartLive", ids)
        assert shown["state"] == "SUCCEED" and "error_info" not in shown and shown["start_time"]
        call(emu, "StopSmartLive", ids, json={}, expect=400)
        _admin(emu, f"live-jobs/{ids['job_id']}/end", expect=409)
        # the room is free again; a planned failure after 3 s live shows PROCESSING first
        _admin(emu, "live-jobs/end-next", {"live_seconds": 3})
        ids["job_id"] = call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]
        clock.advance(2)
        assert call(emu, "ShowSmartLive", ids)["state"] == "PROCESSING"
        clock.advance(2)
        failed = call(emu, "ShowSmartLive", ids)
    assert failed["state"] == "FAILED" and failed["error_info"]["error_code"] == "MSS.00020001"
    assert failed["start_time"] and failed["duration"] == 3
