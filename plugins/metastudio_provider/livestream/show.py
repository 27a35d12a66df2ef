"""``LivestreamShowOperator``: one whole show in a room, watched from the triggerer, always stopped.

The operator decides nothing: ``steps.next_step`` does, from the show's state, the latest event and the
time; the operator executes each step (MetaStudio calls, deferrals, XComs) and feeds back what happened.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.client import MetaStudioOutcomeUnknownError
from metastudio_provider.livestream.claims import JOB_IDS_XCOM, START_ATTEMPTS_XCOM, Claim, stop_job
from metastudio_provider.livestream.steps import (
    Event,
    Fail,
    Finish,
    GoLive,
    Job,
    LookAtRoom,
    Plan,
    Restart,
    RoomSeen,
    ShowState,
    Started,
    StartUnknown,
    WaitForStart,
    Watch,
    WatchEvent,
    live_exit_hours,
    next_step,
    with_live_exit,
)
from metastudio_provider.livestream.watch import LivestreamWatchTrigger, ended_at
from metastudio_provider.operators.base import entry_point
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.states import LIVE_HOLDS_ROOM
from metastudio_provider.utils.time import service_time

STOP_MARGIN = 300.0
"""Seconds past a show's end after which Airflow fails a watch that never reported (no triggerer ran)."""


class LivestreamShowOperator(WorkflowOperator):
    """Run one show in a room: wait (deferred) for its start, go live, stay live ``duration`` seconds counted
    from MetaStudio's ``start_time`` of the job, then stop it, watched from the triggerer all along.

    :param room_id: the live room (claimed for this run by ``PrepareLivestreamRoomOperator``).
    :param duration: seconds live.
    :param starts_at: planned start (ISO time or datetime); default: the run's ``run_after`` (now).
    :param missed_grace: a show that would go live more than this many seconds after ``starts_at`` is
        not started; the task fails saying so.
    :param max_restarts: a livestream that ends or fails before its end is started again (StartSmartLive)
        up to this many times, each logged with MetaStudio's reason (``error_info`` / ``block_reason``);
        then the task fails. The show still ends at its first planned end.
    :param live_within: seconds a started livestream may take to go live; then it is stopped, and fails.
    :param clock_skew: seconds MetaStudio's clock is ahead of Airflow's (the prepare task's XCom).
    :param body: StartSmartLive body.

    Pushes ``job_id`` and ``outcome`` (what happened: ``status`` (a ``ShowStatus``) success / missed / blocked /
    not_live / cut_short / error, when it went live and ended, restarts and their reasons) and fails unless the
    show ran to its end. A retried try (its worker was lost) carries on with the livestream this run started,
    found through the room's claim; the restarts it used still count. Killing the task (mark failed or
    success, clear) stops the livestream, from the worker (``on_kill``) or from the triggerer.
    """

    template_fields = ("room_id", "starts_at", "duration", "missed_grace", "max_restarts", "live_within",
                       "clock_skew", "body", "metastudio_conn_id")
    template_fields_renderers = {"body": "json"}
    api_name = "StartSmartLive"

    def __init__(self, *, room_id: str, duration: float, starts_at: str | datetime | None = None,
                 missed_grace: float = 600.0, max_restarts: int = 2, live_within: float = 600.0,
                 clock_skew: float = 0.0, body: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room_id = room_id
        self.duration = duration
        self.starts_at = starts_at
        self.missed_grace = missed_grace
        self.max_restarts = max_restarts
        self.live_within = live_within
        self.clock_skew = clock_skew
        self.body = body
        self._job_id: str | None = None

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        return self.go_live(context, state=ShowState(plan=self._plan(context)).to_json())

    # -- where a deferral resumes: the state travels as one JSON value ----------------------------------
    @entry_point
    def go_live(self, context: Any, event: Any = None, state: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """At the planned start (``event``: the ``DateTimeTrigger``'s moment, not needed)."""
        return self._run(context, self._state(context, state), None)

    @entry_point
    def watched(self, context: Any, event: dict[str, Any], state: Mapping[str, Any] | None = None,
                **earlier: Any) -> dict[str, Any]:
        """The watch's event. ``earlier``: the resume kwargs of a show deferred by the provider before its
        state was one value (``restarts``, ``history``, ``live_since``, ``job_ids``, ``start_attempts``)."""
        self._job_id = None  # the watch ended: the trigger stopped it, or it ended by itself
        return self._run(context, self._state(context, state, earlier), WatchEvent.from_payload(event))

    # -- the steps, executed ------------------------------------------------------------------------
    def _run(self, context: Any, state: ShowState, event: Event) -> dict[str, Any]:
        while True:
            step = next_step(state, event, time.time())
            state = step.state
            if step.warning:
                self.log.warning("%s", step.warning)
            match step:
                case WaitForStart(until=until):
                    self._wait_for_start(state, until)
                    event = None
                case LookAtRoom():
                    event = self._look(context, state.plan)
                case GoLive() | Restart():
                    event = self._start(context, state)
                    if isinstance(step, Restart) and isinstance(event, Started):
                        self.log.warning("Restart %d of %d: livestream %s", state.restarts, state.plan.max_restarts,
                                         event.job_id)
                case Watch():
                    event = self._watch(context, step)
                case Finish() | Fail():
                    return self._finish(context, step)
                case _:
                    raise TypeError(f"unknown step {step!r}")

    def _wait_for_start(self, state: ShowState, until: float) -> None:
        wait = until - time.time()
        self.log.info("The show in room %s starts at %s: waiting %.0f s", self.room_id, state.plan.starts_at, wait)
        if self.deferrable:
            self.defer(trigger=DateTimeTrigger(moment=datetime.fromisoformat(state.plan.starts_at)),
                       method_name="go_live", kwargs={"state": state.to_json()},
                       timeout=timedelta(seconds=wait + state.plan.missed_grace + 60))
        time.sleep(max(wait, 0.0))

    def _look(self, context: Any, plan: Plan) -> RoomSeen:
        """The room, its claim and its jobs: this run's (oldest first), and the others still holding it."""
        room = self.hook.call("ShowSmartLiveRoom", {"room_id": self.room_id})
        ti, claim = context["ti"], Claim.of_room(room)
        listed = self.hook.call("ListSmartLive", {"room_id": self.room_id},
                                query={"limit": 100, "sort_key": "create_time", "sort_dir": "DESC"})
        jobs = sorted(listed.get("smart_live_jobs") or [], key=lambda j: service_time(j.get("create_time")) or 0)
        mine = claim is not None and claim.is_run(ti.dag_id, ti.run_id)
        ours = [j for j in jobs if mine and claim is not None and claim.since_claim(room, j)]
        foreign = [j for j in jobs if j not in ours and j.get("state") in LIVE_HOLDS_ROOM]
        return RoomSeen(name=room.get("room_name") or self.room_id,
                        ours=tuple(_job(j, plan.clock_skew) for j in ours),
                        foreign=tuple(_job(j, plan.clock_skew) for j in foreign),
                        claimed_by=str(claim) if claim is not None and not mine else None)

    def _start(self, context: Any, state: ShowState) -> Started | StartUnknown:
        """StartSmartLive, recorded first as an unanswered attempt (when, in MetaStudio's clock), so that the
        janitor knows a livestream this run started even if the answer never arrives (``claims``)."""
        ti = context["ti"]
        at = round(time.time() + state.plan.clock_skew, 3)
        earlier = [a.to_json() for a in state.start_attempts]
        ti.xcom_push(key=START_ATTEMPTS_XCOM, value=[*earlier, {"at": at, "job_id": None}])
        hours = live_exit_hours(state, time.time())  # MetaStudio ends it by itself then, whatever happens here
        body = with_live_exit(self.body, hours)
        try:
            job_id = self.hook.call("StartSmartLive", {"room_id": self.room_id}, body=body)["job_id"]
        except MetaStudioOutcomeUnknownError as exc:  # resolved by looking at the room (steps.StartUnknown)
            return StartUnknown(at=at, error=str(exc))
        self._job_id = job_id
        ti.xcom_push(key=START_ATTEMPTS_XCOM, value=[*earlier, {"at": at, "job_id": job_id}])
        self.log.info("Started livestream %s in room %s (MetaStudio stops it by itself after %d h live)", job_id,
                      self.room_id, hours)
        return Started(job_id=job_id, at=at)

    def _watch(self, context: Any, step: Watch) -> WatchEvent:
        """Defer to the watch trigger; not deferrable: run it here until its event."""
        state, job_id, ti = step.state, step.job_id, context["ti"]
        if step.carried_on:
            self.log.info("Carrying on with livestream %s, which this run started (%d job(s) so far)", job_id,
                          len(state.job_ids))
        ti.xcom_push(key=JOB_IDS_XCOM, value=list(state.job_ids))
        self._job_id = job_id
        ids = {"room_id": self.room_id, "job_id": job_id}
        ti.xcom_push(key="job_id", value=job_id)
        self._link(context, "live_job_on_air", ids)
        plan, ends_at = state.plan, state.ends_at
        trigger = LivestreamWatchTrigger(
            room_id=self.room_id, job_id=job_id, duration=plan.duration, ends_at=ends_at, live_by=step.live_by,
            clock_skew=plan.clock_skew, metastudio_conn_id=self.metastudio_conn_id, region=self.region,
            poll_interval=self.poll_interval,
        )
        if self.deferrable:
            longest = (ends_at - time.time()) if ends_at else plan.live_within + plan.duration
            self.defer(trigger=trigger, method_name="watched", kwargs={"state": state.to_json()},
                       timeout=timedelta(seconds=max(longest, 0) + STOP_MARGIN))
        event = _first_event(trigger)
        self._job_id = None  # the watch ended: it stopped the job, or the job ended by itself
        return WatchEvent.from_payload(event)

    def _finish(self, context: Any, step: Finish | Fail) -> dict[str, Any]:
        """Record what happened (XCom ``outcome`` and the log), then fail unless the show ran to its end."""
        if isinstance(step, Fail) and step.stop_job_id:
            self._stop_quietly(step.stop_job_id)
        outcome = step.outcome
        context["ti"].xcom_push(key="outcome", value=outcome)
        self.log.info("Show outcome: %s", json.dumps(outcome))
        if isinstance(step, Fail):
            raise AirflowFailException(f"room {self.room_id}: {outcome['message']}")
        return outcome

    # -- helpers -----------------------------------------------------------------------------------
    def _plan(self, context: Any) -> Plan:
        value = self.starts_at or context["dag_run"].run_after
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return Plan(room_id=self.room_id, starts_at=moment.isoformat(), duration=float(self.duration),
                    missed_grace=float(self.missed_grace), max_restarts=int(self.max_restarts),
                    live_within=float(self.live_within), clock_skew=float(self.clock_skew))

    def _state(self, context: Any, state: Mapping[str, Any] | None,
               earlier: Mapping[str, Any] | None = None) -> ShowState:
        """The state a deferral carried; None (a deferral of an earlier version, or a test): a new state of
        this task's plan, with what ``earlier`` kwargs say."""
        if state is not None:
            return ShowState.from_json(state)
        return ShowState.from_json({**(earlier or {}), "plan": self._plan(context).to_json()})

    def _stop_quietly(self, job_id: str | None) -> None:
        if not job_id:
            return
        try:
            if stop_job(self.hook, self.room_id, job_id):
                self.log.warning("Stopped livestream %s", job_id)
        except Exception as exc:  # the janitor DAG stops it if this cannot
            self.log.error("Could not stop livestream %s: %s", job_id, exc)

    def on_kill(self) -> None:
        """Killed while on a worker (mark failed / success, clear): stop the livestream of this run it holds."""
        if self._job_id:
            self._stop_quietly(self._job_id)


def _job(response: dict[str, Any], clock_skew: float) -> Job:
    """A job of ListSmartLive, its times in this host's clock."""
    started = service_time(response.get("start_time"))
    return Job(job_id=response["job_id"], state=response.get("state"),
               started=started - clock_skew if started is not None else None, ended=ended_at(response, clock_skew))


def _first_event(trigger: LivestreamWatchTrigger) -> dict[str, Any]:
    """Run the watch in this process (``deferrable=False``) until its event."""

    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise RuntimeError("the livestream watch ended without an event")

    return asyncio.run(first())
