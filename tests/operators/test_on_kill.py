"""``on_kill`` of the workflow operators: undo what this task started, and nothing else.

The operators are executed directly (not in a DAG run) with a small stand-in for the task
instance, then killed; the outcome is read back from the emulator.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.livestream.start_stop import StartLivestreamOperator
from metastudio_provider.operators.videos import CreateVideoOperator

from .helpers import emu_call, knobs


class FakeTaskInstance:
    """What the operators use of ``context["ti"]``."""

    def __init__(self, task_id: str, try_number: int = 1, run_id: str | None = None) -> None:
        self.dag_id = "on_kill_tests"
        self.run_id = run_id or f"manual__{uuid.uuid4().hex}"
        self.task_id = task_id
        self.map_index = -1
        self.try_number = try_number
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value


def context(task_id: str, **kwargs: Any) -> dict[str, Any]:
    return {"ti": FakeTaskInstance(task_id, **kwargs)}


@pytest.fixture
def script(metastudio_conn) -> dict[str, Any]:
    def system(asset_type: str) -> str:
        query = {"asset_type": asset_type, "asset_source": "SYSTEM", "limit": 1}
        return emu_call(metastudio_conn, "ListAssets", query=query)["assets"][0]["asset_id"]

    return {"model_asset_id": system("HUMAN_MODEL_2D"), "voice_config": {"voice_asset_id": system("VOICE_MODEL")},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT",
                                                                  "text_config": {"text": "kill me"}}}]}


def video_state(emu: Any, job_id: str) -> str:
    return emu_call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})["state"]


def test_create_video_on_kill_cancels_a_waiting_job(metastudio_conn, script) -> None:
    emu = metastudio_conn
    op = CreateVideoOperator(task_id="killed_video", script=script, wait=False)
    op.on_kill()  # nothing started yet: nothing to do, no error
    with knobs(emu, job_seconds=30.0):  # WAITING for 6 s
        ctx = context("killed_video")
        out = op.execute(ctx)
        assert op.job_id == out["job_id"] == ctx["ti"].xcoms["job_id"]
        assert video_state(emu, op.job_id) == "WAITING"
        op.on_kill()
        assert video_state(emu, op.job_id) == "CANCELED"


def test_create_video_on_kill_leaves_a_processing_job_alone(metastudio_conn, script) -> None:
    emu = metastudio_conn
    op = CreateVideoOperator(task_id="late_kill", script=script, wait=False)
    with knobs(emu, job_seconds=3.0):  # WAITING 0.6 s, then PROCESSING until 3 s
        op.execute(context("late_kill"))
        deadline = time.monotonic() + 5
        while video_state(emu, op.job_id) == "WAITING":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        op.on_kill()  # MetaStudio cancels only WAITING jobs: no call, no error
        assert video_state(emu, op.job_id) in ("PROCESSING", "SUCCEED")


@pytest.fixture
def room(metastudio_conn, script) -> str:
    body = {"room_name": f"on-kill-{uuid.uuid4().hex[:8]}", "scene_scripts": [{
        "script_name": "scene", "model_asset_id": script["model_asset_id"], "voice_config": script["voice_config"],
        "shoot_scripts": [{"sequence_no": 0, "text_config": {"text": "hi"}}]}]}
    return emu_call(metastudio_conn, "CreateSmartLiveRoom", json_body=body)["room_id"]


def live_jobs(emu: Any, room_id: str) -> dict[str, str]:
    jobs = emu_call(emu, "ListSmartLive", {"room_id": room_id}, query={"limit": 100})["smart_live_jobs"]
    return {j["job_id"]: j["state"] for j in jobs}


def test_start_livestream_on_kill_stops_the_livestream_it_started(metastudio_conn, room) -> None:
    emu = metastudio_conn
    op = StartLivestreamOperator(task_id="killed_live", room_id=room, wait_until_live=False)
    op.on_kill()  # nothing started: no call
    ctx = context("killed_live")
    out = op.execute(ctx)
    assert op.started_job_id == out["job_id"] == ctx["ti"].xcoms["job_id"]
    assert live_jobs(emu, room) in ({out["job_id"]: "WAITING"}, {out["job_id"]: "PROCESSING"})  # 2-s start
    op.on_kill()
    assert live_jobs(emu, room) == {out["job_id"]: "SUCCEED"}


def test_start_livestream_on_kill_never_stops_a_livestream_it_adopted(metastudio_conn, room) -> None:
    emu = metastudio_conn
    first = StartLivestreamOperator(task_id="first", room_id=room, wait_until_live=False)
    started = first.execute(context("first"))["job_id"]

    with pytest.raises(AirflowFailException, match=f"already live \\(job {started}"):
        StartLivestreamOperator(task_id="second", room_id=room, wait_until_live=False).execute(context("second"))
    adopter = StartLivestreamOperator(task_id="adopter", room_id=room, if_live="adopt", wait_until_live=False)
    assert adopter.execute(context("adopter"))["job_id"] == started
    retried = StartLivestreamOperator(task_id="first", room_id=room, wait_until_live=False)
    assert retried.execute(context("first", try_number=2))["job_id"] == started  # a retry adopts too
    adopter.on_kill()  # it did not start it: it must not stop it
    jobs = live_jobs(emu, room)
    assert list(jobs) == [started] and jobs[started] in ("WAITING", "PROCESSING")  # still live
    first.on_kill()
    assert live_jobs(emu, room) == {started: "SUCCEED"}
