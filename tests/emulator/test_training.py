"""Avatar training, voice training and TTS auditions."""

from __future__ import annotations

import httpx
import pytest

from .helpers import call, manual_clock, wait_for


def test_avatar_training(emu) -> None:
    created = call(emu, "Create2dModelTrainingJob", json={"name": "my avatar", "batch_name": "b1"})
    job_id = created["job_id"]
    assert httpx.put(created["training_video_upload_url"][0], content=b"video").status_code == 200
    assert call(emu, "Show2dModelTrainingJob", {"job_id": job_id})["state"] == "WAIT_FILE_UPLOAD"
    seen = set()

    def finished() -> dict | None:
        shown = call(emu, "Show2dModelTrainingJob", {"job_id": job_id})
        seen.add(shown["state"])
        return shown if shown["state"] == "JOB_SUCCESS" else None

    with manual_clock(emu):  # the first look sees it training, however slow the machine (training_seconds 0.5)
        result = call(emu, "Execute2dModelTrainingCommandByUser", {"job_id": job_id},
                      json={"command": "SUBMITVERIFYING"})
        assert result["commond_result"] == "EXCUTE_SUCCESS"
        finished()
    shown = wait_for(finished)
    assert seen & {"AUTO_VERIFYING", "TRAINING"}
    asset = call(emu, "ShowAsset", {"asset_id": shown["asset_id"]})
    assert asset["asset_type"] == "HUMAN_MODEL_2D" and asset["asset_state"] == "ACTIVED"
    assert call(emu, "List2dModelTrainingJob", query={"state": "JOB_SUCCESS", "batch_name": "b1"})["count"] == 1
    call(emu, "Execute2dModelTrainingCommandByUser", {"job_id": job_id}, json={"command": "SUBMITVERIFYING"},
         expect=400)
    call(emu, "Update2dModelTrainingJob", {"job_id": job_id}, json={"name": "x"}, expect=400)
    call(emu, "Delete2dModelTrainingJob", {"job_id": job_id}, expect=204)


@pytest.mark.parametrize("api,job_type", [("CreateTrainingBasicJob", "BASIC"), ("CreateTrainingMiddleJob", "MIDDLE"),
                                          ("CreateTrainingAdvanceJob", "ADVANCE")])
def test_voice_training(emu, api: str, job_type: str) -> None:
    created = call(emu, api, json={"voice_name": f"voice {job_type}", "create_type": "SEGMENT"})
    job_id = created["job_id"]
    assert httpx.put(created["training_data_uploading_url"], content=b"zip").status_code == 200
    assert created["segment_uploading_url"]["audio_uploading_url"]
    call(emu, "ConfirmTrainingSegment", query={"job_id": job_id, "index": 1}, json=None)
    assert call(emu, "ShowTrainingSegmentInfo", query={"job_id": job_id})["confirmed_index"] == [1]
    assert call(emu, "ShowVoiceTrainingJob", {"job_id": job_id})["state"] == "CREATING"
    seen = set()

    def finished() -> dict | None:
        shown = call(emu, "ShowVoiceTrainingJob", {"job_id": job_id})
        seen.add(shown["state"])
        return shown if shown["state"] == "SUCCEED" else None

    with manual_clock(emu):  # the first look sees it in progress, however slow the machine
        call(emu, "CommitVoiceTrainingJob", {"job_id": job_id})
        finished()
    shown = wait_for(finished)
    assert shown["job_type"] == job_type and seen & {"SYSTEM_AUDITING", "PROCESSING"}
    asset = call(emu, "ShowAsset", {"asset_id": shown["asset_id"]})
    assert asset["asset_type"] == "VOICE_MODEL" and asset["asset_state"] == "ACTIVED"
    listed = call(emu, "ListVoiceTrainingJob", query={"job_type": job_type, "state": "SUCCEED"})
    assert job_id in {j["job_id"] for j in listed["jobs"]}
    ops = call(emu, "ListJobOperationLog", {"job_id": job_id})
    assert "COMMIT_JOB" in {o["action"] for o in ops["operations"]}
    assert call(emu, "ShowJobUploadingAddress", {"job_id": job_id})["package_url"]["training_data_uploading_url"]
    assert call(emu, "ShowJobAuditResult", {"job_id": job_id})["system_audit_result"]["errors"] == []
    call(emu, "CommitVoiceTrainingJob", {"job_id": job_id}, expect=400)
    call(emu, "DeleteVoiceTrainingJob", {"job_id": job_id}, expect=204)


def test_tts_audition(emu) -> None:
    with manual_clock(emu):  # incomplete for 0.3 s of real time: hold the clock while checking it
        job_id = call(emu, "CreateTtsAudition", json={"text": "Hello", "emotion": "HAPPY"})["job_id"]
        assert call(emu, "ShowTtsAuditionFile", {"job_id": job_id})["is_file_complete"] is False
    done = wait_for(lambda: (s := call(emu, "ShowTtsAuditionFile", {"job_id": job_id}))["is_file_complete"] and s)
    audio = httpx.get(done["files"][0]["download_url"])
    assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
    call(emu, "CreateTtsAudition", json={"text": "Hello"}, expect=400)
