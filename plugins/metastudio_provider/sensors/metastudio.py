"""Sensors for every asynchronous MetaStudio resource: deferrable or poke/reschedule mode.

``MetaStudioStateSensor`` does the work for all of them from ``states.RESOURCES``; each named
sensor says which resource it watches and takes its ids as explicit keyword arguments. All take
BaseSensorOperator's arguments (``poke_interval``, ``timeout``, ``mode``, ``soft_fail``, ...).
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from airflow.sdk import PokeReturnValue, XComArg
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout

from metastudio_provider.operators.base import default_deferrable, entry_point, fail_fast
from metastudio_provider.sensors.base import MetaStudioBaseSensor
from metastudio_provider.states import RESOURCES, VIDEO_JOB, Outcome, Resource
from metastudio_provider.triggers.metastudio import VideoJobsTrigger
from metastudio_provider.utils.waiting import defer_until, event_result


def check_interval(poke_interval: timedelta | float | None, poll_interval: float | None) -> timedelta | float:
    """Seconds between checks, in every mode: ``poke_interval`` (Airflow's name) or ``poll_interval``."""
    if poke_interval is not None and poll_interval is not None and poke_interval != poll_interval:
        raise ValueError("give poke_interval or poll_interval (the same thing), not both")
    return next((v for v in (poke_interval, poll_interval) if v is not None), 5.0)


class MetaStudioStateSensor(MetaStudioBaseSensor):
    """Wait until a MetaStudio resource succeeds; raise with MetaStudio's error info if it fails.

    Subclasses take the ids as keyword arguments named as the resource's path parameters (``job_id``,
    ...), pass them as ``ids`` and list them in ``template_fields``. The default pool is the pool of the
    resource's show API. The sensor's XCom is ``{"state", "ids", "response"}``.

    :param deferrable: free the worker slot while waiting; default Airflow's
        ``[operators] default_deferrable``. Not deferrable, ``mode`` (poke/reschedule) applies.
    :param poke_interval: seconds between checks, also of the trigger when deferred (default 5);
        ``poll_interval`` is the same.
    :param timeout: seconds to wait in all (default 6 h).
    """

    kind: str = ""
    """The watched resource (``states.RESOURCES``): set by each subclass, by ``LivestreamJobSensor`` per task."""
    ui_color = "#fff4d6"

    def __init__(self, *, ids: dict[str, str], deferrable: bool | None = None,
                 poke_interval: timedelta | float | None = None, poll_interval: float | None = None,
                 timeout: timedelta | float = 6 * 3600, **kwargs: Any) -> None:
        self.api_name = self.resource.show_api
        super().__init__(poke_interval=check_interval(poke_interval, poll_interval), timeout=timeout, **kwargs)
        for name in self.resource.id_params:
            if ids.get(name) in (None, ""):
                raise ValueError(f"{type(self).__name__} needs {name}=... (got {ids.get(name)!r})")
            setattr(self, name, ids[name])
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    @property
    def poll_interval(self) -> float:
        """Seconds between checks (``poke_interval``), also of the trigger."""
        return self.poke_interval

    @property
    def resource(self) -> Resource:
        return RESOURCES[self.kind]

    @property
    def ids(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.resource.id_params}

    @fail_fast
    def poke(self, context: Any) -> bool | PokeReturnValue:
        response = self.hook.call(self.resource.show_api, self.ids)
        state = self.resource.state_of(response)
        event = {"kind": self.kind, "ids": self.ids, "state": state, "response": response}
        outcome = self.resource.outcome(state)
        self.log.info("%s %s is %s", self.kind, self.ids, state)
        if outcome is Outcome.RUNNING:
            return False
        return PokeReturnValue(True, self.execute_complete(context, {**event, "status": outcome.value}))

    @entry_point
    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        first = self.poke(context)  # already there? then no deferral at all
        if isinstance(first, PokeReturnValue) and first.is_done:
            return first.xcom_value
        defer_until(self, self.kind, self.ids, timeout=self.timeout, poll_interval=self.poll_interval)

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.timeout, self.log)
        return {"state": event["state"], "ids": event["ids"], "response": response}


class _JobSensor(MetaStudioStateSensor):
    """A sensor of a resource with one id, ``job_id``."""

    template_fields = ("job_id", "metastudio_conn_id")

    def __init__(self, *, job_id: str, **kwargs: Any) -> None:
        super().__init__(ids={"job_id": job_id}, **kwargs)


class AssetStateSensor(MetaStudioStateSensor):
    """Wait until the asset ``asset_id`` is ACTIVED."""

    kind = "asset"
    template_fields = ("asset_id", "metastudio_conn_id")

    def __init__(self, *, asset_id: str, **kwargs: Any) -> None:
        super().__init__(ids={"asset_id": asset_id}, **kwargs)


class VideoJobSensor(_JobSensor):
    """Wait until the 2D avatar video job ``job_id`` SUCCEEDs."""

    kind = "video_job"


class LivestreamJobSensor(MetaStudioStateSensor):
    """Wait until the livestream job ``job_id`` of room ``room_id`` is live (PROCESSING), or with
    ``wait_for="ended"`` until it ended."""

    kind = "live_job_on_air"
    template_fields = ("room_id", "job_id", "metastudio_conn_id")

    def __init__(self, *, room_id: str, job_id: str, wait_for: str = "live", **kwargs: Any) -> None:
        if wait_for not in ("live", "ended"):
            raise ValueError(f"wait_for must be 'live' or 'ended', not {wait_for!r}")
        self.kind = "live_job_on_air" if wait_for == "live" else "live_job_ended"
        super().__init__(ids={"room_id": room_id, "job_id": job_id}, **kwargs)
        self.wait_for = wait_for


class AvatarTrainingJobSensor(_JobSensor):
    """Wait until the avatar (2D model) training job ``job_id`` is JOB_SUCCESS/JOB_FINISH."""

    kind = "avatar_training_job"


class VoiceTrainingJobSensor(_JobSensor):
    """Wait until the voice training job ``job_id`` SUCCEEDs."""

    kind = "voice_training_job"


class TtsAuditionSensor(_JobSensor):
    """Wait until the TTS audition (preview) file of job ``job_id`` is complete."""

    kind = "tts_audition"


class VideoJobsSensor(MetaStudioBaseSensor):
    """Wait for many video jobs at once; one ListDigitalHumanVideo call per poll. Always deferrable.

    Returns ``{job_id: {"state", "output_asset_id", "error_info"}}``; with ``fail_on_failed_jobs``
    (default) a failed job fails the task after all jobs ended, naming each failed job.
    ``poke_interval`` (or ``poll_interval``) is the trigger's poll interval (default 5 s).
    """

    template_fields = ("job_ids", "metastudio_conn_id")
    api_name = "ListDigitalHumanVideo"

    def __init__(
        self, *, job_ids: list[str] | str | XComArg, poke_interval: timedelta | float | None = None,
        poll_interval: float | None = None, timeout: timedelta | float = 6 * 3600, fail_on_failed_jobs: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(poke_interval=check_interval(poke_interval, poll_interval), timeout=timeout, **kwargs)
        self.job_ids = job_ids
        self.fail_on_failed_jobs = fail_on_failed_jobs

    @property
    def poll_interval(self) -> float:
        return self.poke_interval

    def _watched(self) -> list[str]:
        """The job ids to watch: ``job_ids`` as rendered (an ``XComArg`` is resolved before ``execute``)."""
        assert not isinstance(self.job_ids, XComArg), "job_ids is rendered before execute"
        return [j for j in (self.job_ids or []) if j]

    @entry_point
    def execute(self, context: Any) -> Any:
        job_ids = self._watched()
        if not job_ids:
            return {}
        self.defer(
            trigger=VideoJobsTrigger(
                job_ids=job_ids,
                metastudio_conn_id=self.metastudio_conn_id,
                region=self.region,
                poll_interval=self.poll_interval,
                end_time=time.time() + self.timeout,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.timeout + 60),
        )

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        jobs = event.get("jobs") or {}
        if event.get("status") == "timeout":
            raise AirflowSensorTimeout(
                f"{len(jobs)} of {len(self._watched())} video jobs ended in {self.timeout:.0f} s")
        if event.get("status") == "error":
            raise AirflowException(f"watching video jobs failed: {event.get('message')}")
        failed = {j: v for j, v in jobs.items() if not VIDEO_JOB.succeeded(v["state"])}
        if failed and self.fail_on_failed_jobs:
            raise AirflowException(f"{len(failed)} video job(s) did not succeed: {failed}")
        return jobs
