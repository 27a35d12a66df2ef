"""Which run a live room belongs to, and who stops the livestreams a finished run left behind.

``PrepareLivestreamRoomOperator`` writes a *claim* into the room's ``priv_data`` (the SDK's "private
data, returned as is"): the DAG id, the run id, that run's identity token and until when the claim
holds. The room's ``update_time`` then says, in MetaStudio's own clock, since when. A livestream job
of the room created after that (and before ``until``) belongs to the run: the run's retries adopt
it, and once the run is no longer running, ``settle_room`` (the next preparation of the room) and
``stop_orphans`` (the janitor DAG, every minute) stop it. A livestream started by hand in the
console after that window, or in a room without a claim, is never touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.client import MetaStudioError
from metastudio_provider.client.identity import identity_token
from metastudio_provider.states import LIVE_HOLDS_ROOM

CLAIM_KEY = "airflow_livestream"
RUNNING_RUN_STATES = ("queued", "running")

RunState = Callable[[str, str], "str | None"]
"""``(dag_id, run_id)`` → the run's state (``running``, ``failed``...), None if this Airflow has no such run."""


def service_time(value: Any) -> float | None:
    """An RFC 3339 time of MetaStudio (``2021-01-10T08:43:17Z``) as epoch seconds; a whole-second one is
    read as the middle of its second (MetaStudio truncates). None if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp() + (0.5 if parsed.microsecond == 0 else 0.0)


@dataclass(frozen=True)
class Claim:
    dag_id: str
    run_id: str
    until: float

    @property
    def token(self) -> str:
        """The run identity token (``client.identity``) of the claiming run."""
        return identity_token(self.dag_id, self.run_id)

    def priv_data(self) -> str:
        until = datetime.fromtimestamp(self.until, UTC).isoformat()
        return json.dumps({CLAIM_KEY: {"dag_id": self.dag_id, "run_id": self.run_id, "token": self.token,
                                       "until": until}}, separators=(",", ":"))

    @classmethod
    def of_room(cls, room: dict[str, Any]) -> Claim | None:
        """The claim a room carries, if its ``priv_data`` holds one whose token matches its run."""
        try:
            data = json.loads(room.get("priv_data") or "")[CLAIM_KEY]
            claim = cls(str(data["dag_id"]), str(data["run_id"]), datetime.fromisoformat(data["until"]).timestamp())
        except (ValueError, TypeError, KeyError):
            return None
        return claim if data.get("token") == claim.token else None

    def covers(self, room: dict[str, Any], job: dict[str, Any]) -> bool:
        """Was ``job`` started in the room while this claim held (MetaStudio's clock for the start)?"""
        since, created = service_time(room.get("update_time")), service_time(job.get("create_time"))
        if since is None or created is None:
            return False
        return since - 1 <= created <= self.until  # whole seconds: a job started in the claim's second counts

    def is_run(self, dag_id: str, run_id: str) -> bool:
        return (self.dag_id, self.run_id) == (dag_id, run_id)

    def __str__(self) -> str:
        return f"{self.dag_id} run {self.run_id}"


def run_state_from_ti(ti: Any) -> RunState:
    """A ``RunState`` that asks Airflow through the task's own API (``get_dr_count``): no DB access."""

    def state(dag_id: str, run_id: str) -> str | None:
        if not ti.get_dr_count(dag_id=dag_id, run_ids=[run_id]):
            return None
        running = ti.get_dr_count(dag_id=dag_id, run_ids=[run_id], states=list(RUNNING_RUN_STATES))
        return "running" if running else "finished"

    return state


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


def settle_room(hook: Any, room: dict[str, Any], dag_id: str, run_id: str, run_state: RunState, log: Any) -> list[str]:
    """Before a run claims ``room``: stop what a finished run left live in it; refuse a room that is live
    for another running run, or with a livestream this DAG did not start. Returns the jobs stopped."""
    claim = Claim.of_room(room)
    stopped = []
    for job in live_jobs(hook, room["room_id"]):
        what = f"room {room.get('room_name') or room['room_id']} is live (job {job['job_id']}, {job.get('state')})"
        if claim is None or not claim.covers(room, job):
            raise AirflowFailException(f"{what} with a livestream this DAG did not start: not starting a second "
                                       "one; stop it in the MetaStudio console or wait until it ends")
        if claim.is_run(dag_id, run_id):
            continue  # ours: a retry carries on with it
        state = run_state(claim.dag_id, claim.run_id)
        if state == "running":
            raise AirflowFailException(f"{what} for {claim}, which is still running: not taking the room over")
        if stop_job(hook, room["room_id"], job["job_id"]):
            log.warning("Stopped livestream %s in room %s: left live by %s, which is %s",
                        job["job_id"], room["room_id"], claim, state or "gone")
            stopped.append(job["job_id"])
    return stopped


def stop_orphans(hook: Any, run_state: RunState, log: Any) -> list[dict[str, Any]]:
    """The janitor: stop every live job of a claimed room whose claiming run is no longer running.

    One ListSmartLiveJobs call when nothing is live, plus one ShowSmartLiveRoom per live room. A run
    this Airflow does not know (another deployment's claim) is left alone.
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
        if claim is None or not claim.covers(room, job):
            continue
        state = run_state(claim.dag_id, claim.run_id)
        if state in (None, "running"):
            continue
        if stop_job(hook, room_id, job["job_id"]):
            log.warning("Stopped livestream %s in room %s: left live by %s, which is %s",
                        job["job_id"], room_id, claim, state)
            stopped.append({"room_id": room_id, "job_id": job["job_id"], "dag_id": claim.dag_id,
                            "run_id": claim.run_id})
    return stopped
