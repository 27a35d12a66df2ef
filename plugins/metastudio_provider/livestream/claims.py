"""Which run a live room belongs to, and who stops the livestreams a finished run left behind.

``PrepareLivestreamRoomOperator`` writes a *claim* into the room's ``priv_data`` (the SDK's "private
data, returned as is"): the DAG id and run id (with that run's identity token) and the task that runs
the show (task id, map index). That task records in its XComs every livestream it starts
(``job_ids``) and, just before each StartSmartLive, when it sends one (``start_attempts``, in
MetaStudio's clock, with the job id once answered), so a start whose answer was lost is still known.
Once the claiming run is no longer running, ``settle_room`` (the next preparation of the room) and
``stop_orphans`` (the janitor DAG, every minute) stop those livestreams, and only those: a livestream
started by hand in the console, in any room, is never touched. While the run runs, a retry of its show
task carries on with a livestream of the room created since the claim (the room's ``update_time``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.client import MetaStudioError
from metastudio_provider.client.identity import identity_token
from metastudio_provider.livestream.statuses import RunState
from metastudio_provider.states import LIVE_HOLDS_ROOM
from metastudio_provider.utils.time import service_time

CLAIM_KEY = "airflow_livestream"
RUNNING_RUN_STATES = ("queued", "running")
"""Airflow's DagRun states of a run that still owns its room (``RunState.RUNNING``)."""
JOB_IDS_XCOM = "job_ids"
START_ATTEMPTS_XCOM = "start_attempts"
START_WINDOW = 120.0
"""Seconds after a StartSmartLive that never got its answer during which a job created in the room is that
start's (a create is not re-sent after an ambiguous failure: it took at most one HTTP timeout, 30 s by default)."""


@dataclass(frozen=True)
class Claim:
    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1

    @property
    def token(self) -> str:
        """The run identity token (``client.identity``) of the claiming run."""
        return identity_token(self.dag_id, self.run_id)

    def priv_data(self) -> str:
        return json.dumps({CLAIM_KEY: {"dag_id": self.dag_id, "run_id": self.run_id, "token": self.token,
                                       "task_id": self.task_id, "map_index": self.map_index}},
                          separators=(",", ":"))

    @classmethod
    def of_room(cls, room: dict[str, Any]) -> Claim | None:
        """The claim a room carries, if its ``priv_data`` holds one whose token matches its run."""
        try:
            data = json.loads(room.get("priv_data") or "")[CLAIM_KEY]
            claim = cls(str(data["dag_id"]), str(data["run_id"]), str(data["task_id"]), int(data["map_index"]))
        except (ValueError, TypeError, KeyError):
            return None
        return claim if data.get("token") == claim.token else None

    def since_claim(self, room: dict[str, Any], job: dict[str, Any]) -> bool:
        """Was ``job`` created after the room was claimed (its ``update_time``; MetaStudio's clock)?"""
        since, created = service_time(room.get("update_time")), service_time(job.get("create_time"))
        return since is not None and created is not None and created >= since - 1  # whole seconds

    def is_run(self, dag_id: str, run_id: str) -> bool:
        return (self.dag_id, self.run_id) == (dag_id, run_id)

    def __str__(self) -> str:
        return f"{self.dag_id} run {self.run_id}"


@dataclass
class Started:
    """What the claiming task recorded: the jobs it started, and when it sent a StartSmartLive whose answer
    (the job id) it never got."""

    job_ids: set[str] = field(default_factory=set)
    attempts: list[float] = field(default_factory=list)

    def includes(self, job: dict[str, Any]) -> bool:
        if job.get("job_id") in self.job_ids:
            return True
        created = service_time(job.get("create_time"))
        return created is not None and any(at - 2 <= created <= at + START_WINDOW for at in self.attempts)


class Runs:
    """What Airflow knows of the claiming runs, asked through a task's own API (no DB access)."""

    def __init__(self, ti: Any) -> None:
        self.ti = ti

    def state(self, dag_id: str, run_id: str) -> RunState | None:
        """``running`` (or queued), ``finished``, or None if this Airflow has no such run."""
        if not self.ti.get_dr_count(dag_id=dag_id, run_ids=[run_id]):
            return None
        running = self.ti.get_dr_count(dag_id=dag_id, run_ids=[run_id], states=list(RUNNING_RUN_STATES))
        return RunState.RUNNING if running else RunState.FINISHED

    def started(self, claim: Claim) -> Started:
        def pull(key: str) -> list[Any]:
            value = self.ti.xcom_pull(task_ids=claim.task_id, dag_id=claim.dag_id, run_id=claim.run_id, key=key,
                                      map_indexes=claim.map_index)
            return list(value) if isinstance(value, list | tuple) else []

        attempts = [a for a in pull(START_ATTEMPTS_XCOM) if isinstance(a, dict)]
        return Started({str(j) for j in pull(JOB_IDS_XCOM)} | {str(a["job_id"]) for a in attempts if a.get("job_id")},
                       [float(a["at"]) for a in attempts if not a.get("job_id") and a.get("at") is not None])


def live_jobs(hook: Any, room_id: str | None = None) -> Iterator[dict[str, Any]]:
    """The livestream jobs holding a room: of one room (ListSmartLive) or of the tenant (ListSmartLiveJobs)."""
    query: dict[str, Any] = {"state": ",".join(sorted(LIVE_HOLDS_ROOM)), "limit": 100, "offset": 0}
    api, path = ("ListSmartLive", {"room_id": room_id}) if room_id else ("ListSmartLiveJobs", None)
    while True:
        page = hook.call(api, path, query=query).get("smart_live_jobs") or []
        yield from page
        if len(page) < query["limit"]:
            return
        query["offset"] += len(page)


def stop_job(hook: Any, room_id: str, job_id: str) -> bool:
    """StopSmartLive; False if the job had ended meanwhile (MetaStudio refuses to stop an ended job)."""
    try:
        hook.call("StopSmartLive", {"room_id": room_id, "job_id": job_id})
    except AirflowFailException:
        if hook.show_live_job(room_id, job_id).get("state") in LIVE_HOLDS_ROOM:
            raise
        return False
    return True


def settle_room(hook: Any, room: dict[str, Any], dag_id: str, run_id: str, runs: Runs, log: Any) -> list[str]:
    """Before a run claims ``room``: stop what a finished run left live in it; refuse a room that is live
    for another running run, or with a livestream this DAG did not start. Returns the jobs stopped."""
    claim = Claim.of_room(room)
    stopped = []
    for job in live_jobs(hook, room["room_id"]):
        what = f"room {room.get('room_name') or room['room_id']} is live (job {job['job_id']}, {job.get('state')})"
        if claim is not None and claim.is_run(dag_id, run_id) and claim.since_claim(room, job):
            continue  # ours: a retry carries on with it
        state = runs.state(claim.dag_id, claim.run_id) if claim is not None else None
        if claim is not None and state == RunState.RUNNING:
            raise AirflowFailException(f"{what} for {claim}, which is still running: not taking the room over")
        if claim is None or state is None or not runs.started(claim).includes(job):
            raise AirflowFailException(f"{what} with a livestream this DAG did not start: not starting a second "
                                       "one; stop it in the MetaStudio console or wait until it ends")
        if stop_job(hook, room["room_id"], job["job_id"]):
            log.warning("Stopped livestream %s in room %s: left live by %s, which is %s",
                        job["job_id"], room["room_id"], claim, state)
            stopped.append(job["job_id"])
    return stopped


def stop_orphans(hook: Any, runs: Runs, log: Any) -> list[dict[str, Any]]:
    """The janitor: stop every live job that a claiming run started and left live, once that run is no
    longer running.

    One ListSmartLiveJobs call when nothing is live, plus one ShowSmartLiveRoom per live room. A room
    without a claim, a run this Airflow does not know (another deployment's) and a livestream the
    run did not start are left alone.
    """
    stopped = []
    rooms: dict[str, dict[str, Any]] = {}
    for job in live_jobs(hook):
        room_id = job.get("room_id")
        if not room_id:
            continue
        try:
            room = rooms.get(room_id) or rooms.setdefault(room_id, hook.call("ShowSmartLiveRoom", {"room_id": room_id}))
        except MetaStudioError as exc:
            log.warning("Room %s of live job %s: %s", room_id, job["job_id"], exc)
            continue
        claim = Claim.of_room(room)
        if claim is None:
            continue
        state = runs.state(claim.dag_id, claim.run_id)
        if state in (None, RunState.RUNNING) or not runs.started(claim).includes(job):
            continue
        if stop_job(hook, room_id, job["job_id"]):
            log.warning("Stopped livestream %s in room %s: left live by %s, which is %s",
                        job["job_id"], room_id, claim, state)
            stopped.append({"room_id": room_id, "job_id": job["job_id"], "dag_id": claim.dag_id,
                            "run_id": claim.run_id})
    return stopped
