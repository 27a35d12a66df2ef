"""The livestream watch trigger against the emulator over real HTTP, run with asyncio here
(tests/integration runs it in the real triggerer)."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.utils.time import service_time

from .helpers import knobs
from .livestream_helpers import (
    LIVE,
    context,
    end_job,
    first_event,
    job_state,
    show,
    start,
    wait_live,
    watch,
)


# -- the watch trigger ------------------------------------------------------------------------------
def test_the_watch_stops_the_show_its_duration_after_metastudios_start_time(metastudio_conn, live_room) -> None:
    emu = metastudio_conn
    with knobs(emu, **LIVE):  # (the emulator computes a job's times with its current settings)
        job_id = start(live_room)
        event = first_event(watch(live_room, job_id, duration=1.5))
        shown = job_state(emu, live_room, job_id)
    assert event["status"] == "completed" and event["state"] == "SUCCEED", event
    assert -0.6 <= shown["duration"] - 1.5 <= 1.0, shown  # live 1.5 s, from MetaStudio's start_time
    assert event["live_since"] == pytest.approx(service_time(shown["start_time"]), abs=0.01)
    assert 0 <= event["stopped_at"] - event["ends_at"] < 1.0
    cls, kwargs = watch(live_room, job_id, duration=1.5, ends_at=1.0).serialize()
    assert cls == "metastudio_provider.triggers.livestream.LivestreamWatchTrigger" and kwargs["ends_at"] == 1.0
    json.dumps(event)


def test_the_watch_reports_an_early_end_with_metastudios_reason(metastudio_conn, live_room) -> None:
    emu = metastudio_conn
    with knobs(emu, **LIVE):
        job_id = start(live_room)
        wait_live(emu, live_room, job_id)
        end_job(emu, job_id, state="BLOCKED", block_reason="banned words in the script")
        event = first_event(watch(live_room, job_id, duration=60))
        assert event["status"] == "ended" and event["state"] == "BLOCKED", event
        assert event["reason"] == "block_reason=banned words in the script"
        assert event["ends_at"] == pytest.approx(event["live_since"] + 60)  # the window still counts from going live
        second = start(live_room)
        wait_live(emu, live_room, second)
        end_job(emu, second, error_code="MSS.00020009", error_msg="encoder crashed")
        assert first_event(watch(live_room, second, duration=60))["reason"] == "MSS.00020009: encoder crashed"


def test_a_watch_resumed_after_its_end_stops_at_once_and_on_kill_stops(metastudio_conn, live_room) -> None:
    emu = metastudio_conn
    with knobs(emu, **LIVE):
        job_id = start(live_room)
        began = time.monotonic()
        event = first_event(watch(live_room, job_id, duration=60, ends_at=time.time() - 30))  # the end passed
        assert event["status"] == "completed" and time.monotonic() - began < 5, event
        killed = start(live_room)
        trigger = watch(live_room, killed, duration=60)
        asyncio.run(trigger.on_kill())  # a user killed the deferred task: stop it
        assert job_state(emu, live_room, killed)["state"] == "SUCCEED"


def test_a_livestream_that_ended_early_but_was_seen_only_after_its_end_is_cut_short(
        metastudio_conn, live_room, monkeypatch) -> None:
    """The watch first looks after the planned end (a triggerer was down): the job had ended by itself long
    before. MetaStudio's end_time decides, not when it was seen: "ended", and a retry after the end says
    cut short; neither "completed" nor success."""
    import metastudio_provider.triggers.livestream as watch_module

    emu = metastudio_conn
    with knobs(emu, **LIVE):
        job_id = start(live_room)
        wait_live(emu, live_room, job_id)
        end_job(emu, job_id, state="SUCCEED")  # it exits by itself at once
        ends_at = time.time() + 3.5
        # the first look comes after the end
        monkeypatch.setattr("metastudio_provider.livestream.watch.FIRST_LOOK", 3.7)
        event = first_event(watch(live_room, job_id, duration=60, ends_at=ends_at))
        shown = job_state(emu, live_room, job_id)
        assert event["status"] == "ended" and event["state"] == "SUCCEED" and event["stopped_at"] is None, event
        assert event["ended_at"] == pytest.approx(service_time(shown["end_time"]), abs=0.01)
        assert ends_at - event["ended_at"] > watch_module.END_TOLERANCE
        # the show's retry, after its end (3 s from going live): what MetaStudio recorded decides
        retry = context("watch-run", try_number=2)
        with pytest.raises(AirflowFailException, match=rf"cut short: livestream {job_id} ended SUCCEED \d+ s before"):
            show(live_room, duration=3.0).execute(retry)
    assert retry["ti"].xcoms["outcome"]["status"] == "cut_short"


def test_a_livestream_not_live_in_time_is_stopped(metastudio_conn, live_room) -> None:
    emu = metastudio_conn
    with knobs(emu, live_start_seconds=30.0):
        job_id = start(live_room)
        event = first_event(watch(live_room, job_id, duration=60, live_by=time.time() + 1.5))
    assert event["status"] == "not_live" and event["state"] == "SUCCEED", event
    assert event["live_since"] is None


def test_on_kill_leaves_the_show_live_when_the_trigger_only_moved_to_another_triggerer(
        metastudio_conn, live_room, monkeypatch) -> None:
    """Airflow 3.3.2 calls on_kill on a triggerer that stalled and lost its trigger to another: the task is
    still deferred there, so the show goes on; once the task is no longer deferred (a user's action), it stops.
    (The task's state is what the triggerer's supervisor answers: RuntimeTaskInstance.get_task_states.)"""
    from types import SimpleNamespace

    from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance

    emu, asked = metastudio_conn, []
    state = {"value": "deferred"}

    def task_states(**query):
        asked.append(query)
        return {"run-1": {"livestream.show_0": state["value"]}}

    monkeypatch.setattr(RuntimeTaskInstance, "get_task_states", staticmethod(task_states))
    with knobs(emu, **LIVE):
        job_id = start(live_room)
        wait_live(emu, live_room, job_id)
        trigger = watch(live_room, job_id, duration=60)
        trigger.task_instance = SimpleNamespace(dag_id="d", run_id="run-1", task_id="livestream.show", map_index=0)
        asyncio.run(trigger.on_kill())  # moved to another triggerer: still deferred
        assert job_state(emu, live_room, job_id)["state"] == "PROCESSING"
        assert asked == [{"dag_id": "d", "map_index": 0, "task_ids": ["livestream.show"], "run_ids": ["run-1"]}]
        state["value"] = "failed"  # marked failed by a user
        asyncio.run(trigger.on_kill())
        assert job_state(emu, live_room, job_id)["state"] == "SUCCEED"
