"""``LivestreamShowOperator``: one whole show in a room, watched from the triggerer, always stopped."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.operators.base import closes_hook, fail_fast
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.room_claims import JOB_IDS_XCOM, START_ATTEMPTS_XCOM, Claim, service_time, stop_job
from metastudio_provider.shows import lateness, missed_message
from metastudio_provider.states import LIVE_HOLDS_ROOM, LIVE_JOB_ENDED
from metastudio_provider.triggers.livestream import END_TOLERANCE, LivestreamWatchTrigger, ended_at

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

    Pushes ``job_id`` and ``outcome`` (what happened: ``status`` success / missed / blocked / not_live /
    cut_short / error, when it went live and ended, restarts and their reasons) and fails unless the show
    ran to its end. A retried try (its worker was lost) carries on with the livestream this run started,
    found through the room's claim; the restarts it used still count. Killing the task (mark failed or
    success, clear) stops the livestream, from the worker (``on_kill``) or from the triggerer.
    """

    template_fields = ("room_id", "starts_at", "duration", "missed_grace", "max_restarts", "live_within",
                       "clock_skew", "body")
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
        self._attempts: list[dict[str, Any]] = []

    # -- 1. wait for the planned start -------------------------------------------------------------
    def execute(self, context: Any) -> dict[str, Any]:
        wait = -lateness(self._starts_at(context))
        if wait > 1:
            self.log.info("The show in room %s starts at %s: waiting %.0f s", self.room_id,
                          self._starts_at(context).isoformat(), wait)
            if self.deferrable:
                self.defer(trigger=DateTimeTrigger(moment=self._starts_at(context)), method_name="go_live",
                           timeout=timedelta(seconds=wait + float(self.missed_grace) + 60))
            time.sleep(wait)
        return self.go_live(context)

    # -- 2. go live, or carry on with what an earlier try of this run started -------------------------
    @closes_hook
    @fail_fast
    def go_live(self, context: Any, event: Any = None) -> dict[str, Any]:
        room = self.hook.call("ShowSmartLiveRoom", {"room_id": self.room_id})
        ours, foreign = self._jobs(context, room)
        late = lateness(self._starts_at(context))
        if not ours and late > float(self.missed_grace):  # nothing started yet (a retry carries on regardless)
            message = missed_message(self._starts_at(context).isoformat(), late, float(self.missed_grace))
            return self._finish(context, self._outcome(status="missed", message=message))
        claim, ti = Claim.of_room(room), context["ti"]
        if claim is not None and not claim.is_run(ti.dag_id, ti.run_id):
            message = f"blocked: room {room.get('room_name') or self.room_id} is claimed by {claim}, not this run"
            return self._finish(context, self._outcome(status="blocked", message=message))
        if foreign:
            job = foreign[0]
            message = (f"blocked: room {room.get('room_name') or self.room_id} is already live with job "
                       f"{job['job_id']} ({job.get('state')}), which this run did not start; not starting a "
                       "second livestream")
            return self._finish(context, self._outcome(status="blocked", message=message))
        live_since = self._first_live(ours)
        ends_at = live_since + float(self.duration) if live_since is not None else None
        running = [j for j in ours if j.get("state") in LIVE_HOLDS_ROOM]
        history: list[dict[str, Any]] = []
        job_id = ""
        if running:
            job_id = running[0]["job_id"]
            self.log.info("Carrying on with livestream %s, which this run started (%d job(s) so far)", job_id,
                          len(ours))
            restarts = len(ours) - 1
        elif ends_at is not None and time.time() >= ends_at:  # a retry after the end: what MetaStudio recorded
            last = ours[-1]
            end = ended_at(last, float(self.clock_skew))
            early = ends_at - end if end is not None else None
            if LIVE_JOB_ENDED.succeeded(last.get("state")) and early is not None and early <= END_TOLERANCE:
                status, message = "success", "the show had already run to its end"
            else:
                status = "cut_short"
                message = (f"cut short: livestream {last['job_id']} ended {last.get('state')} "
                           f"{f'{early:.0f} s before its end' if early is not None else 'at an unknown time'}")
            return self._finish(context, self._outcome(
                status=status, message=message, live_since=live_since, ends_at=ends_at, ended_at=end,
                final_state=last.get("state"), restarts=len(ours) - 1, job_ids=[j["job_id"] for j in ours]))
        elif len(ours) > int(self.max_restarts):
            return self._finish(context, self._outcome(
                status="cut_short", message=f"{len(ours)} livestream(s) already ended early: restart budget "
                f"({self.max_restarts}) spent", live_since=live_since, ends_at=ends_at,
                restarts=len(ours) - 1, job_ids=[j["job_id"] for j in ours]))
        known = [j["job_id"] for j in ours]
        if not running:
            job_id = self._start(context, known)
            restarts = len(ours)
            if restarts:
                self.log.warning("Restart %d of %d: livestream %s", restarts, self.max_restarts, job_id)
        self._record(context, job_ids := [*(j for j in known if j != job_id), job_id])
        return self._watch(context, job_id, ends_at=ends_at, restarts=restarts, history=history,
                           live_since=live_since, job_ids=job_ids)

    # -- 3. what the watch saw ---------------------------------------------------------------------
    @closes_hook
    @fail_fast
    def watched(self, context: Any, event: dict[str, Any], restarts: int = 0,
                history: list[dict[str, Any]] | None = None, live_since: float | None = None,
                job_ids: list[str] | None = None, start_attempts: list[dict[str, Any]] | None = None,
                ) -> dict[str, Any]:
        self._job_id = None  # the watch ended: the trigger stopped it, or it ended by itself
        self._attempts = list(start_attempts or [])
        status, state, reason = event.get("status"), event.get("state"), event.get("reason") or ""
        live_since = live_since or event.get("live_since")
        ends_at = event.get("ends_at")
        history = [*(history or []), {"at": _iso(time.time()), "job_id": event.get("job_id"), "status": status,
                                      "state": state, "reason": reason or event.get("message", "")}]
        job_ids = job_ids or [event["job_id"]]
        common = {"live_since": live_since, "ends_at": ends_at, "final_state": state, "restarts": restarts,
                  "events": history, "job_ids": job_ids}
        if status == "completed":
            stopped_at = event.get("stopped_at")
            if not LIVE_JOB_ENDED.succeeded(state):
                return self._finish(context, self._outcome(status="error", message=f"livestream {event['job_id']} "
                                    f"was stopped at its end but reports {state}", **common))
            delay = round(stopped_at - ends_at, 1) if stopped_at and ends_at else None
            return self._finish(context, self._outcome(status="success", message="live until its planned end",
                                                       ended_at=stopped_at, stop_delay_seconds=delay, **common))
        if status == "ended":
            end = event.get("ended_at") or time.time()  # MetaStudio's end time, not when the watch saw it
            left = (ends_at - end) if ends_at else None
            self.log.warning("Livestream %s ended %s %s: %s", event["job_id"], state,
                             f"{left:.0f} s before its end" if left is not None else "before going live",
                             reason or "MetaStudio gave no reason")
            if left is not None and left <= END_TOLERANCE:
                return self._finish(context, self._outcome(status="success", message="live until its planned end",
                                                           ended_at=end, **common))
            over = ends_at is not None and time.time() >= ends_at  # seen only after its end: no time to restart
            if over or restarts >= int(self.max_restarts):
                message = (f"cut short: livestream {event['job_id']} ended {state} "
                           f"{f'{left:.0f} s before its end' if left is not None else 'before going live'} "
                           f"({reason or 'no reason given'}); "
                           + ("seen only after its planned end" if over else
                              f"restart budget ({self.max_restarts}) spent"))
                return self._finish(context, self._outcome(status="cut_short", message=message, ended_at=end,
                                                           **common))
            job_id = self._start(context, job_ids)
            self.log.warning("Restart %d of %d: livestream %s", restarts + 1, self.max_restarts, job_id)
            self._record(context, job_ids := [*job_ids, job_id])
            return self._watch(context, job_id, ends_at=ends_at, restarts=restarts + 1, history=history,
                               live_since=live_since, job_ids=job_ids)
        self._stop_quietly(event.get("job_id"))
        if status == "not_live":
            message = f"not live: livestream {event['job_id']} did not go live within {float(self.live_within):g} s; stopped"
            return self._finish(context, self._outcome(status="not_live", message=message, **common))
        return self._finish(context, self._outcome(status="error", message=f"watching livestream "
                                                   f"{event.get('job_id')} failed: {event.get('message')}", **common))

    # -- helpers -----------------------------------------------------------------------------------
    def _starts_at(self, context: Any) -> datetime:
        value = self.starts_at or context["dag_run"].run_after
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def _jobs(self, context: Any, room: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """This run's livestream jobs in the room (oldest first), and the others still holding it."""
        ti = context["ti"]
        claim = Claim.of_room(room)
        listed = self.hook.call("ListSmartLive", {"room_id": self.room_id},
                                query={"limit": 100, "sort_key": "create_time", "sort_dir": "DESC"})
        jobs = sorted(listed.get("smart_live_jobs") or [], key=lambda j: service_time(j.get("create_time")) or 0)
        mine = claim is not None and claim.is_run(ti.dag_id, ti.run_id)
        ours = [j for j in jobs if mine and claim is not None and claim.since_claim(room, j)]
        return ours, [j for j in jobs if j not in ours and j.get("state") in LIVE_HOLDS_ROOM]

    def _first_live(self, jobs: list[dict[str, Any]]) -> float | None:
        starts = [t for j in jobs if (t := service_time(j.get("start_time"))) is not None]
        return min(starts) - float(self.clock_skew) if starts else None

    def _start(self, context: Any, job_ids: list[str]) -> str:
        """StartSmartLive, recorded first as an unanswered attempt (when, in MetaStudio's clock), so that the
        janitor knows a livestream this run started even if the answer never arrives (``room_claims``)."""
        attempt: dict[str, Any] = {"at": round(time.time() + float(self.clock_skew), 3), "job_id": None}
        self._attempts.append(attempt)
        context["ti"].xcom_push(key=START_ATTEMPTS_XCOM, value=self._attempts)
        job_id = self.hook.call("StartSmartLive", {"room_id": self.room_id}, body=self.body or {})["job_id"]
        attempt["job_id"] = self._job_id = job_id
        context["ti"].xcom_push(key=START_ATTEMPTS_XCOM, value=self._attempts)
        self.log.info("Started livestream %s in room %s", job_id, self.room_id)
        return job_id

    def _record(self, context: Any, job_ids: list[str]) -> None:
        context["ti"].xcom_push(key=JOB_IDS_XCOM, value=job_ids)

    def _watch(self, context: Any, job_id: str, *, ends_at: float | None, restarts: int,
               history: list[dict[str, Any]], live_since: float | None, job_ids: list[str]) -> dict[str, Any]:
        self._job_id = job_id
        ids = {"room_id": self.room_id, "job_id": job_id}
        context["ti"].xcom_push(key="job_id", value=job_id)
        self._link(context, "live_job", ids)
        now = time.time()
        trigger = LivestreamWatchTrigger(
            room_id=self.room_id, job_id=job_id, duration=float(self.duration), ends_at=ends_at,
            live_by=now + float(self.live_within), clock_skew=float(self.clock_skew),
            metastudio_conn_id=self.metastudio_conn_id, region=self.region, poll_interval=self.poll_interval,
        )
        kwargs = {"restarts": restarts, "history": history, "live_since": live_since, "job_ids": job_ids,
                  "start_attempts": self._attempts}
        if self.deferrable:
            longest = (ends_at - now) if ends_at else float(self.live_within) + float(self.duration)
            self.defer(trigger=trigger, method_name="watched", kwargs=kwargs,
                       timeout=timedelta(seconds=max(longest, 0) + STOP_MARGIN))
        return self.watched(context, _first_event(trigger), **kwargs)

    def _stop_quietly(self, job_id: str | None) -> None:
        if not job_id:
            return
        try:
            if stop_job(self.hook, self.room_id, job_id):
                self.log.warning("Stopped livestream %s", job_id)
        except Exception as exc:  # the janitor DAG stops it if this cannot
            self.log.error("Could not stop livestream %s: %s", job_id, exc)

    def _outcome(self, **fields: Any) -> dict[str, Any]:
        """The ``outcome`` XCom: status and message first, times as ISO (``ends_at`` is ``planned_end``)."""
        outcome: dict[str, Any] = {"room_id": self.room_id, "status": fields.pop("status"),
                                   "message": fields.pop("message"), "went_live": fields.get("live_since") is not None}
        fields["planned_end"] = fields.pop("ends_at", None)
        for key in ("live_since", "planned_end", "ended_at"):
            if fields.get(key) is not None:
                fields[key] = _iso(fields[key])
        outcome.update(fields)
        return outcome

    def _finish(self, context: Any, outcome: dict[str, Any]) -> dict[str, Any]:
        """Record what happened (XCom ``outcome`` and the log), then fail unless the show ran to its end."""
        context["ti"].xcom_push(key="outcome", value=outcome)
        self.log.info("Show outcome: %s", json.dumps(outcome))
        if outcome["status"] != "success":
            raise AirflowFailException(f"room {self.room_id}: {outcome['message']}")
        return outcome

    def on_kill(self) -> None:
        """Killed while on a worker (mark failed / success, clear): stop the livestream of this run it holds."""
        if self._job_id:
            self._stop_quietly(self._job_id)


def _first_event(trigger: LivestreamWatchTrigger) -> dict[str, Any]:
    """Run the watch in this process (``deferrable=False``) until its event."""

    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise RuntimeError("the livestream watch ended without an event")

    return asyncio.run(first())


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")
