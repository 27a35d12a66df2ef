"""The show's decisions (``livestream.steps.next_step``), each a plain call with a state, an event and a time:
no Airflow, no emulator, no clock. The operator that executes the steps: test_livestream_show.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from metastudio_provider.livestream.statuses import ShowStatus, WatchStatus
from metastudio_provider.livestream.steps import (
    END_TOLERANCE,
    MAX_UNKNOWN_STARTS,
    Event,
    Fail,
    Finish,
    GoLive,
    HistoryEntry,
    Job,
    LookAtRoom,
    Plan,
    Restart,
    RoomSeen,
    ShowState,
    StartAttempt,
    Started,
    StartUnknown,
    Step,
    WaitForStart,
    Watch,
    WatchEvent,
    live_exit_hours,
    next_step,
    with_live_exit,
)

START = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()  # 20:00 in Shanghai
PLAN = Plan(room_id="room-1", starts_at="2026-12-01T12:00:00+00:00", duration=600.0, missed_grace=600.0,
            max_restarts=2, live_within=60.0, clock_skew=0.4)
NEW = ShowState(plan=PLAN)
EMPTY_ROOM = RoomSeen(name="evening-deals")
LIVE_SINCE = START + 20  # the first job went live 20 s after the planned start
ENDS_AT = LIVE_SINCE + PLAN.duration


def watching(restarts: int = 0, job_ids: tuple[str, ...] = ("j1",), live_since: float | None = LIVE_SINCE) -> ShowState:
    """A show watching its last job."""
    attempts = tuple(StartAttempt(START + i, j) for i, j in enumerate(job_ids))
    return replace(NEW, restarts=restarts, job_ids=job_ids, live_since=live_since, start_attempts=attempts)


def ended(job_id: str = "j1", *, at: float, state: str = "FAILED", reason: str = "MSS.00020001: stream dropped",
          live_since: float | None = LIVE_SINCE) -> WatchEvent:
    return WatchEvent(status=WatchStatus.ENDED, job_id=job_id, state=state, reason=reason, live_since=live_since,
                      ends_at=live_since + PLAN.duration if live_since is not None else None, ended_at=at)


# -- the start ----------------------------------------------------------------------------------------
def test_before_its_start_the_show_waits_for_it() -> None:
    step = next_step(NEW, None, START - 90)
    assert isinstance(step, WaitForStart) and step.until == START and step.state == NEW


def test_at_its_start_the_show_looks_at_its_room() -> None:
    assert isinstance(next_step(NEW, None, START - 0.5), LookAtRoom)  # under a second early: no wait
    assert isinstance(next_step(NEW, None, START + 30), LookAtRoom)


def test_on_time_it_goes_live() -> None:
    step = next_step(NEW, EMPTY_ROOM, START + 2)
    assert isinstance(step, GoLive) and step.state.restarts == 0 and step.state.job_ids == ()
    assert step.state.live_since is None and step.state.ends_at is None  # the window starts when it goes live


def test_late_within_its_grace_it_goes_live_for_its_full_duration() -> None:
    step = next_step(NEW, EMPTY_ROOM, START + 599)
    assert isinstance(step, GoLive)


def test_later_than_its_grace_it_is_missed_and_not_started() -> None:
    step = next_step(NEW, EMPTY_ROOM, START + 1800)
    assert isinstance(step, Fail) and step.stop_job_id is None
    assert step.outcome["status"] == ShowStatus.MISSED == "missed" and step.outcome["went_live"] is False
    assert step.outcome["message"] == ("missed: planned to go live at 2026-12-01 12:00 UTC, now 30 min late "
                                       "(more than the 10 min grace): not started")
    assert step.outcome["room_id"] == "room-1"


def test_a_retry_carries_on_with_its_runs_live_job_even_after_the_grace() -> None:
    room = RoomSeen(name="r", ours=(Job("j1", "FAILED", LIVE_SINCE, LIVE_SINCE + 5),
                                    Job("j2", "PROCESSING", LIVE_SINCE + 8)))
    step = next_step(NEW, room, START + 1800)
    assert isinstance(step, Watch) and step.carried_on and step.job_id == "j2"
    assert step.state.restarts == 1 and step.state.job_ids == ("j1", "j2")
    assert step.state.live_since == LIVE_SINCE and step.state.ends_at == ENDS_AT  # from the first time it went live
    assert step.live_by == START + 1800 + PLAN.live_within


def test_a_retry_restarts_when_its_runs_job_ended_and_budget_is_left() -> None:
    room = RoomSeen(name="r", ours=(Job("j1", "FAILED", LIVE_SINCE, LIVE_SINCE + 5),))
    step = next_step(NEW, room, LIVE_SINCE + 60)
    assert isinstance(step, Restart) and step.state.restarts == 1 and step.state.job_ids == ("j1",)


def test_a_retry_whose_budget_is_spent_is_cut_short() -> None:
    jobs = tuple(Job(f"j{i}", "FAILED", LIVE_SINCE + 10 * i, LIVE_SINCE + 10 * i + 5) for i in range(3))
    step = next_step(NEW, RoomSeen(name="r", ours=jobs), LIVE_SINCE + 60)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.CUT_SHORT
    assert step.outcome["message"] == "3 livestream(s) already ended early: restart budget (2) spent"
    assert step.outcome["restarts"] == 2 and step.outcome["job_ids"] == ["j0", "j1", "j2"]


def test_a_retry_after_the_end_reads_what_metastudio_recorded() -> None:
    at_its_end = RoomSeen(name="r", ours=(Job("j1", "SUCCEED", LIVE_SINCE, ENDS_AT - 0.5),))
    step = next_step(NEW, at_its_end, ENDS_AT + 100)
    assert isinstance(step, Finish) and step.outcome["status"] == ShowStatus.SUCCESS
    assert step.outcome["message"] == "the show had already run to its end"
    early = RoomSeen(name="r", ours=(Job("j1", "SUCCEED", LIVE_SINCE, ENDS_AT - 300),))
    step = next_step(NEW, early, ENDS_AT + 100)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.CUT_SHORT
    assert step.outcome["message"] == "cut short: livestream j1 ended SUCCEED 300 s before its end"
    step = next_step(NEW, RoomSeen(name="r", ours=(Job("j1", "FAILED", LIVE_SINCE),)), ENDS_AT + 100)
    assert isinstance(step, Fail) and step.outcome["message"].endswith("ended FAILED at an unknown time")


# -- blocked --------------------------------------------------------------------------------------------
def test_a_room_claimed_by_another_run_is_blocked() -> None:
    step = next_step(NEW, RoomSeen(name="evening-deals", claimed_by="daily run scheduled__x"), START)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.BLOCKED == "blocked"
    assert step.outcome["message"] == "blocked: room evening-deals is claimed by daily run scheduled__x, not this run"


def test_a_room_live_with_a_job_this_run_did_not_start_is_blocked() -> None:
    step = next_step(NEW, RoomSeen(name="evening-deals", foreign=(Job("hand", "PROCESSING"),)), START)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.BLOCKED and step.stop_job_id is None
    assert "already live with job hand (PROCESSING), which this run did not start" in step.outcome["message"]


# -- started, then watched --------------------------------------------------------------------------------
def test_a_started_job_is_recorded_and_watched() -> None:
    step = next_step(replace(NEW, restarts=1, job_ids=("j1",)), Started(job_id="j2", at=START + 0.4), START + 2)
    assert isinstance(step, Watch) and step.job_id == "j2" and not step.carried_on
    assert step.state.job_ids == ("j1", "j2") and step.state.start_attempts == (StartAttempt(START + 0.4, "j2"),)
    assert step.live_by == START + 2 + PLAN.live_within


def test_stopped_at_its_end_is_a_success() -> None:
    event = WatchEvent(status=WatchStatus.COMPLETED, job_id="j1", state="SUCCEED", live_since=LIVE_SINCE,
                       ends_at=ENDS_AT, stopped_at=ENDS_AT + 0.3)
    step = next_step(watching(), event, ENDS_AT + 1)
    assert isinstance(step, Finish)
    outcome = step.outcome
    assert outcome["status"] == "success" and outcome["message"] == "live until its planned end"
    assert outcome["went_live"] and outcome["stop_delay_seconds"] == 0.3 and outcome["restarts"] == 0
    assert outcome["live_since"] == "2026-12-01T12:00:20.000+00:00"
    assert outcome["planned_end"] == "2026-12-01T12:10:20.000+00:00"
    assert outcome["events"] == [{"at": "2026-12-01T12:10:21.000+00:00", "job_id": "j1", "status": "completed",
                                  "state": "SUCCEED", "reason": ""}]
    json.dumps(outcome)  # an XCom


def test_stopped_at_its_end_but_failed_is_an_error() -> None:
    event = WatchEvent(status=WatchStatus.COMPLETED, job_id="j1", state="FAILED", live_since=LIVE_SINCE,
                       ends_at=ENDS_AT, stopped_at=ENDS_AT)
    step = next_step(watching(), event, ENDS_AT + 1)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.ERROR
    assert step.outcome["message"] == "livestream j1 was stopped at its end but reports FAILED"


def test_ended_at_its_end_within_the_tolerance_is_a_success() -> None:
    step = next_step(watching(), ended(at=ENDS_AT - END_TOLERANCE + 0.1), ENDS_AT + 2)
    assert isinstance(step, Finish) and step.outcome["status"] == ShowStatus.SUCCESS
    assert step.warning.startswith("Livestream j1 ended FAILED 1 s before its end")


def test_ended_early_with_restarts_left_restarts() -> None:
    step = next_step(watching(), ended(at=LIVE_SINCE + 30), LIVE_SINCE + 31)
    assert isinstance(step, Restart) and step.state.restarts == 1
    assert step.warning == "Livestream j1 ended FAILED 570 s before its end: MSS.00020001: stream dropped"
    assert step.state.ends_at == ENDS_AT  # the show still ends at its first planned end
    (seen,) = step.state.history
    assert seen == HistoryEntry(at="2026-12-01T12:00:51.000+00:00", job_id="j1", status=WatchStatus.ENDED,
                                state="FAILED", reason="MSS.00020001: stream dropped")


def test_ended_early_with_no_restart_left_is_cut_short() -> None:
    step = next_step(watching(restarts=2, job_ids=("j1", "j2", "j3")), ended("j3", at=LIVE_SINCE + 300,
                                                                              state="BLOCKED", reason="no licence"),
                     LIVE_SINCE + 301)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.CUT_SHORT == "cut_short"
    assert step.outcome["message"] == ("cut short: livestream j3 ended BLOCKED 300 s before its end (no licence); "
                                       "restart budget (2) spent")
    assert step.outcome["restarts"] == 2 and step.outcome["job_ids"] == ["j1", "j2", "j3"]
    assert step.outcome["ended_at"] == "2026-12-01T12:05:20.000+00:00" and step.stop_job_id is None


def test_ended_early_but_seen_only_after_its_end_is_cut_short_not_restarted() -> None:
    step = next_step(watching(), ended(at=ENDS_AT - 40, state="SUCCEED", reason=""), ENDS_AT + 10)
    assert isinstance(step, Fail) and step.outcome["status"] == ShowStatus.CUT_SHORT
    assert step.outcome["message"] == ("cut short: livestream j1 ended SUCCEED 40 s before its end "
                                       "(no reason given); seen only after its planned end")


def test_ended_before_going_live_restarts_and_the_window_waits_for_the_next_job() -> None:
    step = next_step(watching(live_since=None), ended(at=START + 5, live_since=None), START + 6)
    assert isinstance(step, Restart) and step.state.live_since is None and step.state.ends_at is None
    assert "ended FAILED before going live" in step.warning


def test_never_live_is_stopped_and_fails() -> None:
    event = WatchEvent(status=WatchStatus.NOT_LIVE, job_id="j1", state="SUCCEED", stopped_at=START + 62)
    step = next_step(watching(live_since=None), event, START + 63)
    assert isinstance(step, Fail) and step.stop_job_id == "j1"
    assert step.outcome["status"] == ShowStatus.NOT_LIVE and step.outcome["went_live"] is False
    assert step.outcome["message"] == "not live: livestream j1 did not go live within 60 s; stopped"


def test_a_watch_error_stops_the_job_and_fails() -> None:
    payload = {"room_id": "room-1", "job_id": "j1", "status": "error", "message": "MSS.00000003: forbidden",
               "ends_at": ENDS_AT, "live_since": LIVE_SINCE}
    step = next_step(watching(), WatchEvent.from_payload(payload), LIVE_SINCE + 100)
    assert isinstance(step, Fail) and step.stop_job_id == "j1" and step.outcome["status"] == ShowStatus.ERROR
    assert step.outcome["message"] == "watching livestream j1 failed: MSS.00000003: forbidden"
    assert step.state.history[-1].reason == "MSS.00000003: forbidden"
    unknown = WatchEvent.from_payload({**payload, "status": "exploded"})  # a status this version does not know
    assert unknown.status == WatchStatus.ERROR


# -- the whole show, and its state as one JSON value ---------------------------------------------------
def test_a_whole_show_with_one_restart() -> None:
    state, now = NEW, START - 30
    kinds = []

    def go(event: Event, at: float) -> Step:
        nonlocal state
        step = next_step(state, event, at)
        state = ShowState.from_json(json.loads(json.dumps(step.state.to_json())))  # as a deferral carries it
        kinds.append(type(step).__name__)
        return step

    go(None, now)
    go(None, START)
    go(EMPTY_ROOM, START + 1)
    go(Started("j1", START + 1.4), START + 2)
    go(ended(at=LIVE_SINCE + 60), LIVE_SINCE + 61)
    go(Started("j2", LIVE_SINCE + 62.4), LIVE_SINCE + 62)
    done = go(WatchEvent(status=WatchStatus.COMPLETED, job_id="j2", state="SUCCEED", live_since=LIVE_SINCE + 70,
                         ends_at=ENDS_AT, stopped_at=ENDS_AT + 0.2), ENDS_AT + 1)
    assert kinds == ["WaitForStart", "LookAtRoom", "GoLive", "Watch", "Restart", "Watch", "Finish"]
    assert isinstance(done, Finish)
    assert [e["status"] for e in done.outcome["events"]] == ["ended", "completed"]
    assert done.outcome["restarts"] == 1 and done.outcome["job_ids"] == ["j1", "j2"]
    assert [a.job_id for a in state.start_attempts] == ["j1", "j2"]


def test_the_state_travels_as_one_json_value_and_reads_an_earlier_versions_kwargs() -> None:
    state = watching(restarts=1, job_ids=("j1", "j2"))
    state = replace(state, history=(HistoryEntry("2026-12-01T12:01:00.000+00:00", "j1", WatchStatus.ENDED,
                                                 "FAILED", "dropped"),))
    carried = json.loads(json.dumps(state.to_json()))
    assert ShowState.from_json(carried) == state
    assert carried["history"][0]["status"] == "ended"  # plain strings
    earlier = {"restarts": 1, "history": carried["history"], "live_since": LIVE_SINCE, "job_ids": ["j1", "j2"],
               "start_attempts": carried["start_attempts"]}  # what watched() was resumed with before
    assert ShowState.from_json({**earlier, "plan": PLAN.to_json()}) == state


@pytest.mark.parametrize("module", ["steps", "statuses", "window"])
def test_the_decisions_load_without_airflow(module: str) -> None:
    code = (f"import sys; import metastudio_provider.livestream.{module}; "
            "loaded = sorted(m for m in sys.modules if m == 'airflow' or m.startswith('airflow.')); "
            "assert not loaded, loaded")
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONPATH": str(root / "plugins")})


# -- MetaStudio's own stop (play_policy.live_exit_config) ----------------------------------------------
def test_the_first_start_asks_metastudio_to_stop_the_show_after_its_duration_and_the_margin() -> None:
    assert live_exit_hours(NEW, START) == 1  # 10 min + 5 min margin, in MetaStudio's whole hours
    long_show = replace(NEW, plan=replace(PLAN, duration=3 * 3600 - 60))
    assert live_exit_hours(long_show, START) == 4  # 2 h 59 min + 5 min: rounded up, never short
    assert live_exit_hours(replace(NEW, plan=replace(PLAN, duration=30 * 24 * 3600)), START) == 168  # SDK's bound


def test_a_restart_asks_for_the_time_left_not_the_whole_show() -> None:
    long_show = replace(watching(restarts=1), plan=replace(PLAN, duration=5 * 3600))
    assert live_exit_hours(long_show, LIVE_SINCE + 2 * 3600) == 4  # 3 h left + 5 min
    assert live_exit_hours(long_show, LIVE_SINCE + 5 * 3600 + 10) == 1  # past its end: the least there is


def test_the_body_carries_the_exit_config_and_keeps_a_stricter_one() -> None:
    body = {"play_policy": {"repeat_count": 1}, "video_config": {"width": 1920}}
    sent = with_live_exit(body, 2)
    assert sent["play_policy"] == {"repeat_count": 1,
                                   "live_exit_config": {"max_live_duration": 2, "auto_stop_mode": "FORCE_EXIT"}}
    assert body == {"play_policy": {"repeat_count": 1}, "video_config": {"width": 1920}}  # not changed in place
    stricter = {"play_policy": {"live_exit_config": {"max_live_duration": 1, "auto_stop_mode": "SCRIPT_END"}}}
    assert with_live_exit(stricter, 3)["play_policy"]["live_exit_config"] == {"max_live_duration": 1,
                                                                              "auto_stop_mode": "SCRIPT_END"}
    assert with_live_exit(None, 5)["play_policy"]["live_exit_config"]["max_live_duration"] == 5


# -- a start whose outcome is unknown (issue 19, point 1) ---------------------------------------------
def test_a_start_whose_outcome_is_unknown_is_resolved_by_looking_at_the_room() -> None:
    step = next_step(NEW, StartUnknown(at=START + 1, error="StartSmartLive: HTTP 500"), START + 2)
    assert isinstance(step, LookAtRoom) and "looking at the room" in step.warning
    assert step.state.start_attempts == (StartAttempt(START + 1, None),)  # the janitor knows of it
    made = Job(job_id="j1", state="WAITING")  # the start did make it: it holds the room
    carried_on = next_step(step.state, RoomSeen(name="evening-deals", ours=(made,)), START + 3)
    assert isinstance(carried_on, Watch) and carried_on.job_id == "j1" and carried_on.carried_on  # not a 2nd start
    assert isinstance(next_step(step.state, EMPTY_ROOM, START + 3), GoLive)  # nothing there: send it again


def test_a_start_that_stays_unknown_fails_the_show_saying_so() -> None:
    state = NEW
    for n in range(MAX_UNKNOWN_STARTS):
        step = next_step(state, StartUnknown(at=START + n, error="reset"), START + n)
        assert isinstance(step, LookAtRoom), n
        state = step.state
    failed = next_step(state, StartUnknown(at=START + 9, error="reset"), START + 9)
    assert isinstance(failed, Fail) and failed.outcome["status"] == ShowStatus.ERROR
    assert "outcome was unknown 5 times" in failed.outcome["message"]
