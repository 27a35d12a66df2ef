"""A livestream started and stopped by tasks of their own (``StartLivestreamOperator``, ``StopLivestreamOperator``),
rather than a whole show (``LivestreamShowOperator``)."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from metastudio_provider.livestream.claims import stop_job
from metastudio_provider.livestream.statuses import IfLive
from metastudio_provider.livestream.steps import LIVE_EXIT_MAX_HOURS, with_live_exit
from metastudio_provider.operators.base import entry_point
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.states import LIVE_HOLDS_ROOM
from metastudio_provider.utils.waiting import event_result

__all__ = ["StartLivestreamOperator", "StopLivestreamOperator"]


class StartLivestreamOperator(WorkflowOperator):
    """Start a livestream in a room and wait (deferred) until it is live.

    Never starts a second livestream in a room that is already live: by default that fails the
    task, naming the running job; ``if_live="adopt"`` carries on with it instead (a retried try
    always adopts the job its earlier try started). Pushes ``room_id`` and ``job_id``.
    ``on_kill`` stops the livestream this task started.

    :param max_live_hours: MetaStudio ends the livestream by itself this many hours after it went live
        (``play_policy.live_exit_config.max_live_duration``, 1-168; a smaller one in ``body`` wins), so
        that no livestream started from Airflow runs on if Airflow is gone. Default 24.
    """

    template_fields = ("room_id", "body", "metastudio_conn_id")
    template_fields_renderers = {"body": "json"}
    api_name = "StartSmartLive"

    def __init__(self, *, room_id: str, body: dict[str, Any] | None = None, if_live: str = IfLive.FAIL,
                 wait_until_live: bool = True, max_live_hours: int = 24, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 1 <= max_live_hours <= LIVE_EXIT_MAX_HOURS:
            raise ValueError(
                f"max_live_hours must be 1-{LIVE_EXIT_MAX_HOURS} (MetaStudio's bound), not {max_live_hours}"
            )
        self.max_live_hours = max_live_hours
        if if_live not in list(IfLive):
            raise ValueError(f"if_live must be {' or '.join(repr(m.value) for m in IfLive)}, not {if_live!r}")
        self.room_id = room_id
        self.body = body
        self.if_live = IfLive(if_live)
        self.wait_until_live = wait_until_live
        self.started_job_id: str | None = None

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        running = self.hook.call(
            "ListSmartLive",
            {"room_id": self.room_id},
            query={"state": ",".join(sorted(LIVE_HOLDS_ROOM)), "limit": 10},
        ).get("smart_live_jobs") or []
        if running and not (self.if_live == IfLive.ADOPT or self._retrying(context)):
            raise AirflowFailException(  # not transient: no retry, so no later try can adopt the other stream
                f"room {self.room_id} is already live (job {running[0]['job_id']}, {running[0].get('state')}); "
                "not starting a second livestream"
            )
        if running:
            job_id = running[0]["job_id"]
            self.log.info("Room %s already runs job %s: carrying on with it", self.room_id, job_id)
        else:
            body = with_live_exit(self.body, self.max_live_hours)
            job_id = self.hook.call("StartSmartLive", {"room_id": self.room_id}, body=body)["job_id"]
            self.started_job_id = job_id
        ids = {"room_id": self.room_id, "job_id": job_id}
        ti.xcom_push(key="room_id", value=self.room_id)
        ti.xcom_push(key="job_id", value=job_id)
        self._link(context, "live_job_on_air", ids)
        if not self.wait_until_live:
            return ids
        return self.execute_complete(context, self._wait("live_job_on_air", ids))

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {"room_id": response.get("room_id", event["ids"]["room_id"]), "job_id": response["job_id"],
                "state": response["state"]}

    def on_kill(self) -> None:
        if self.started_job_id and stop_job(self.hook, self.room_id, self.started_job_id):
            self.log.info("Stopped livestream %s in room %s", self.started_job_id, self.room_id)


class StopLivestreamOperator(WorkflowOperator):
    """Stop a livestream and wait (deferred) until it has ended; a livestream already ended is left alone."""

    template_fields = ("room_id", "job_id", "metastudio_conn_id")
    api_name = "StopSmartLive"

    def __init__(self, *, room_id: str, job_id: str, wait_until_ended: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room_id = room_id
        self.job_id = job_id
        self.wait_until_ended = wait_until_ended

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        if not self.job_id or self.job_id == "None":
            raise AirflowSkipException(f"no livestream was started in room {self.room_id}: nothing to stop")
        ids = {"room_id": self.room_id, "job_id": self.job_id}
        state = self.hook.show_live_job(**ids).get("state")
        if state in LIVE_HOLDS_ROOM:
            self.hook.call("StopSmartLive", ids)
        else:
            self.log.info("Livestream %s already ended (%s)", self.job_id, state)
        self._link(context, "live_job_ended", ids)
        if not self.wait_until_ended:
            return {**ids, "state": state}
        return self.execute_complete(context, self._wait("live_job_ended", ids))

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {**event["ids"], "state": response["state"]}
