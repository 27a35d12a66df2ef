"""The livestream show's parts against the emulator over real HTTP: the show plan, the room claim and its
janitor, and the prepare and show operators executed directly (not deferrable: the watch runs in the task).
The watch trigger: test_livestream_watch.py."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pendulum
import pytest
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.checks.shows import show_problems
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.claims import Claim, Runs, Started, settle_room, stop_orphans
from metastudio_provider.livestream.window import missed_message, planned_start, show_settings, show_window
from metastudio_provider.utils.time import service_time

from .helpers import emu_call, knobs
from .livestream_helpers import (
    LIVE,
    XCOMS,
    FakeTaskInstance,
    context,
    job_state,
    prepare,
    show,
    start,
)


# -- the plan ---------------------------------------------------------------------------------------
def test_show_settings_are_checked_and_planned_in_local_time() -> None:
    assert show_problems({"show": {"start": "8pm", "duration_minutes": 0, "max_restarts": 1.5, "when": 1}}) == [
        "show: unknown key(s) when; valid keys: start, duration_minutes, max_restarts, missed_grace_minutes, "
        "live_within_minutes",
        "show.start '8pm': give a local time as \"HH:MM\" (quoted), e.g. \"20:30\"",
        "show.duration_minutes 0: must be between 0.01 and 1440",
        "show.max_restarts 1.5: expected an integer",
    ]
    assert show_problems({"show": "20:00"}) == ["show: expected a mapping, got str"]
    run_after = pendulum.datetime(2026, 12, 1, 12, 0, tz="UTC")  # 20:00 in Shanghai
    default = show_settings({})
    assert planned_start(default, run_after, True, "Asia/Shanghai") == run_after
    later = show_settings({"show": {"start": "20:30"}})
    assert planned_start(later, run_after, True, "Asia/Shanghai") == run_after.add(minutes=30)
    earlier = show_settings({"show": {"start": "19:00"}})  # the first 19:00 after the run's 20:00: tomorrow
    assert planned_start(earlier, run_after, True, "Asia/Shanghai") == run_after.add(hours=23)
    assert planned_start(later, run_after, False, "Asia/Shanghai") == run_after  # a manual run: now
    window = show_window(later, run_after, duration_minutes=0.5)
    assert window["duration_seconds"] == 30 and window["max_restarts"] == 2 and window["missed_grace_seconds"] == 600
    assert missed_message(window["starts_at"], 14 * 3600, 600, "Asia/Shanghai") == (
        "missed: planned to go live at 2026-12-01 20:00 Asia/Shanghai, now 14.0 h late (more than the 10 min "
        "grace): not started")


# -- the claim and the janitor ----------------------------------------------------------------------
def test_a_claim_is_read_back_only_with_its_runs_token() -> None:
    claim = Claim("dag", "run 1", "group.show", 3)
    room = {"priv_data": claim.priv_data(), "update_time": "2026-12-01T10:00:00Z"}
    assert Claim.of_room(room) == claim and claim.token.startswith("af-")
    forged = json.loads(claim.priv_data())
    forged["airflow_livestream"]["run_id"] = "run 2"
    assert Claim.of_room({"priv_data": json.dumps(forged)}) is None
    assert Claim.of_room({"priv_data": "a user's own data"}) is None
    assert claim.since_claim(room, {"create_time": "2026-12-01T10:00:00Z"})
    assert not claim.since_claim(room, {"create_time": "2026-12-01T09:59:58Z"})  # before the claim
    at = service_time("2026-12-01T10:00:00Z")
    assert at == datetime(2026, 12, 1, 10, tzinfo=UTC).timestamp() + 0.5 and service_time("garbage") is None
    started = Started({"j1"}, [at])  # j1 recorded; a start sent at 10:00:00 whose answer was lost
    assert started.includes({"job_id": "j1"})
    assert started.includes({"job_id": "j2", "create_time": "2026-12-01T10:00:03Z"})
    assert not started.includes({"job_id": "j3", "create_time": "2026-12-01T10:30:00Z"})  # started by hand later


def test_prepare_makes_one_room_and_claims_it_for_each_run(metastudio_conn) -> None:
    name = f"prep-{uuid.uuid4().hex[:6]}"
    first, _ = prepare(name, "run-1")
    second, ctx = prepare(name, "run-2")
    assert first["room_id"] == second["room_id"] and first["product_ids"] == second["product_ids"]
    room = emu_call(metastudio_conn, "ShowSmartLiveRoom", {"room_id": second["room_id"]})
    assert Claim.of_room(room).run_id == "run-2"  # type: ignore[union-attr]
    assert ctx["ti"].xcoms["room_id"] == second["room_id"] and abs(ctx["ti"].xcoms["clock_skew"]) < 1.5
    groups = emu_call(metastudio_conn, "ListInteractionRuleGroups", query={"group_name": f"{name}-rules"})
    assert groups["count"] == 1


def test_prepare_stops_a_finished_runs_leftover_and_refuses_a_busy_room(metastudio_conn) -> None:
    emu, name = metastudio_conn, f"left-{uuid.uuid4().hex[:6]}"
    with knobs(emu, **LIVE):
        room_id = prepare(name, "run-a")[0]["room_id"]
        leftover = start(room_id, recorded_by="run-a")  # run-a's livestream, still live when run-a ended
        prepare(name, "run-b", runs={"run-a": "failed"})
        assert job_state(emu, room_id, leftover)["state"] == "SUCCEED"
        ours = start(room_id, recorded_by="run-b")
        with pytest.raises(AirflowFailException, match="for show_tests run run-b, which is still running"):
            prepare(name, "run-c", runs={"run-b": "running"})
        prepare(name, "run-b")  # a retry of run-b's own preparation carries on
        assert job_state(emu, room_id, ours)["state"] in ("WAITING", "PROCESSING")
        MetaStudioHook().call("StopSmartLive", {"room_id": room_id, "job_id": ours})
        by_hand = start(room_id)  # after run-b ended: someone's own livestream in the room
        with pytest.raises(AirflowFailException, match="with a livestream this DAG did not start"):
            prepare(name, "run-e", runs={"run-b": "success"})
        assert job_state(emu, room_id, by_hand)["state"] in ("WAITING", "PROCESSING")  # left alone
        MetaStudioHook().call("StopSmartLive", {"room_id": room_id, "job_id": by_hand})
        hand = emu_call(emu, "CreateSmartLiveRoom", json_body={"room_name": f"{name}-by-hand"})["room_id"]
        foreign = start(hand)  # no claim: never ours, whatever runs say
        room = emu_call(emu, "ShowSmartLiveRoom", {"room_id": hand})
        with pytest.raises(AirflowFailException, match="with a livestream this DAG did not start"):
            settle_room(MetaStudioHook(), room, "show_tests", "run-d", Runs(FakeTaskInstance("run-d")), None)
        MetaStudioHook().call("StopSmartLive", {"room_id": hand, "job_id": foreign})


def test_the_janitor_stops_only_what_finished_runs_left_live(metastudio_conn) -> None:
    emu = metastudio_conn

    class Log:
        lines: list[str] = []

        def warning(self, msg: str, *args: Any) -> None:
            self.lines.append(msg % args)

    with knobs(emu, **LIVE):
        runs = {run: f"{run}-{uuid.uuid4().hex[:4]}" for run in ("done", "lost", "live", "hand")}
        rooms = {case: prepare(f"jan-{run}", run)[0]["room_id"] for case, run in runs.items()}
        # "lost": its show task sent StartSmartLive and died before the answer (an attempt without job id)
        XCOMS[("show_tests", runs["lost"], "show", -1, "start_attempts")] = [{"at": time.time(), "job_id": None}]
        jobs = {case: start(room_id, recorded_by=runs[case] if case in ("done", "live") else None)
                for case, room_id in rooms.items()}
        janitor = FakeTaskInstance("janitor", runs={runs["done"]: "success", runs["lost"]: "failed",
                                                    runs["live"]: "running", runs["hand"]: "failed"})
        stopped = stop_orphans(MetaStudioHook(), Runs(janitor), Log())
        for case in ("done", "lost"):
            assert job_state(emu, rooms[case], jobs[case])["state"] == "SUCCEED"
        for case in ("live", "hand"):  # its run still runs; started by hand, not by its run: left alone
            assert job_state(emu, rooms[case], jobs[case])["state"] in ("WAITING", "PROCESSING")
            MetaStudioHook().call("StopSmartLive", {"room_id": rooms[case], "job_id": jobs[case]})
    assert sorted(s["job_id"] for s in stopped) == sorted([jobs["done"], jobs["lost"]])
    assert any(f"left live by show_tests run {runs['done']}, which is finished" in line for line in Log.lines)


# -- the show operator (deferrable=False: the watch runs in the task) -------------------------------
def test_the_show_restarts_a_livestream_that_ends_early_then_runs_to_its_end(metastudio_conn) -> None:
    emu = metastudio_conn
    prepared, ctx = prepare(f"show-{uuid.uuid4().hex[:6]}", "show-run")
    httpx.post(f"{emu.base_url}/_emulator/live-jobs/end-next",
               json={"live_seconds": 0.4, "error_code": "MSS.00020001", "error_msg": "stream dropped"})
    with knobs(emu, **LIVE):
        # 4 s: well beyond END_TOLERANCE and MetaStudio's whole-second times, the early end is an early end
        outcome = show(prepared["room_id"], duration=4.0, max_restarts=1).execute(ctx)
    assert outcome["status"] == "success" and outcome["restarts"] == 1 and outcome["went_live"], outcome
    assert [e["status"] for e in outcome["events"]] == ["ended", "completed"]
    assert outcome["events"][0]["reason"] == "MSS.00020001: stream dropped"
    assert ctx["ti"].xcoms["outcome"] == outcome and len(outcome["job_ids"]) == 2
    assert ctx["ti"].xcoms["job_ids"] == outcome["job_ids"]
    assert [a["job_id"] for a in ctx["ti"].xcoms["start_attempts"]] == outcome["job_ids"]  # each start answered
    ends = datetime.fromisoformat(outcome["planned_end"]) - datetime.fromisoformat(outcome["live_since"])
    assert ends.total_seconds() == pytest.approx(4.0)  # the window counts from the first time it went live
    for job_id in outcome["job_ids"]:  # each start asked MetaStudio to end it by itself (Airflow gone or not)
        sent = emu.state.store.live_jobs[job_id].body["play_policy"]["live_exit_config"]
        assert sent == {"max_live_duration": 1, "auto_stop_mode": "FORCE_EXIT"}, sent


def test_the_show_fails_when_cut_short_missed_or_blocked(metastudio_conn) -> None:
    emu = metastudio_conn
    prepared, ctx = prepare(f"fail-{uuid.uuid4().hex[:6]}", "fail-run")
    room_id = prepared["room_id"]
    httpx.post(f"{emu.base_url}/_emulator/live-jobs/end-next", json={"live_seconds": 0.3, "state": "SUCCEED"})
    with knobs(emu, **LIVE), pytest.raises(AirflowFailException, match=r"cut short: .* ended SUCCEED .*budget \(0\)"):
        show(room_id, duration=30, max_restarts=0).execute(ctx)
    assert ctx["ti"].xcoms["outcome"]["status"] == "cut_short"
    late = (pendulum.now("UTC") - timedelta(minutes=30)).isoformat()
    missed_ctx = prepare(f"miss-{uuid.uuid4().hex[:6]}", "miss-run")[1]
    with pytest.raises(AirflowFailException, match="missed: .* 30 min late .* not started"):
        show(room_id, starts_at=late, missed_grace=600).execute(missed_ctx)
    foreign = start(room_id)  # in fail-run's room, after fail-run's show: not fail-run's own retry to carry on
    try:
        with pytest.raises(AirflowFailException, match="claimed by show_tests run fail-run, not this run"):
            show(room_id).execute(context("other-run"))
    finally:
        MetaStudioHook().call("StopSmartLive", {"room_id": room_id, "job_id": foreign})


def test_a_retry_carries_on_with_the_livestream_its_run_started(metastudio_conn) -> None:
    emu = metastudio_conn
    prepared, ctx = prepare(f"retry-{uuid.uuid4().hex[:6]}", "retry-run")
    with knobs(emu, **LIVE):
        first = start(prepared["room_id"])  # the first try started it, then died before recording it
        retry = context("retry-run", try_number=2)
        outcome = show(prepared["room_id"], duration=1.5).execute(retry)
    assert outcome["status"] == "success" and outcome["job_ids"] == [first] and outcome["restarts"] == 0, outcome
    assert retry["ti"].xcoms["job_ids"] == [first]  # recorded now: the janitor knows it is this run's


def test_the_emulator_blocks_with_a_reason_and_lists_a_rooms_private_data(metastudio_conn, live_room) -> None:
    emu = metastudio_conn
    job_id = start(live_room)
    answer = httpx.post(f"{emu.base_url}/_emulator/live-jobs/{job_id}/end",
                        json={"state": "BLOCKED", "block_reason": "no licence"}).json()
    assert answer["state"] == "BLOCKED" and answer["block_reason"] == "no licence"
    assert job_state(emu, live_room, job_id)["block_reason"] == "no licence"
    bad = httpx.post(f"{emu.base_url}/_emulator/live-jobs/end-next", json={"state": "FAILED", "block_reason": "x"})
    assert bad.status_code == 400 and "block_reason" in bad.json()["error_msg"]
    rooms = emu_call(emu, "ListSmartLiveRooms", query={"limit": 100})["smart_live_rooms"]
    listed = next(r for r in rooms if r["room_id"] == live_room)
    assert Claim.of_room(listed) is not None  # priv_data is listed, as SmartLiveRoomBaseInfo declares it


def test_the_show_judges_an_early_end_by_metastudios_end_time() -> None:
    """An "ended" event seen after the planned end is cut short, never restarted; one that ended within
    END_TOLERANCE of its end ran to its end."""
    now = time.time()
    seen_late = {"room_id": "r", "job_id": "j", "status": "ended", "state": "SUCCEED", "reason": "",
                 "live_since": now - 70, "ends_at": now - 10, "ended_at": now - 40}
    ctx = context("judge-run")
    with pytest.raises(AirflowFailException, match="ended SUCCEED 30 s before its end .*seen only after its planned"):
        show("r", duration=60, max_restarts=2).watched(ctx, seen_late)
    assert ctx["ti"].xcoms["outcome"]["status"] == "cut_short" and ctx["ti"].xcoms["outcome"]["restarts"] == 0
    on_time = {**seen_late, "state": "FAILED", "ended_at": now - 11}
    assert show("r", duration=60).watched(context("judge-run-2"), on_time)["status"] == "success"


def test_a_deferred_show_carries_its_state_as_one_json_value(metastudio_conn) -> None:
    """Deferrable: the wait for the start and the watch each defer with ``{"state": ...}`` (one JSON value),
    and the show resumes from it as Airflow resumes a task (``resume_execution``)."""
    from airflow.sdk.exceptions import TaskDeferred

    from metastudio_provider.livestream.show import LivestreamShowOperator
    from metastudio_provider.livestream.steps import ShowState

    def deferrable(room_id: str, **kwargs: Any) -> LivestreamShowOperator:
        return LivestreamShowOperator(task_id="show", room_id=room_id, deferrable=True, poll_interval=0.2, **kwargs)

    prepared, ctx = prepare(f"defer-{uuid.uuid4().hex[:6]}", "defer-run")
    room_id, soon = prepared["room_id"], (pendulum.now("UTC") + timedelta(minutes=5)).isoformat()
    with pytest.raises(TaskDeferred) as waiting:
        deferrable(room_id, duration=60, starts_at=soon).execute(ctx)
    assert waiting.value.method_name == "go_live" and set(waiting.value.kwargs or {}) == {"state"}
    state = ShowState.from_json(json.loads(json.dumps(waiting.value.kwargs["state"])))  # type: ignore[index]
    assert state.plan.room_id == room_id
    assert datetime.fromisoformat(state.plan.starts_at) == datetime.fromisoformat(soon)
    with knobs(metastudio_conn, **LIVE), pytest.raises(TaskDeferred) as watching:
        deferrable(room_id, duration=60).execute(ctx)
    deferred = watching.value
    assert deferred.method_name == "watched" and set(deferred.kwargs or {}) == {"state"}
    carried = json.loads(json.dumps(deferred.kwargs))
    (job_id,) = carried["state"]["job_ids"]
    assert deferred.trigger.serialize()[0] == "metastudio_provider.triggers.livestream.LivestreamWatchTrigger"
    MetaStudioHook().call("StopSmartLive", {"room_id": room_id, "job_id": job_id})
    now = time.time()
    event = {"room_id": room_id, "job_id": job_id, "status": "completed", "state": "SUCCEED", "reason": "",
             "live_since": now - 60, "ends_at": now, "stopped_at": now + 0.2, "ended_at": now + 0.2}
    outcome = deferrable(room_id, duration=60).resume_execution("watched", {**carried, "event": event}, ctx)
    assert outcome["status"] == "success" and outcome["job_ids"] == [job_id] and outcome["stop_delay_seconds"] == 0.2
    assert ctx["ti"].xcoms["outcome"] == outcome


def test_a_start_whose_answer_is_lost_goes_live_once(metastudio_conn) -> None:
    """StartSmartLive starts the job, then answers 500 (the response lost): the show looks at its claimed
    room, finds the job it made there, and carries on with it: one livestream, the show runs to its end."""
    emu = metastudio_conn
    prepared, ctx = prepare(f"lost-{uuid.uuid4().hex[:6]}", "lost-answer-run")
    fault = {"api": "StartSmartLive", "mode": "error_after_commit", "status": 500, "count": 1}
    httpx.post(f"{emu.base_url}/_emulator/faults", json=fault).raise_for_status()
    with knobs(emu, **LIVE):
        outcome = show(prepared["room_id"], duration=1.5).execute(ctx)
    assert outcome["status"] == "success" and outcome["went_live"], outcome
    jobs = [j for j in emu.state.store.live_jobs.values() if j.room_id == prepared["room_id"]]
    assert len(jobs) == 1 and outcome["job_ids"] == [jobs[0].job_id], (outcome, [j.job_id for j in jobs])
    attempts = ctx["ti"].xcoms["start_attempts"]
    assert len(attempts) == 1 and attempts[0]["job_id"] is None  # answered by looking, not by the reply
