"""The show as a state machine: its state, what can happen to it, and ``next_step``, which says what to do.

``next_step(state, event, now)`` is pure: no Airflow, no MetaStudio call, no clock but ``now`` (epoch
seconds). ``LivestreamShowOperator`` (``show.py``) executes the step it returns (calls MetaStudio,
defers, pushes XComs), which gives the next event, and so on until ``Finish`` or ``Fail``. The state
is immutable and travels through a deferral as one JSON value (``ShowState.to_json``)::

    None (the start) ─> WaitForStart (deferred until the planned start) ─> None ─> LookAtRoom
    RoomSeen ─> Fail (missed, blocked) | Watch (carry on with this run's live job) | GoLive | Restart
              | Finish / Fail (a retry after the show's end: what MetaStudio recorded decides)
    Started (after GoLive or Restart: StartSmartLive answered) ─> Watch (deferred: LivestreamWatchTrigger)
    WatchEvent ─> Finish (success) | Restart | Fail (cut_short, not_live, error)

The window counts from the first time the show went live (``live_since``): ``ends_at`` never moves,
however many restarts.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from metastudio_provider.livestream.statuses import ShowStatus, WatchStatus
from metastudio_provider.livestream.window import missed_message
from metastudio_provider.states import LIVE_HOLDS_ROOM, LIVE_JOB_ENDED

END_TOLERANCE = 1.5
"""Seconds before its planned end that a livestream may end by itself and still count as run to its end
(MetaStudio's times are whole seconds; the clock skew is an estimate)."""
START_SLACK = 1.0
"""A start at most this many seconds ahead is not waited for: the show goes live now."""


# -- the state ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """What the show is to do: fixed when its task starts (the operator's arguments)."""

    room_id: str
    starts_at: str
    """Planned start: an ISO time with its zone."""
    duration: float
    """Seconds live, counted from the first time it went live."""
    missed_grace: float = 600.0
    """Not started when it would go live more than this many seconds after ``starts_at``."""
    max_restarts: int = 2
    live_within: float = 600.0
    """Seconds a started livestream may take to go live."""
    clock_skew: float = 0.0
    """Seconds MetaStudio's clock is ahead of this host's."""

    @property
    def start(self) -> float:
        """``starts_at`` as epoch seconds."""
        return datetime.fromisoformat(self.starts_at).timestamp()

    def to_json(self) -> dict[str, Any]:
        return {"room_id": self.room_id, "starts_at": self.starts_at, "duration": self.duration,
                "missed_grace": self.missed_grace, "max_restarts": self.max_restarts,
                "live_within": self.live_within, "clock_skew": self.clock_skew}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Plan:
        return cls(room_id=str(value["room_id"]), starts_at=str(value["starts_at"]), duration=float(value["duration"]),
                   missed_grace=float(value["missed_grace"]), max_restarts=int(value["max_restarts"]),
                   live_within=float(value["live_within"]), clock_skew=float(value["clock_skew"]))


@dataclass(frozen=True)
class StartAttempt:
    """A StartSmartLive the show sent: when (MetaStudio's clock), and the job id once answered (XCom
    ``start_attempts``, which the janitor reads: ``claims.Started``)."""

    at: float
    job_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "job_id": self.job_id}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> StartAttempt:
        return cls(at=float(value["at"]), job_id=value.get("job_id"))


@dataclass(frozen=True)
class HistoryEntry:
    """One watch's end, as the outcome's ``events`` list it."""

    at: str
    """When the task saw it (ISO)."""
    job_id: str | None
    status: WatchStatus
    state: str | None
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "job_id": self.job_id, "status": self.status.value, "state": self.state,
                "reason": self.reason}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> HistoryEntry:
        return cls(at=str(value["at"]), job_id=value.get("job_id"), status=WatchStatus(value["status"]),
                   state=value.get("state"), reason=str(value.get("reason") or ""))


@dataclass(frozen=True)
class ShowState:
    """Everything the show knows between two steps; ``to_json`` is what a deferral carries."""

    plan: Plan
    restarts: int = 0
    """Restarts so far (StartSmartLive after the first)."""
    history: tuple[HistoryEntry, ...] = ()
    live_since: float | None = None
    """When the show first went live (this host's clock); None: not yet."""
    job_ids: tuple[str, ...] = ()
    """This run's livestream jobs, the current one last (XCom ``job_ids``)."""
    start_attempts: tuple[StartAttempt, ...] = ()

    @property
    def ends_at(self) -> float | None:
        """The planned end: ``duration`` after it first went live; None while it has not."""
        return None if self.live_since is None else self.live_since + self.plan.duration

    def to_json(self) -> dict[str, Any]:
        return {"plan": self.plan.to_json(), "restarts": self.restarts,
                "history": [h.to_json() for h in self.history], "live_since": self.live_since,
                "job_ids": list(self.job_ids), "start_attempts": [a.to_json() for a in self.start_attempts]}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ShowState:
        """``to_json`` read back; also reads the resume kwargs of a show deferred by the provider before
        its state was one value (the same keys, ``plan`` added by the operator)."""
        live_since = value.get("live_since")
        return cls(plan=Plan.from_json(value["plan"]), restarts=int(value.get("restarts") or 0),
                   history=tuple(HistoryEntry.from_json(h) for h in value.get("history") or ()),
                   live_since=float(live_since) if live_since is not None else None,
                   job_ids=tuple(str(j) for j in value.get("job_ids") or ()),
                   start_attempts=tuple(StartAttempt.from_json(a) for a in value.get("start_attempts") or ()))


# -- the events -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """A livestream job of the room (ListSmartLive), its times in this host's clock."""

    job_id: str
    state: str | None
    started: float | None = None
    """When it went live (MetaStudio's ``start_time``); None: not (yet)."""
    ended: float | None = None
    """When it ended (MetaStudio's ``end_time``); None: it has not, or MetaStudio does not say."""

    @property
    def holds_room(self) -> bool:
        return self.state in LIVE_HOLDS_ROOM


@dataclass(frozen=True)
class RoomSeen:
    """The room when the show is to go live (``LookAtRoom``)."""

    name: str
    ours: tuple[Job, ...] = ()
    """This run's jobs in the room (created since its claim), oldest first: a retry finds what it started."""
    foreign: tuple[Job, ...] = ()
    """Other jobs holding the room."""
    claimed_by: str | None = None
    """The run that claims the room when it is not this run (``str(Claim)``); None: this run's, or no claim."""


@dataclass(frozen=True)
class Started:
    """StartSmartLive answered (``GoLive`` / ``Restart``)."""

    job_id: str
    at: float
    """When it was sent, in MetaStudio's clock (the ``StartAttempt``)."""


@dataclass(frozen=True)
class StartUnknown:
    """StartSmartLive's outcome is unknown (a 5xx, a reset, a lost response): it may have started a job.
    Resolved by looking, never by guessing: the room's jobs since this run's claim are this run's."""

    at: float
    """When it was sent, in MetaStudio's clock (an unanswered ``StartAttempt``)."""
    error: str


MAX_UNKNOWN_STARTS = 4
"""StartSmartLive sends whose outcome stayed unknown, with no job of this run in the room each time,
before the show fails saying so (each is resolved by looking at the room first)."""


@dataclass(frozen=True)
class WatchEvent:
    """The watch trigger's event (``LivestreamWatchTrigger``), its times in this host's clock."""

    status: WatchStatus
    job_id: str
    state: str | None = None
    reason: str = ""
    """MetaStudio's ``error_info`` / ``block_reason``."""
    message: str = ""
    """Why the watch failed (``error``)."""
    live_since: float | None = None
    ends_at: float | None = None
    stopped_at: float | None = None
    """When the watch's StopSmartLive was accepted; None: it ended by itself."""
    ended_at: float | None = None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> WatchEvent:
        """The trigger event's payload; a status this version does not know reads as ``error``."""
        raw = payload.get("status")
        status = WatchStatus(raw) if raw in {s.value for s in WatchStatus} else WatchStatus.ERROR
        return cls(status=status, job_id=str(payload["job_id"]), state=payload.get("state"),
                   reason=payload.get("reason") or "", message=str(payload.get("message") or ""),
                   live_since=payload.get("live_since"), ends_at=payload.get("ends_at"),
                   stopped_at=payload.get("stopped_at"), ended_at=payload.get("ended_at"))


Event = RoomSeen | Started | StartUnknown | WatchEvent | None
"""What just happened: None at the start (and when the wait for it is over)."""


# -- the steps ------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Step:
    """What to do next, and the state once it is decided (the operator carries on with ``state``)."""

    state: ShowState
    warning: str = ""
    """A line for the task's log (a warning) about what led to this step; empty: none."""


@dataclass(frozen=True, kw_only=True)
class WaitForStart(Step):
    """Wait (deferred) until ``until`` (epoch seconds), then start again with no event."""

    until: float


@dataclass(frozen=True, kw_only=True)
class LookAtRoom(Step):
    """Read the room and its jobs: the next event is ``RoomSeen``."""


@dataclass(frozen=True, kw_only=True)
class GoLive(Step):
    """Start the show's first livestream (StartSmartLive): the next event is ``Started``."""


@dataclass(frozen=True, kw_only=True)
class Restart(Step):
    """Start another livestream, restart number ``state.restarts``: the next event is ``Started``."""


@dataclass(frozen=True, kw_only=True)
class Watch(Step):
    """Watch ``job_id`` (deferred: ``LivestreamWatchTrigger``) until it ends, stopping it at ``state.ends_at``
    or when it is not live by ``live_by``: the next event is its ``WatchEvent``."""

    job_id: str
    live_by: float
    carried_on: bool = False
    """A job this run had started before this try (a retry carries on with it)."""


@dataclass(frozen=True, kw_only=True)
class Finish(Step):
    """The show ran to its end: record ``outcome`` (XCom) and succeed."""

    outcome: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class Fail(Step):
    """The show did not run to its end: stop ``stop_job_id`` (if any), record ``outcome`` and fail."""

    outcome: dict[str, Any]
    stop_job_id: str | None = None


# -- the decision ---------------------------------------------------------------------------------
def next_step(state: ShowState, event: Event, now: float) -> Step:
    """What the show does next, given its state, what just happened and the time (epoch seconds)."""
    if event is None:
        return _at_the_start(state, now)
    if isinstance(event, RoomSeen):
        return _in_the_room(state, event, now)
    if isinstance(event, Started):
        started = replace(state, job_ids=(*(j for j in state.job_ids if j != event.job_id), event.job_id),
                          start_attempts=(*state.start_attempts, StartAttempt(event.at, event.job_id)))
        return Watch(state=started, job_id=event.job_id, live_by=now + state.plan.live_within)
    if isinstance(event, StartUnknown):
        return _start_unknown(state, event)
    return _after_the_watch(state, event, now)


def _start_unknown(state: ShowState, event: StartUnknown) -> Step:
    """Look at the room before anything else: a job of this run there (since its claim) is the one that
    start made, and is carried on with; none, and the start is sent again (``_in_the_room``)."""
    state = replace(state, start_attempts=(*state.start_attempts, StartAttempt(event.at, None)))
    unknown = sum(1 for attempt in state.start_attempts if attempt.job_id is None)
    if unknown > MAX_UNKNOWN_STARTS:
        message = (f"StartSmartLive's outcome was unknown {unknown} times and the room showed no livestream of "
                   f"this run after each ({event.error})")
        return Fail(state=state, outcome=outcome(state.plan, ShowStatus.ERROR, message))
    return LookAtRoom(state=state, warning=f"StartSmartLive: the outcome is unknown ({event.error}): looking at "
                                           "the room before sending it again")


def _at_the_start(state: ShowState, now: float) -> Step:
    start = state.plan.start
    if start - now > START_SLACK:
        return WaitForStart(state=state, until=start)
    return LookAtRoom(state=state)


def _in_the_room(state: ShowState, room: RoomSeen, now: float) -> Step:
    plan, ours = state.plan, room.ours
    late = now - plan.start
    if not ours and late > plan.missed_grace:  # nothing started yet (a retry carries on regardless)
        message = missed_message(plan.starts_at, late, plan.missed_grace)
        return Fail(state=state, outcome=outcome(plan, ShowStatus.MISSED, message))
    if room.claimed_by is not None:
        message = f"blocked: room {room.name} is claimed by {room.claimed_by}, not this run"
        return Fail(state=state, outcome=outcome(plan, ShowStatus.BLOCKED, message))
    if room.foreign:
        job = room.foreign[0]
        message = (f"blocked: room {room.name} is already live with job {job.job_id} ({job.state}), which this "
                   "run did not start; not starting a second livestream")
        return Fail(state=state, outcome=outcome(plan, ShowStatus.BLOCKED, message))
    starts = [j.started for j in ours if j.started is not None]
    state = replace(state, live_since=min(starts) if starts else None, restarts=max(len(ours) - 1, 0),
                    job_ids=tuple(j.job_id for j in ours))
    ends_at = state.ends_at
    running = [j for j in ours if j.holds_room]
    if running:
        job_id = running[0].job_id
        state = replace(state, job_ids=(*(j for j in state.job_ids if j != job_id), job_id))
        return Watch(state=state, job_id=job_id, live_by=now + plan.live_within, carried_on=True)
    done = {"live_since": state.live_since, "ends_at": ends_at, "restarts": len(ours) - 1,
            "job_ids": list(state.job_ids)}
    if ends_at is not None and now >= ends_at:  # a retry after the end: what MetaStudio recorded decides
        last = ours[-1]
        early = ends_at - last.ended if last.ended is not None else None
        if LIVE_JOB_ENDED.succeeded(last.state) and early is not None and early <= END_TOLERANCE:
            return Finish(state=state, outcome=outcome(
                plan, ShowStatus.SUCCESS, "the show had already run to its end", ended_at=last.ended,
                final_state=last.state, **done))
        message = (f"cut short: livestream {last.job_id} ended {last.state} "
                   f"{f'{early:.0f} s before its end' if early is not None else 'at an unknown time'}")
        return Fail(state=state, outcome=outcome(plan, ShowStatus.CUT_SHORT, message, ended_at=last.ended,
                                                 final_state=last.state, **done))
    if len(ours) > plan.max_restarts:
        message = f"{len(ours)} livestream(s) already ended early: restart budget ({plan.max_restarts}) spent"
        return Fail(state=state, outcome=outcome(plan, ShowStatus.CUT_SHORT, message, **done))
    if ours:
        return Restart(state=replace(state, restarts=len(ours)))
    return GoLive(state=state)


def _after_the_watch(state: ShowState, event: WatchEvent, now: float) -> Step:
    plan = state.plan
    seen = HistoryEntry(at=iso(now), job_id=event.job_id, status=event.status, state=event.state,
                        reason=event.reason or event.message)
    state = replace(state, live_since=state.live_since if state.live_since is not None else event.live_since,
                    history=(*state.history, seen), job_ids=state.job_ids or (event.job_id,))
    ends_at, job = state.ends_at, event.job_id
    common = {"live_since": state.live_since, "ends_at": ends_at, "final_state": event.state,
              "restarts": state.restarts, "events": [h.to_json() for h in state.history],
              "job_ids": list(state.job_ids)}
    if event.status == WatchStatus.COMPLETED:
        if not LIVE_JOB_ENDED.succeeded(event.state):
            message = f"livestream {job} was stopped at its end but reports {event.state}"
            return Fail(state=state, outcome=outcome(plan, ShowStatus.ERROR, message, **common))
        stopped_at = event.stopped_at
        delay = round(stopped_at - ends_at, 1) if stopped_at and ends_at else None
        return Finish(state=state, outcome=outcome(plan, ShowStatus.SUCCESS, "live until its planned end",
                                                   ended_at=stopped_at, stop_delay_seconds=delay, **common))
    if event.status == WatchStatus.ENDED:
        end = event.ended_at or now  # MetaStudio's end time, not when the watch saw it
        left = (ends_at - end) if ends_at else None
        when = f"{left:.0f} s before its end" if left is not None else "before going live"
        warning = f"Livestream {job} ended {event.state} {when}: {event.reason or 'MetaStudio gave no reason'}"
        if left is not None and left <= END_TOLERANCE:
            return Finish(state=state, warning=warning, outcome=outcome(
                plan, ShowStatus.SUCCESS, "live until its planned end", ended_at=end, **common))
        over = ends_at is not None and now >= ends_at  # seen only after its end: no time to restart
        if over or state.restarts >= plan.max_restarts:
            message = (f"cut short: livestream {job} ended {event.state} {when} "
                       f"({event.reason or 'no reason given'}); "
                       + ("seen only after its planned end" if over else
                          f"restart budget ({plan.max_restarts}) spent"))
            return Fail(state=state, warning=warning, outcome=outcome(
                plan, ShowStatus.CUT_SHORT, message, ended_at=end, **common))
        return Restart(state=replace(state, restarts=state.restarts + 1), warning=warning)
    if event.status == WatchStatus.NOT_LIVE:
        message = f"not live: livestream {job} did not go live within {plan.live_within:g} s; stopped"
        return Fail(state=state, stop_job_id=job, outcome=outcome(plan, ShowStatus.NOT_LIVE, message, **common))
    message = f"watching livestream {job} failed: {event.message}"
    return Fail(state=state, stop_job_id=job, outcome=outcome(plan, ShowStatus.ERROR, message, **common))


# -- the outcome ----------------------------------------------------------------------------------
def outcome(plan: Plan, status: ShowStatus, message: str, **fields: Any) -> dict[str, Any]:
    """The ``outcome`` XCom: status and message first, times as ISO (``ends_at`` is ``planned_end``)."""
    result: dict[str, Any] = {"room_id": plan.room_id, "status": status, "message": message,
                              "went_live": fields.get("live_since") is not None}
    fields["planned_end"] = fields.pop("ends_at", None)
    for key in ("live_since", "planned_end", "ended_at"):
        if fields.get(key) is not None:
            fields[key] = iso(fields[key])
    result.update(fields)
    return result


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


# -- MetaStudio's own stop: play_policy.live_exit_config ------------------------------------------------
LIVE_EXIT_MARGIN = 300.0
"""Seconds after a show's planned end before MetaStudio's own stop may come (on top of the whole hours below)."""
LIVE_EXIT_MAX_HOURS = 168
"""``LiveExitConfig.max_live_duration``'s bound in the SDK: hours, at most a week (0 would be no limit)."""


def live_exit_hours(state: ShowState, now: float) -> int:
    """Hours for StartSmartLive's ``live_exit_config.max_live_duration``: the show's time left (all of it
    before it first went live) plus ``LIVE_EXIT_MARGIN``, rounded up to whole hours (MetaStudio's unit),
    1 to 168. MetaStudio then ends the livestream by itself, even if every Airflow process is gone:
    at most an hour and 5 minutes after its planned end (FORCE_EXIT stops within 5 minutes, per the SDK)."""
    left = state.plan.duration if state.ends_at is None else max(state.ends_at - now, 0.0)
    return exit_hours(left)


def exit_hours(seconds_left: float) -> int:
    """``seconds_left`` plus ``LIVE_EXIT_MARGIN`` in whole hours, within LiveExitConfig's 1-168."""
    return max(1, min(LIVE_EXIT_MAX_HOURS, math.ceil((seconds_left + LIVE_EXIT_MARGIN) / 3600)))


def with_live_exit(body: Mapping[str, Any] | None, hours: int) -> dict[str, Any]:
    """A StartSmartLive body carrying ``play_policy.live_exit_config.max_live_duration`` (the smaller of
    ``hours`` and one the body already sets) and ``auto_stop_mode`` FORCE_EXIT unless the body names one."""
    out = copy.deepcopy(dict(body or {}))
    policy = out.setdefault("play_policy", {})
    config = policy.setdefault("live_exit_config", {})
    given = config.get("max_live_duration")
    config["max_live_duration"] = min(hours, given) if given else hours
    config.setdefault("auto_stop_mode", "FORCE_EXIT")
    return out
