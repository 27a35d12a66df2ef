"""Sensors for every asynchronous MetaStudio resource; deferrable by default (poke mode available).

``MetaStudioStateSensor`` does the work for all of them from ``states.RESOURCES``; each named
sensor only says which resource it watches and so which ids it takes as arguments.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, ClassVar

from airflow.sdk import PokeReturnValue
from airflow.sdk.exceptions import AirflowException, AirflowSensorTimeout

from metastudio_provider.operators.base import MetaStudioBaseSensor
from metastudio_provider.operators.waiting import defer_until, event_result
from metastudio_provider.states import RESOURCES, Outcome, Resource
from metastudio_provider.triggers.metastudio import VideoJobsTrigger


class MetaStudioStateSensor(MetaStudioBaseSensor):
    """Wait until a MetaStudio resource succeeds; raise with MetaStudio's error info if it fails.

    The ids are keyword arguments named as the resource's path parameters (``job_id``, ...).
    The sensor's XCom is ``{"state", "ids", "response"}``.

    :param deferrable: free the worker slot while waiting (default True).
    :param poll_interval: seconds between checks.
    """

    kind: ClassVar[str] = ""
    ui_color = "#fff4d6"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            cls.template_fields = RESOURCES[cls.kind].id_params
            cls.api_name = RESOURCES[cls.kind].show_api

    def __init__(self, *, deferrable: bool = True, poll_interval: float = 5.0, **kwargs: Any) -> None:
        ids = {name: kwargs.pop(name, None) for name in self.resource.id_params}
        kwargs.setdefault("timeout", 6 * 3600)
        super().__init__(poke_interval=poll_interval, **kwargs)
        for name, value in ids.items():
            if value is None:
                raise ValueError(f"{type(self).__name__} needs {name}=...")
            setattr(self, name, value)
        self.deferrable = deferrable
        self.poll_interval = poll_interval

    @property
    def resource(self) -> Resource:
        return RESOURCES[self.kind]

    @property
    def ids(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in self.resource.id_params}

    def poke(self, context: Any) -> bool | PokeReturnValue:
        response = self.hook.call(self.resource.show_api, self.ids)
        state = self.resource.state_of(response)
        event = {"kind": self.kind, "ids": self.ids, "state": state, "response": response}
        outcome = self.resource.outcome(state)
        self.log.info("%s %s is %s", self.kind, self.ids, state)
        if outcome is Outcome.RUNNING:
            return False
        return PokeReturnValue(True, self.execute_complete(context, {**event, "status": outcome.value}))

    def execute(self, context: Any) -> Any:
        if not self.deferrable:
            return super().execute(context)
        first = self.poke(context)  # already there? then no deferral at all
        if first:
            return first.xcom_value
        defer_until(self, self.kind, self.ids, timeout=self.timeout, poll_interval=self.poll_interval)

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.timeout, self.log)
        return {"state": event["state"], "ids": event["ids"], "response": response}


class AssetStateSensor(MetaStudioStateSensor):
    """Wait until an asset is ACTIVED (takes ``asset_id``)."""

    kind = "asset"


class VideoJobSensor(MetaStudioStateSensor):
    """Wait until a 2D avatar video job SUCCEEDs (takes ``job_id``)."""

    kind = "video_job"


class LivestreamJobSensor(MetaStudioStateSensor):
    """Wait until a livestream job is live (PROCESSING), or with ``wait_for="ended"`` until it ended."""

    kind = "live_job"

    def __init__(self, *, wait_for: str = "live", **kwargs: Any) -> None:
        if wait_for not in ("live", "ended"):
            raise ValueError(f"wait_for must be 'live' or 'ended', not {wait_for!r}")
        self.kind = "live_job" if wait_for == "live" else "live_job_ended"
        super().__init__(**kwargs)
        self.wait_for = wait_for


class AvatarTrainingJobSensor(MetaStudioStateSensor):
    """Wait until an avatar (2D model) training job is JOB_SUCCESS/JOB_FINISH (takes ``job_id``)."""

    kind = "avatar_training_job"


class VoiceTrainingJobSensor(MetaStudioStateSensor):
    """Wait until a voice training job SUCCEEDs (takes ``job_id``)."""

    kind = "voice_training_job"


class TtsAuditionSensor(MetaStudioStateSensor):
    """Wait until a TTS audition (preview) file is complete (takes ``job_id``)."""

    kind = "tts_audition"


class VideoJobsSensor(MetaStudioBaseSensor):
    """Wait for many video jobs at once; one ListDigitalHumanVideo call per poll. Always deferrable.

    Returns ``{job_id: {"state", "output_asset_id", "error_info"}}``; with ``fail_on_failed_jobs``
    (default) a failed job fails the task after all jobs ended, naming each failed job.
    """

    template_fields = ("job_ids",)
    api_name = "ListDigitalHumanVideo"

    def __init__(
        self, *, job_ids: list[str] | str, poll_interval: float = 5.0, fail_on_failed_jobs: bool = True, **kwargs: Any
    ) -> None:
        kwargs.setdefault("timeout", 6 * 3600)
        super().__init__(poke_interval=poll_interval, **kwargs)
        self.job_ids = job_ids
        self.poll_interval = poll_interval
        self.fail_on_failed_jobs = fail_on_failed_jobs

    def execute(self, context: Any) -> Any:
        job_ids = [j for j in (self.job_ids or []) if j]
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

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        jobs = event.get("jobs") or {}
        if event.get("status") == "timeout":
            raise AirflowSensorTimeout(f"{len(jobs)} of {len(self.job_ids)} video jobs ended in {self.timeout:.0f} s")
        if event.get("status") == "error":
            raise AirflowException(f"watching video jobs failed: {event.get('message')}")
        failed = {j: v for j, v in jobs.items() if v["state"] != "SUCCEED"}
        if failed and self.fail_on_failed_jobs:
            raise AirflowException(f"{len(failed)} video job(s) did not succeed: {failed}")
        return jobs
