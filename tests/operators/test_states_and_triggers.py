"""Unknown states raise instead of waiting forever; timeouts and failures read clearly.

MetaStudio is faked with respx here (real hook, client, signing and httpx underneath), so a
response can carry a state MetaStudio never documented.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
import respx
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

from metastudio_provider.sensors.metastudio import (
    AssetStateSensor,
    LivestreamJobSensor,
    TtsAuditionSensor,
    VideoJobSensor,
    VideoJobsSensor,
)
from metastudio_provider.states import RESOURCES, Outcome, UnknownStateError
from metastudio_provider.triggers.metastudio import MetaStudioStateTrigger, VideoJobsTrigger
from metastudio_provider.utils.waiting import event_result, poll_until

BASE = "https://metastudio.unit.invalid"
PROJECT = "0123456789abcdef0123456789abcdef"
JOB = "a" * 32
VIDEO_PATH = f"{BASE}/v1/{PROJECT}/2d-digital-human-videos/{JOB}"


@pytest.fixture
def conn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", json.dumps({
        "conn_type": "metastudio", "login": "UNITTESTAK", "password": "unit-test-secret-key",
        "extra": {"region": "cn-north-4", "project_id": PROJECT, "endpoint": BASE}}))


def first_event(trigger, timeout: float = 5.0) -> dict:
    """The trigger's first event, or a failure if it takes longer than ``timeout`` (a hang)."""
    async def first() -> dict:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("the trigger ended without an event")

    return asyncio.run(asyncio.wait_for(first(), timeout))


@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_every_resource_rejects_an_unknown_state(kind: str) -> None:
    with pytest.raises(UnknownStateError, match=rf"{kind}: unknown state 'MELTING'"):
        RESOURCES[kind].outcome("MELTING")


def test_state_sets_do_not_overlap() -> None:
    for resource in RESOURCES.values():
        assert not (resource.success & resource.failure), resource.kind
        assert not (resource.success & resource.running), resource.kind
        assert not (resource.failure & resource.running), resource.kind


def test_tts_audition_without_the_flag_is_still_running() -> None:
    """ShowTtsAuditionFile may omit ``is_file_complete`` while it works: NONE, listed as running."""
    tts = RESOURCES["tts_audition"]
    assert tts.state_of({"code": "PROCESSING"}) == "NONE"
    assert tts.outcome(tts.state_of({"code": "PROCESSING"})) is Outcome.RUNNING
    assert tts.outcome(tts.state_of({"is_file_complete": False})) is Outcome.RUNNING
    assert tts.outcome(tts.state_of({"is_file_complete": True})) is Outcome.SUCCESS


@respx.mock
def test_trigger_reports_an_unknown_state_as_an_error_event_at_once(conn) -> None:
    route = respx.get(VIDEO_PATH).mock(return_value=httpx.Response(200, json={"job_id": JOB, "state": "MELTING"}))
    trigger = MetaStudioStateTrigger("video_job", {"job_id": JOB}, poll_interval=0.05, end_time=time.time() + 60)
    event = first_event(trigger)
    assert event["status"] == "error" and "unknown state 'MELTING'" in event["message"]
    assert route.call_count == 1  # not polled again
    sensor = VideoJobSensor(task_id="s", job_id=JOB)
    with pytest.raises(AirflowException, match="unknown state 'MELTING'"):
        sensor.execute_complete({}, event)


@respx.mock
def test_poke_mode_and_polling_raise_on_an_unknown_state(conn) -> None:
    respx.get(VIDEO_PATH).mock(return_value=httpx.Response(200, json={"job_id": JOB, "state": "MELTING"}))
    sensor = VideoJobSensor(task_id="s", job_id=JOB, deferrable=False, poll_interval=0.05, timeout=5)
    started = time.monotonic()
    with pytest.raises(AirflowFailException, match="MELTING") as failed:  # no retry can make it known
        sensor.execute({})
    assert isinstance(failed.value.__cause__, UnknownStateError)
    assert time.monotonic() - started < 2
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    with pytest.raises(UnknownStateError, match="MELTING"):
        poll_until(MetaStudioHook(), "video_job", {"job_id": JOB}, timeout=5, poll_interval=0.05)


@respx.mock
def test_many_jobs_trigger_reports_an_unknown_state(conn) -> None:
    respx.get(f"{BASE}/v1/{PROJECT}/digital-human-videos").mock(return_value=httpx.Response(
        200, json={"count": 1, "jobs": [{"job_id": JOB, "state": "MELTING"}]}))
    event = first_event(VideoJobsTrigger([JOB], poll_interval=0.05, end_time=time.time() + 60))
    assert event["status"] == "error" and "MELTING" in event["message"]
    with pytest.raises(AirflowException, match="watching video jobs failed: .*MELTING"):
        VideoJobsSensor(task_id="s", job_ids=[JOB]).execute_complete({}, event)


@respx.mock
def test_trigger_times_out_with_a_clear_message(conn) -> None:
    respx.get(VIDEO_PATH).mock(return_value=httpx.Response(200, json={"job_id": JOB, "state": "PROCESSING"}))
    trigger = MetaStudioStateTrigger("video_job", {"job_id": JOB}, poll_interval=0.05, end_time=time.time() + 0.3)
    event = first_event(trigger)
    assert event["status"] == "timeout" and event["state"] == "PROCESSING"
    sensor = VideoJobSensor(task_id="s", job_id=JOB, timeout=42)
    with pytest.raises(AirflowSensorTimeout, match=rf"video_job \{{'job_id': '{JOB}'\}} still PROCESSING after 42 s"):
        sensor.execute_complete({}, event)


@respx.mock
def test_failed_job_raises_with_metastudio_error_info(conn) -> None:
    error = {"error_code": "MSS.00010001", "error_msg": "render farm on fire"}
    respx.get(VIDEO_PATH).mock(return_value=httpx.Response(
        200, json={"job_id": JOB, "state": "FAILED", "error_info": error}))
    event = first_event(MetaStudioStateTrigger("video_job", {"job_id": JOB}, poll_interval=0.05))
    assert event["status"] == "failure"
    with pytest.raises(AirflowException, match="ended FAILED: .*MSS.00010001.*render farm on fire"):
        VideoJobSensor(task_id="s", job_id=JOB).execute_complete({}, event)
    # in poke mode the first check already raises
    with pytest.raises(AirflowException, match="MSS.00010001"):
        VideoJobSensor(task_id="p", job_id=JOB, deferrable=False, poll_interval=0.05, timeout=5).execute({})


@respx.mock
def test_api_errors_become_error_events_not_hangs(conn) -> None:
    respx.get(VIDEO_PATH).mock(return_value=httpx.Response(
        404, json={"error_code": "MSS.00000004", "error_msg": "video job not found"}))
    event = first_event(MetaStudioStateTrigger("video_job", {"job_id": JOB}, poll_interval=0.05))
    assert event["status"] == "error" and "MSS.00000004" in event["message"]


def test_triggers_serialize_to_their_own_arguments() -> None:
    trigger = MetaStudioStateTrigger("live_job_ended", {"room_id": "r", "job_id": "j"}, metastudio_conn_id="c",
                                     region="cn-east-3", poll_interval=0.5, end_time=123.0)
    path, kwargs = trigger.serialize()
    assert path == "metastudio_provider.triggers.metastudio.MetaStudioStateTrigger"
    assert MetaStudioStateTrigger(**kwargs).serialize() == (path, kwargs)
    assert kwargs == {"kind": "live_job_ended", "ids": {"room_id": "r", "job_id": "j"}, "metastudio_conn_id": "c",
                      "region": "cn-east-3", "poll_interval": 0.5, "end_time": 123.0}
    many = VideoJobsTrigger(["a", "b"], metastudio_conn_id="c", poll_interval=1.0)
    assert VideoJobsTrigger(**many.serialize()[1]).serialize() == many.serialize()
    with pytest.raises(ValueError, match="unknown MetaStudio resource kind"):
        MetaStudioStateTrigger("nope", {})


def test_sensor_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="missing keyword argument 'job_id'"):
        VideoJobSensor(task_id="s")
    with pytest.raises(ValueError, match="wait_for must be"):
        LivestreamJobSensor(task_id="s", room_id="r", job_id="j", wait_for="soon")
    assert LivestreamJobSensor(task_id="s", room_id="r", job_id="j", wait_for="ended").kind == "live_job_ended"
    assert AssetStateSensor(task_id="a", asset_id="x").template_fields == ("asset_id", "metastudio_conn_id")
    assert TtsAuditionSensor(task_id="t", job_id="x").deferrable is True


def test_event_result_names_what_happened() -> None:
    ids = {"job_id": JOB}
    assert event_result({"kind": "video_job", "ids": ids, "status": "success", "response": {"x": 1}}, 1) == {"x": 1}
    with pytest.raises(AirflowException, match="no error info"):
        event_result({"kind": "video_job", "ids": ids, "status": "failure", "state": "CANCELED", "response": {}}, 1)
    with pytest.raises(AirflowException, match="boom"):
        event_result({"kind": "video_job", "ids": ids, "status": "error", "message": "boom"}, 1)


@respx.mock
def test_many_jobs_trigger_reports_a_job_that_does_not_exist(conn) -> None:
    respx.get(f"{BASE}/v1/{PROJECT}/digital-human-videos").mock(return_value=httpx.Response(
        200, json={"count": 0, "jobs": []}))
    event = first_event(VideoJobsTrigger([JOB], poll_interval=0.05, end_time=time.time() + 60), timeout=10.0)
    assert event["status"] in ("error", "failure")


def test_a_trigger_stored_under_the_live_jobs_earlier_kind_still_resumes() -> None:
    """A livestream wait deferred before ``live_job`` was renamed ``live_job_on_air``: Airflow rebuilds its
    trigger from the stored kwargs, and it must poll the same resource, not fail with an unknown kind."""
    stored = MetaStudioStateTrigger(kind="live_job", ids={"room_id": "r", "job_id": "j"})
    assert stored.kind == "live_job_on_air" and stored.serialize()[1]["kind"] == "live_job_on_air"
    with pytest.raises(ValueError, match="unknown MetaStudio resource kind"):
        MetaStudioStateTrigger(kind="live_jobs", ids={})
