"""Deferrable waits: asyncio triggers that poll MetaStudio through the hook's ``acall``.

They share the process's rate limiter (and Redis, if configured), so a triggerer watching a
thousand jobs stays under the query limits. Events are plain JSON. Their base is ``triggers.base``;
these classes keep this module's path, the classpath Airflow stores for a deferred task.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.sdk.exceptions import AirflowFailException
from airflow.triggers.base import TriggerEvent

from metastudio_provider.client import MetaStudioError
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.states import RESOURCES, VIDEO_JOB, Outcome, UnknownStateError, describe_error
from metastudio_provider.triggers.base import MetaStudioBaseTrigger


class MetaStudioStateTrigger(MetaStudioBaseTrigger):
    """Poll one resource (``kind`` in ``states.RESOURCES``) until it succeeds, fails or times out.

    Event: ``{"status": "success" | "failure" | "error" | "timeout", "kind", "ids", "state", "response"}``.
    """

    STORED_KINDS = {"live_job": "live_job_on_air"}
    """Kinds stored under an earlier name by a trigger deferred before an upgrade (Airflow keeps its kwargs)."""

    def __init__(self, kind: str, ids: dict[str, str], **kwargs: Any) -> None:
        kind = self.STORED_KINDS.get(kind, kind)
        super().__init__(**kwargs)
        if kind not in RESOURCES:
            raise ValueError(f"unknown MetaStudio resource kind {kind!r}; expected one of {', '.join(RESOURCES)}")
        self.kind = kind
        self.ids = dict(ids)

    def own_fields(self) -> dict[str, Any]:
        return {"kind": self.kind, "ids": self.ids}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        resource = RESOURCES[self.kind]
        hook = MetaStudioHook(self.metastudio_conn_id, region=self.region)
        event = {"kind": self.kind, "ids": self.ids}
        last_state = None
        try:
            while True:
                # The deferring task checked just now: wait first. (This also keeps the event clear of an
                # Airflow 3.3.2 race where a trigger firing within ~1 s of the deferral fails the task.)
                await asyncio.sleep(self.poll_interval)
                response = await hook.acall(resource.show_api, self.ids)
                state = resource.state_of(response)
                outcome = resource.outcome(state)
                if outcome is Outcome.RUNNING and state != last_state:  # log changes, not every poll
                    self.log.info("%s %s is %s; next check in %ss", self.kind, self.ids, state, self.poll_interval)
                last_state = state
                if outcome is not Outcome.RUNNING:
                    yield self._fire({**event, "status": outcome.value, "state": state,
                                      "response": resource.summary(response)})
                    return
                if self.timed_out():
                    yield self._fire({**event, "status": "timeout", "state": state,
                                      "response": resource.summary(response)})
                    return
        except (MetaStudioError, UnknownStateError, ValueError) as exc:
            permanent = isinstance(exc, (AirflowFailException, UnknownStateError))
            yield self._fire({**event, "status": "error", "message": str(exc), "permanent": permanent})
        finally:
            await hook.aclose()

    def _fire(self, payload: dict[str, Any]) -> TriggerEvent:
        """The event, logged as one line: kind, ids, status, state and MetaStudio's error, if any."""
        error = payload.get("message") or describe_error(RESOURCES[self.kind].error_info(payload.get("response") or {}))
        self.log.info("%s %s: %s (%s)%s", self.kind, self.ids, payload["status"], payload.get("state", "-"),
                      "" if error == "no error info" else f": {error}")
        return TriggerEvent(payload)


class VideoJobsTrigger(MetaStudioBaseTrigger):
    """Watch many video jobs with ONE ListDigitalHumanVideo call per poll (``job_ids`` repeated).

    Fires when every job has ended. Event: ``{"status": "success" | "failure" | "error" | "timeout",
    "jobs": {job_id: {"state", "output_asset_id", "error_info"}}}`` — "failure" if any job failed.
    """

    page_size = 100
    missing_polls = 3
    """A job the listing has not returned this many polls in a row is reported NOT_FOUND (a failure)."""

    def __init__(self, job_ids: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.job_ids = list(job_ids)

    def own_fields(self) -> dict[str, Any]:
        return {"job_ids": self.job_ids}

    async def run(self) -> AsyncIterator[TriggerEvent]:
        resource = RESOURCES["video_job"]
        hook = MetaStudioHook(self.metastudio_conn_id, region=self.region)
        done: dict[str, dict[str, Any]] = {}
        unseen: dict[str, int] = {}
        reported = 0
        try:
            while True:
                await asyncio.sleep(self.poll_interval)  # jobs were just submitted: nothing ends at once
                pending = [j for j in self.job_ids if j not in done]
                for start in range(0, len(pending), self.page_size):
                    page = pending[start : start + self.page_size]
                    listing = await hook.acall(
                        "ListDigitalHumanVideo", query={"job_ids": page, "limit": len(page)}
                    )
                    listed = {job.get("job_id") for job in listing.get("jobs") or []}
                    for job_id in page:
                        unseen[job_id] = 0 if job_id in listed else unseen.get(job_id, 0) + 1
                        if unseen[job_id] >= self.missing_polls:
                            done[job_id] = {"state": "NOT_FOUND", "output_asset_id": None,
                                            "error_info": {"error_msg": f"job {job_id} is not listed by MetaStudio"}}
                    for job in listing.get("jobs") or []:
                        state = str(job.get("state"))
                        if job.get("job_id") in page and resource.outcome(state) is not Outcome.RUNNING:
                            done[job["job_id"]] = {
                                "state": state,
                                "output_asset_id": (job.get("output_asset_config") or {}).get("asset_id"),
                                "error_info": job.get("error_info"),
                            }
                if len(done) != reported:
                    reported = len(done)
                    self.log.info("%d of %d video jobs ended", reported, len(self.job_ids))
                if len(done) == len(self.job_ids):
                    failed = not all(VIDEO_JOB.succeeded(j["state"]) for j in done.values())
                    outcome = Outcome.FAILURE if failed else Outcome.SUCCESS
                    yield TriggerEvent({"status": outcome.value, "jobs": done})
                    return
                if self.timed_out():
                    yield TriggerEvent({"status": "timeout", "jobs": done})
                    return
        except (MetaStudioError, UnknownStateError, ValueError) as exc:
            yield TriggerEvent({"status": "error", "message": str(exc), "jobs": done})
        finally:
            await hook.aclose()
