"""The livestream watcher: one trigger keeps a show live until its end, then stops it.

``LivestreamWatchTrigger`` polls one livestream job from the triggerer (no worker slot held).
Its end is absolute and in its kwargs (``ends_at``), or follows from MetaStudio's own ``start_time``
of the job plus ``duration``: a triggerer restart resumes the same watch and still stops the job on
time (or at once, if the end passed while no triggerer ran). When a user kills the deferred task
(mark failed, mark success, clear; Airflow >= 3.3 calls ``on_kill``), it stops the job.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.sdk.exceptions import AirflowFailException
from airflow.triggers.base import TriggerEvent

from metastudio_provider.client import MetaStudioError
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.statuses import WatchStatus
from metastudio_provider.states import (
    LIVE_HOLDS_ROOM,
    LIVE_JOB_ENDED,
    LIVE_NOT_YET_ON_AIR,
    LIVE_ON_AIR,
    UnknownStateError,
    describe_error,
)
from metastudio_provider.triggers.base import MetaStudioBaseTrigger
from metastudio_provider.utils.time import service_time

FIRST_LOOK = 1.0
"""Seconds before the first poll: the deferring task just looked (and Airflow 3.3.2 fails a task whose
trigger fires within about a second of its deferral)."""
ON_KILL_TIMEOUT = 25.0
"""Seconds ``on_kill`` may take (Airflow gives it ``[triggerer] on_kill_timeout``, 30 by default)."""
CLASSPATH = "metastudio_provider.triggers.livestream.LivestreamWatchTrigger"
"""The classpath the trigger is serialized with, which the triggerer imports: its first home, which
re-exports it. Every version of the provider has it, so a watch deferred by a worker of one version
runs in a triggerer of another (a rolling upgrade), both ways."""


def ended_at(response: dict[str, Any], clock_skew: float) -> float | None:
    """When MetaStudio says the job ended (its ``end_time``), in this host's clock; None if it does not say."""
    end = service_time(response.get("end_time"))
    return end - clock_skew if end is not None else None


class LivestreamWatchTrigger(MetaStudioBaseTrigger):
    """Watch livestream ``job_id`` in ``room_id``; stop it at its end.

    :param duration: seconds live, counted from MetaStudio's ``start_time`` of the job (read in this
        host's clock: ``clock_skew`` is how far MetaStudio's clock is ahead).
    :param ends_at: the end (epoch seconds) when already known, e.g. for a restarted job.
    :param live_by: epoch seconds by which the job must be live, else it is stopped (``not_live``).
    :param stop_wait: seconds to wait for a stopped job to report its end.

    Events (one; ``status`` is a ``WatchStatus`` value): ``{"status": "completed"}`` (stopped at its end), ``"ended"``
    (it ended by itself: FAILED, BLOCKED, SUCCEED..., also when that is only seen after its end, e.g. after a
    triggerer outage), ``"not_live"`` (stopped: not live by ``live_by``) or ``"error"`` (a permanent error:
    ``message``), with
    ``room_id``, ``job_id``, ``state``, ``reason`` (MetaStudio's ``error_info`` / ``block_reason``),
    ``live_since``, ``ends_at``, ``stopped_at``, ``ended_at`` (when it ended: MetaStudio's ``end_time``, else
    the last time it was seen live, else None) and ``response``.
    Transient errors are logged and the watch goes on: a livestream is never left unwatched.
    """

    def __init__(self, room_id: str, job_id: str, duration: float, ends_at: float | None = None,
                 live_by: float | None = None, clock_skew: float = 0.0, stop_wait: float = 30.0,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room_id = room_id
        self.job_id = job_id
        self.duration = float(duration)
        self.ends_at = ends_at
        self.live_by = live_by
        self.clock_skew = float(clock_skew)
        self.stop_wait = float(stop_wait)
        self._fired = False
        self._seen_live: float | None = None  # the last time a look found the job holding the room

    def own_fields(self) -> dict[str, Any]:
        return {"room_id": self.room_id, "job_id": self.job_id, "duration": self.duration, "ends_at": self.ends_at,
                "live_by": self.live_by, "clock_skew": self.clock_skew, "stop_wait": self.stop_wait}

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return CLASSPATH, super().serialize()[1]

    @property
    def ids(self) -> dict[str, str]:
        return {"room_id": self.room_id, "job_id": self.job_id}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        hook = MetaStudioHook(self.metastudio_conn_id, region=self.region)
        ends_at, live_since = self.ends_at, None
        try:
            await asyncio.sleep(FIRST_LOOK)
            while True:
                if ends_at is not None and time.time() >= ends_at:
                    self.log.info("Livestream %s: its end %s is reached: stopping it", self.job_id, _clock(ends_at))
                    response, stopped_at = await self._stop(hook)
                    # stopped_at None: it had ended by itself, maybe long before its end (seen late)
                    status = WatchStatus.COMPLETED if stopped_at else WatchStatus.ENDED
                    yield self._fire(status, response, ends_at, live_since, stopped_at)
                    return
                shown = await self._show(hook)
                if shown is None:  # transient error, logged: look again
                    await self._sleep(ends_at)
                    continue
                response = shown
                state = LIVE_JOB_ENDED.state_of(response)
                LIVE_JOB_ENDED.outcome(state)  # an unknown state raises UnknownStateError
                if state in LIVE_HOLDS_ROOM:
                    self._seen_live = time.time()
                started = service_time(response.get("start_time"))
                if live_since is None and (state in LIVE_ON_AIR or started is not None):
                    # MetaStudio's start time, even of a job seen only after it ended (it was live in between)
                    live_since = started - self.clock_skew if started is not None else time.time()
                    if ends_at is None:
                        ends_at = live_since + self.duration
                    self.log.info("Livestream %s in room %s is live since %s; stopping it at %s", self.job_id,
                                  self.room_id, _clock(live_since), _clock(ends_at))
                if state in LIVE_NOT_YET_ON_AIR and self.live_by is not None and time.time() >= self.live_by:
                    self.log.warning("Livestream %s is still %s at %s: stopping it", self.job_id, state,
                                     _clock(self.live_by))
                    response, stopped_at = await self._stop(hook)
                    yield self._fire(WatchStatus.NOT_LIVE, response, ends_at, live_since, stopped_at)
                    return
                elif state not in LIVE_HOLDS_ROOM:
                    yield self._fire(WatchStatus.ENDED, response, ends_at, live_since, None)
                    return
                await self._sleep(ends_at)
        except (MetaStudioError, UnknownStateError, ValueError) as exc:
            self._fired = True
            self.log.error("Livestream %s: %s", self.job_id, exc)
            yield TriggerEvent({**self.ids, "status": WatchStatus.ERROR.value, "message": str(exc), "ends_at": ends_at,
                                "live_since": live_since})
        finally:
            await hook.aclose()

    async def _show(self, hook: MetaStudioHook) -> dict[str, Any] | None:
        """ShowSmartLive; None after a transient error (the client already retried), which is logged."""
        try:
            return await hook.acall("ShowSmartLive", self.ids)
        except AirflowFailException:
            raise
        except MetaStudioError as exc:
            self.log.warning("Livestream %s: ShowSmartLive failed (%s); still watching", self.job_id, exc)
            return None

    async def _sleep(self, ends_at: float | None) -> None:
        delay = self.poll_interval if ends_at is None else min(self.poll_interval, max(0.0, ends_at - time.time()))
        await asyncio.sleep(delay)

    async def _stop(self, hook: MetaStudioHook) -> tuple[dict[str, Any], float | None]:
        """Stop the job (retrying transient errors until it takes), then wait up to ``stop_wait`` s for it
        to report its end. Returns its last view and when the stop was accepted (None: it had ended)."""
        stopped_at = None
        while True:
            response = await self._show(hook)
            if response is not None and LIVE_JOB_ENDED.state_of(response) not in LIVE_HOLDS_ROOM:
                return response, stopped_at
            if response is not None and stopped_at is None:
                try:
                    await hook.acall("StopSmartLive", self.ids)
                    stopped_at = time.time()
                    self.log.info("Livestream %s: stop sent", self.job_id)
                except AirflowFailException:
                    # refused: either the job ended meanwhile, or an earlier attempt of this stop took and its
                    # answer was lost (the re-sent stop meets an ended job). Look rather than guess
                    after = await self._show(hook)
                    if after is None or LIVE_JOB_ENDED.state_of(after) in LIVE_HOLDS_ROOM:
                        raise
                    stopped_at = time.time()
                    self.log.info("Livestream %s: stop refused, the job has ended (%s)", self.job_id,
                                  LIVE_JOB_ENDED.state_of(after))
                except MetaStudioError as exc:
                    self.log.warning("Livestream %s: StopSmartLive failed (%s); trying again", self.job_id, exc)
            if stopped_at is not None and time.time() - stopped_at > self.stop_wait:
                return response or {**self.ids}, stopped_at
            await asyncio.sleep(min(1.0, self.poll_interval))

    def _fire(self, status: WatchStatus, response: dict[str, Any], ends_at: float | None, live_since: float | None,
              stopped_at: float | None) -> TriggerEvent:
        self._fired = True
        state = LIVE_JOB_ENDED.state_of(response) if "state" in response else None
        reason = describe_error(LIVE_JOB_ENDED.error_info(response))
        ended = ended_at(response, self.clock_skew) or stopped_at or self._seen_live
        payload = {**self.ids, "status": status.value, "state": state,
                   "reason": "" if reason == "no error info" else reason,
                   "live_since": live_since, "ends_at": ends_at, "stopped_at": stopped_at, "ended_at": ended,
                   "response": LIVE_JOB_ENDED.summary(response)}
        late = f", {stopped_at - ends_at:+.1f} s from its planned end" if stopped_at and ends_at else ""
        self.log.info("Livestream %s: %s (%s)%s%s", self.job_id, status, state, f": {reason}" if payload["reason"]
                      else "", late)
        return TriggerEvent(payload)

    async def on_kill(self) -> None:
        """The deferred task was killed by a user (mark failed / success, clear): stop the livestream.

        Airflow 3.3.2 also calls ``on_kill`` on a triggerer whose trigger was given to another one (it
        stalled past ``[triggerer] triggerer_health_check_threshold``): then the task is still deferred,
        the other triggerer watches the show, and it is left live."""
        if self._fired:
            return
        if await self._task_still_deferred():
            self.log.warning("Livestream %s: this triggerer lost its watch to another (the task is still deferred); "
                             "the show goes on", self.job_id)
            return
        hook = MetaStudioHook(self.metastudio_conn_id, region=self.region)
        try:
            response = await asyncio.wait_for(hook.acall("ShowSmartLive", self.ids), ON_KILL_TIMEOUT / 2)
            if LIVE_JOB_ENDED.state_of(response) in LIVE_HOLDS_ROOM:
                await asyncio.wait_for(hook.acall("StopSmartLive", self.ids), ON_KILL_TIMEOUT / 2)
                self.log.warning("Task killed: stopped livestream %s in room %s", self.job_id, self.room_id)
        except Exception:
            self.log.exception("Task killed, but stopping livestream %s in room %s failed: the janitor DAG will",
                               self.job_id, self.room_id)
        finally:
            await hook.aclose()


    async def _task_still_deferred(self) -> bool:
        """Is the task that deferred to this trigger still deferred? False when it cannot be told."""
        ti = getattr(self, "task_instance", None)
        if ti is None:
            return False
        try:
            from airflow.sdk.execution_time.task_runner import RuntimeTaskInstance
            from asgiref.sync import sync_to_async

            map_index = getattr(ti, "map_index", -1)
            states = await sync_to_async(RuntimeTaskInstance.get_task_states)(
                dag_id=ti.dag_id, map_index=map_index, task_ids=[ti.task_id], run_ids=[ti.run_id])
        except Exception as exc:  # no answer: stop, as for a user's action
            self.log.warning("Livestream %s: could not read the task's state (%s)", self.job_id, exc)
            return False
        key = ti.task_id if map_index is None or map_index < 0 else f"{ti.task_id}_{map_index}"
        return str((states.get(ti.run_id) or {}).get(key)) == "deferred"


def _clock(epoch: float | None) -> str:
    return "-" if epoch is None else time.strftime("%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch % 1 * 10)} UTC"
