"""Video scripts and video jobs: lifecycle, output asset, cancel, list filters, failures."""

from __future__ import annotations

import httpx

from metastudio_emulator.testing import running_emulator

from .helpers import call, manual_clock, system_asset, wait_for


def _script(emu) -> str:
    body = {"script_name": "demo", "model_asset_id": system_asset(emu, "HUMAN_MODEL_2D"),
            "voice_config": {"voice_asset_id": system_asset(emu, "VOICE_MODEL")},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT",
                                                                  "text_config": {"text": "Hello world"}}}]}
    return call(emu, "CreateVideoScripts", json=body)["script_id"]


def _job(emu, name: str = "out") -> str:
    return call(emu, "Create2DDigitalHumanVideo", json={"script_id": _script(emu),
                                                        "output_asset_config": {"asset_name": name}})["job_id"]


def test_scripts_crud(emu) -> None:
    script_id = _script(emu)
    shown = call(emu, "ShowVideoScript", {"script_id": script_id})
    assert shown["voice_config"]["voice_asset_id"] and shown["script_name"] == "demo"
    call(emu, "UpdateVideoScript", {"script_id": script_id}, json={"script_name": "demo2"})
    copy_id = call(emu, "CopyVideoScripts", {"script_id": script_id})["script_id"]
    listed = call(emu, "ListVideoScripts", query={"name": "demo2"})
    assert {s["script_id"] for s in listed["video_scripts"]} == {script_id, copy_id}
    call(emu, "DeleteVideoScript", {"script_id": copy_id}, expect=204)
    bad = call(emu, "CreateVideoScripts", json={"model_asset_id": "nope"}, expect=400)
    assert "model_asset_id" in bad["error_msg"]


def test_video_job_lifecycle(emu) -> None:
    with manual_clock(emu) as clock:  # job_seconds 0.5: WAITING 0.1 s, PROCESSING until 0.5 s
        job_id = _job(emu, "my video")
        states = []
        for step in (0.0, 0.15, 0.4):
            clock.advance(step)
            states.append(call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})["state"])
        assert states == ["WAITING", "PROCESSING", "SUCCEED"]
        shown = call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})
    asset_id = shown["output_asset_config"]["asset_id"]
    asset = call(emu, "ShowAsset", {"asset_id": asset_id})
    assert asset["asset_type"] == "VIDEO" and asset["asset_state"] == "ACTIVED" and asset["asset_name"] == "my video"
    main = [f for f in asset["files"] if f["asset_file_category"] == "MAIN"][0]
    assert httpx.get(main["download_url"]).content.startswith(b"\x00\x00\x00\x18ftyp")


def test_cancel_only_while_waiting(emu) -> None:
    with manual_clock(emu) as clock:
        waiting = _job(emu)
        call(emu, "Cancel2DDigitalHumanVideo", {"job_id": waiting})
        assert call(emu, "Show2DDigitalHumanVideo", {"job_id": waiting})["state"] == "CANCELED"
        running = _job(emu)
        clock.advance(0.15)
        assert call(emu, "Show2DDigitalHumanVideo", {"job_id": running})["state"] == "PROCESSING"
        body = call(emu, "Cancel2DDigitalHumanVideo", {"job_id": running}, expect=400)
    assert body["error_code"].startswith("MSS.") and "WAITING" in body["error_msg"]


def test_list_with_repeated_job_ids(emu) -> None:
    a, b, c = _job(emu, "alpha"), _job(emu, "beta"), _job(emu, "gamma")
    body = call(emu, "ListDigitalHumanVideo", query=[("job_ids", a), ("job_ids", b), ("limit", "10")])
    assert {j["job_id"] for j in body["jobs"]} == {a, b} and body["count"] == 2
    assert call(emu, "ListDigitalHumanVideo", query={"job_id": c})["jobs"][0]["job_id"] == c
    assert call(emu, "ListDigitalHumanVideo", query={"asset_name": "gamma"})["count"] >= 1
    by_state = call(emu, "ListDigitalHumanVideo", query={"state": "WAITING,PROCESSING", "job_ids": [a, b, c]})
    assert all(j["state"] in ("WAITING", "PROCESSING") for j in by_state["jobs"])
    paged = call(emu, "ListDigitalHumanVideo", query={"job_ids": [a, b, c], "offset": 1, "limit": 1})
    assert paged["count"] == 3 and len(paged["jobs"]) == 1


def test_failure_rate_one_fails_every_job() -> None:
    with running_emulator(job_seconds=0.3, failure_rate=1.0, throttle=False) as emu:
        job_id = _job(emu)
        shown = wait_for(lambda: (s := call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id}))["state"] == "FAILED"
                         and s)
        assert shown["error_info"]["error_code"] and "asset_id" not in shown["output_asset_config"]
