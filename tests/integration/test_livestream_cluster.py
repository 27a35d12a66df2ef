"""Livestream shows through Airflow's real scheduler, executor and triggerer: a show is watched, stopped on
time, restarted within its budget, and no livestream outlives its run, however the run ends.

Phase 1 runs these at once, one test room each (tests/scheduler_dags/ms_livestream.py, rooms in
``livestream_rooms/``), plus the project's own DAG unpaused (its latest 20:00 is hours ago, and it has never run):

    ok            live its duration from MetaStudio's start_time, stopped by the watcher on time
    restart       ends FAILED, then BLOCKED: restarted twice (each logged with MetaStudio's reason), success
    spent         ends FAILED twice with one restart allowed: the run fails, saying so
    worker        the show task's process is killed right after StartSmartLive: the retry carries on
                  with that livestream (no second one), and stops it on time
    run-failed    the run is marked failed while live: the trigger's on_kill stops the livestream
    run-success   the run is marked success while live: same
    task-failed   the show task is marked failed while live: stopped, and the run fails
    timeout       the run hits its dagrun_timeout (90 s) while live (ms_livestream_timeout): stopped
    busy          the room is live with a livestream the DAG did not start: the run fails, that one is left alone
    unpaused      metastudio_daily_livestream unpaused: its latest 20:00 (hours ago: the cluster runs it in
                  a zone where it is 23:xx) makes no run (LocalCronTimetable); the next run is the next 20:00

Phase 2, with the triggerer killed (SIGKILL) and started again:

    triggerer     the watch resumes in the new triggerer and stops the show at (or right after) its end
    janitor       the run is marked failed while no triggerer runs (no on_kill): the janitor DAG stops it

Stop delays are measured in the emulator's own clock (its job records) and printed at the end.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pendulum
import pytest

from metastudio_provider.catalog import get_api
from metastudio_provider.client.identity import identity_token

from .airflow_cluster import AirflowClient, AirflowCluster, wait_until

pytestmark = pytest.mark.airflow_integration

DAG_ID = "ms_livestream"
TIMEOUT_DAG_ID = "ms_livestream_timeout"
PROJECT_DAG_ID = "metastudio_daily_livestream"
JANITOR_DAG_ID = "metastudio_livestream_janitor"
SHOW = "livestream.show"
QUICK = 0.2  # minutes live (12 s) for the shows that run to their end
LONG = 2.0  # minutes live for the shows something else ends
TIMED_OUT = 4.0  # minutes planned for the show its run's 90-s dagrun_timeout ends
FIGURES: dict[str, Any] = {}


# -- the emulator's records (in this process) -------------------------------------------------------
def _call(emu: Any, api_name: str, path_params: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    api = get_api(api_name)
    resp = emu.request(api.method, api.format_path(emu.project_id, path_params), json=body)
    assert resp.status_code < 300, f"{api_name}: {resp.status_code} {resp.text}"
    return resp.json() if resp.content else {}


def jobs_of(emu: Any, room: str) -> list[Any]:
    """The livestream jobs of test room ``room`` (``ms-live-<room>``), oldest first."""
    store = emu.state.store
    with store.lock:
        rooms = {rid for rid, r in store.rooms.items() if r.get("room_name") == f"ms-live-{room}"}
        return sorted((j for j in store.live_jobs.values() if j.room_id in rooms), key=lambda j: j.created)


def state_of(emu: Any, job: Any) -> str:
    from metastudio_emulator import lifecycles

    return lifecycles.live_state(job, emu.config.clock(), emu.config)


def live_since(emu: Any, job: Any) -> float:
    from metastudio_emulator import lifecycles

    return lifecycles.live_start_time(job, emu.config)


def ended_at(job: Any) -> float | None:
    return job.stopped_at if job.stopped_at is not None else (job.ending.at if job.ending else None)


def wait_live(emu: Any, room: str, nth: int = 1, timeout: float = 90) -> Any:
    """The ``nth`` job of the room, once it is live (PROCESSING)."""
    def live() -> Any:
        jobs = jobs_of(emu, room)
        return jobs[nth - 1] if len(jobs) >= nth and state_of(emu, jobs[nth - 1]) == "PROCESSING" else None

    return wait_until(live, timeout, interval=0.2, what=f"job {nth} of room {room} live")


def wait_ended(emu: Any, job: Any, timeout: float = 120) -> float:
    """When (emulator clock) the job ended."""
    wait_until(lambda: state_of(emu, job) not in ("WAITING", "PROCESSING"), timeout, interval=0.2,
               what=f"job {job.job_id} ended")
    end = ended_at(job)
    assert end is not None, job
    return end


def end_job(emu: Any, job: Any, **body: Any) -> None:
    import httpx

    resp = httpx.post(f"{emu.base_url}/_emulator/live-jobs/{job.job_id}/end", json=body)
    assert resp.status_code == 200, resp.text


# -- Airflow ----------------------------------------------------------------------------------------
def patch(client: AirflowClient, path: str, body: dict[str, Any]) -> None:
    client.request("PATCH", path, json=body)


def trigger(client: AirflowClient, room: str, minutes: float, dag_id: str = DAG_ID) -> str:
    return client.trigger(dag_id, conf={"room_definitions": [f"livestream_rooms/{room}.yaml"],
                                        "duration_minutes": minutes})


def outcome_of(client: AirflowClient, dag_id: str, run_id: str) -> dict[str, Any]:
    (room,) = client.xcom(dag_id, run_id, "record_outcome", key="outcome")["rooms"]
    return room


def show_log(cluster: AirflowCluster, dag_id: str, run_id: str) -> str:
    return "\n".join(cluster.task_log_files(dag_id, run_id, SHOW).values())


def set_paused(client: AirflowClient, dag_id: str, paused: bool) -> None:
    client.wait_for_dag(dag_id, timeout=120)
    patch(client, f"/api/v2/dags/{dag_id}", {"is_paused": paused})


@contextmanager
def killing_the_first_start(cluster: AirflowCluster, room: str, run: dict[str, str]) -> Iterator[list[int]]:
    """Kill (SIGKILL) the show task's process inside its first StartSmartLive in ``room``, after the
    emulator started the job and before the task hears back: a worker lost mid-start."""
    import metastudio_emulator.runtime as emulator_runtime

    original = emulator_runtime.HANDLERS
    client = AirflowClient(cluster.url, cluster.username, cluster.password)
    killed: list[int] = []

    def start(ctx: Any) -> Any:
        result = original["StartSmartLive"](ctx)
        room_name = ctx.store.rooms.get(ctx.path.get("room_id"), {}).get("room_name")
        if not killed and run and room_name == f"ms-live-{room}":
            ti = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run['run_id']}/taskInstances/{SHOW}/0")
            if ti.get("pid"):
                os.kill(ti["pid"], signal.SIGKILL)
                killed.append(ti["pid"])
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(emulator_runtime, "HANDLERS", {**original, "StartSmartLive": start})
        try:
            yield killed
        finally:
            client.close()


# -- phase 1 ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def phase1(airflow_cluster: AirflowCluster, cluster_emulator: Any) -> Iterator[dict[str, Any]]:
    client = airflow_cluster.client
    emu = cluster_emulator
    began = time.monotonic()
    set_paused(client, JANITOR_DAG_ID, True)  # phase 1 shows what each run's own end does
    # busy: the room the DAG would use (its identity token) is live with a livestream started by hand
    token = identity_token(DAG_ID, "livestream_rooms/busy.yaml")
    room_id = _call(emu, "CreateSmartLiveRoom", body={"room_name": "ms-live-busy",
                                                      "room_description": f"started by hand [{token}]"})["room_id"]
    foreign = _call(emu, "StartSmartLive", {"room_id": room_id}, body={})["job_id"]
    target: dict[str, str] = {}
    runs: dict[str, tuple[str, str]] = {}
    try:
        with killing_the_first_start(airflow_cluster, "worker", target) as killed:
            runs["timeout"] = (TIMEOUT_DAG_ID, trigger(client, "timeout", TIMED_OUT, TIMEOUT_DAG_ID))  # 90 s to go live
            target["run_id"] = trigger(client, "worker", QUICK)
            runs["worker"] = (DAG_ID, target["run_id"])
            for room, minutes in (("ok", QUICK), ("restart", 0.4), ("spent", LONG), ("run-failed", LONG),
                                  ("run-success", LONG), ("task-failed", LONG), ("busy", QUICK)):
                runs[room] = (DAG_ID, trigger(client, room, minutes))
            # its latest 20:00 is hours ago (fixtures.livestream_timezone): unpausing must not make a run for it
            set_paused(client, PROJECT_DAG_ID, False)
            yield {"runs": runs, "killed": killed, "foreign": (room_id, foreign), "began": began,
                   "unpaused_at": time.monotonic()}
    finally:
        set_paused(client, PROJECT_DAG_ID, True)
        if state_of(emu, emu.state.store.live_jobs[foreign]) in ("WAITING", "PROCESSING"):
            _call(emu, "StopSmartLive", {"room_id": room_id, "job_id": foreign})


def test_a_show_cut_short_is_restarted_with_metastudios_reason(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["restart"]
    emu, client = cluster_emulator, airflow_cluster.client
    first = wait_live(emu, "restart", 1)
    end_job(emu, first, state="FAILED", error_code="MSS.00020009", error_msg="encoder crashed")
    second = wait_live(emu, "restart", 2)
    end_job(emu, second, state="BLOCKED", block_reason="copyright claim on the music")
    third = wait_live(emu, "restart", 3)
    assert client.wait_for_run(dag_id, run_id, timeout=120) == "success", client.ti_state_history(dag_id, run_id)
    planned_end = live_since(emu, first) + 0.4 * 60  # the window counts from the first time it went live
    FIGURES["restart: stop after planned end (s)"] = round(wait_ended(emu, third) - planned_end, 2)
    assert -1.0 <= FIGURES["restart: stop after planned end (s)"] <= 5.0
    outcome = outcome_of(client, dag_id, run_id)
    assert outcome["status"] == "success" and outcome["restarts"] == 2, outcome
    reasons = " | ".join(e["reason"] for e in outcome["events"])
    assert "MSS.00020009: encoder crashed" in reasons and "copyright claim on the music" in reasons, outcome
    log = show_log(airflow_cluster, dag_id, run_id)
    assert "Restart 1 of 2" in log and "Restart 2 of 2" in log and "encoder crashed" in log, log[-3000:]
    assert len(jobs_of(emu, "restart")) == 3


def test_a_show_cut_short_beyond_its_restarts_fails_its_run(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["spent"]
    emu, client = cluster_emulator, airflow_cluster.client
    end_job(emu, wait_live(emu, "spent", 1), state="FAILED", error_msg="push stream lost")
    end_job(emu, wait_live(emu, "spent", 2), state="FAILED", error_msg="push stream lost again")
    assert client.wait_for_run(dag_id, run_id, timeout=90) == "failed"
    outcome = outcome_of(client, dag_id, run_id)
    assert outcome["status"] == "cut_short" and "restart budget (1) spent" in outcome["message"], outcome
    assert "push stream lost again" in outcome["message"]
    assert all(state_of(emu, j) == "FAILED" for j in jobs_of(emu, "spent"))


@pytest.mark.parametrize("case, target, state", [
    ("run-failed", "run", "failed"),
    ("run-success", "run", "success"),
    ("task-failed", "task", "failed"),
])
def test_marking_a_live_run_or_show_stops_the_livestream(phase1, airflow_cluster, cluster_emulator, case, target,
                                                          state):
    dag_id, run_id = phase1["runs"][case]
    emu, client = cluster_emulator, airflow_cluster.client
    job = wait_live(emu, case)
    client.wait_for_states(dag_id, run_id, {f"{SHOW}[0]": "deferred"}, timeout=60)
    marked = emu.config.clock()
    if target == "run":
        patch(client, f"/api/v2/dags/{dag_id}/dagRuns/{run_id}", {"state": state})
    else:
        patch(client, f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{SHOW}/0", {"new_state": state})
    delay = wait_ended(emu, job, timeout=120) - marked
    FIGURES[f"{case}: stop after the mark (s)"] = round(delay, 2)
    assert state_of(emu, job) == "SUCCEED" and delay < 30, delay
    deadline, logs = time.monotonic() + 20, ""
    while "Task killed: stopped livestream" not in logs and time.monotonic() < deadline:
        time.sleep(0.5)  # on_kill logs after its StopSmartLive returned: the line may land a moment later
        logs = "\n".join(airflow_cluster.trigger_logs(dag_id, run_id, SHOW).values())
    assert "Task killed: stopped livestream" in logs, logs[-3000:]
    expected = "failed" if case == "task-failed" else state
    assert client.wait_for_run(dag_id, run_id, timeout=90) == expected


def test_a_show_goes_live_for_its_duration_from_metastudios_start_time(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["ok"]
    client = airflow_cluster.client
    assert client.wait_for_run(dag_id, run_id, timeout=120) == "success", client.ti_state_history(dag_id, run_id)
    (job,) = jobs_of(cluster_emulator, "ok")
    shown = _call(cluster_emulator, "ShowSmartLive", {"room_id": job.room_id, "job_id": job.job_id})
    overrun = shown["duration"] - QUICK * 60  # live seconds beyond the planned ones, MetaStudio's clock
    FIGURES["ok: stop after planned end (s)"] = round(overrun, 2)
    assert -1.0 <= overrun <= 5.0, shown
    outcome = outcome_of(client, dag_id, run_id)
    assert outcome["status"] == "success" and outcome["went_live"] and outcome["restarts"] == 0, outcome
    assert "Pausing task as DEFERRED" in show_log(airflow_cluster, dag_id, run_id)  # no worker slot held while live
    trigger_log = "\n".join(airflow_cluster.trigger_logs(dag_id, run_id, SHOW).values())  # the triggerer watched
    assert "is live since" in trigger_log and "completed (SUCCEED)" in trigger_log, trigger_log[-2000:]


def test_a_show_whose_worker_dies_mid_start_is_carried_on_by_the_retry(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["worker"]
    emu, client = cluster_emulator, airflow_cluster.client
    assert client.wait_for_run(dag_id, run_id, timeout=150) == "success", client.ti_state_history(dag_id, run_id)
    assert phase1["killed"], "the show task's process was not killed"
    (job,) = jobs_of(emu, "worker")  # one livestream: the retry carried on with it
    ti = client.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{SHOW}/0")
    assert ti["try_number"] == 2, ti
    assert "Carrying on with livestream" in show_log(airflow_cluster, dag_id, run_id)
    overrun = wait_ended(emu, job) - (live_since(emu, job) + QUICK * 60)
    FIGURES["worker: stop after planned end (s)"] = round(overrun, 2)
    assert -1.0 <= overrun <= 5.0


def test_a_run_that_times_out_stops_its_livestream(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["timeout"]
    emu, client = cluster_emulator, airflow_cluster.client
    assert client.wait_for_run(dag_id, run_id, timeout=150) == "failed"
    (job,) = jobs_of(emu, "timeout")  # it went live before the timeout (90 s)
    end = wait_ended(emu, job, timeout=120)
    run = client.dag_run(dag_id, run_id)
    run_end = pendulum.parse(run["end_date"]).timestamp() + (emu.config.clock() - time.time())  # emulator clock
    FIGURES["timeout: stop after the run failed (s)"] = round(end - run_end, 2)
    assert end - run_end < 30 and state_of(emu, job) == "SUCCEED", (run, end - run_end)
    assert live_since(emu, job) < end < live_since(emu, job) + TIMED_OUT * 60 - 60  # went live, stopped before its end
    logs = "\n".join(airflow_cluster.trigger_logs(dag_id, run_id, SHOW).values())
    assert "Task killed: stopped livestream" in logs, logs[-3000:]


def test_a_room_live_with_someone_elses_livestream_fails_the_run(phase1, airflow_cluster, cluster_emulator):
    dag_id, run_id = phase1["runs"]["busy"]
    emu, client = cluster_emulator, airflow_cluster.client
    assert client.wait_for_run(dag_id, run_id, timeout=90) == "failed"
    room_id, foreign = phase1["foreign"]
    assert state_of(emu, emu.state.store.live_jobs[foreign]) in ("WAITING", "PROCESSING")  # left alone
    assert [j.job_id for j in jobs_of(emu, "busy")] == [foreign]  # no second livestream
    outcome = outcome_of(client, dag_id, run_id)
    assert outcome["status"] == "failed" and outcome["tasks"]["prepare_room"] == "failed", outcome
    log = "\n".join(airflow_cluster.task_log_files(dag_id, run_id, "livestream.prepare_room").values())
    assert f"job {foreign}" in log and "this DAG did not start" in log, log[-2000:]


def test_unpausing_the_daily_livestream_makes_no_run_for_a_time_already_past(phase1, airflow_cluster,
                                                                            cluster_emulator):
    """The trap of "Unpause on trigger": Airflow's own cron timetable would make a scheduled run for the latest
    20:00 (hours ago), which fails as missed and shows the DAG red. The project's timetable makes none: the
    first run is the next 20:00 to come. (A show missed while the DAG was on still fails: test_timetables.py.)"""
    client = airflow_cluster.client
    dag = wait_until(lambda: (d := client.get(f"/api/v2/dags/{PROJECT_DAG_ID}")) and not d["is_paused"] and d,
                     30, interval=1, what="the daily livestream unpaused")
    next_run = pendulum.parse(dag["next_dagrun_run_after"])
    assert next_run > pendulum.now("UTC"), dag  # the next 20:00 to come, not the one hours ago
    assert (next_run - pendulum.now("UTC")).total_hours() <= 24, dag
    time.sleep(max(0.0, 15 - (time.monotonic() - phase1["unpaused_at"])))  # many scheduler loops after the unpause
    runs = client.get(f"/api/v2/dags/{PROJECT_DAG_ID}/dagRuns")["dag_runs"]
    assert runs == [], runs  # no scheduled run for the past, no red run, no show
    names = {"airflow-daily-showcase", "airflow-evening-deals"}
    store = cluster_emulator.state.store
    started = [j for j in store.live_jobs.values() if store.rooms.get(j.room_id, {}).get("room_name") in names]
    assert not started, started


# -- phase 2 ----------------------------------------------------------------------------------------
def test_a_lost_triggerer_and_a_run_marked_failed_without_one(phase1, airflow_cluster, cluster_emulator):
    """Kill the triggerer while two shows are live; mark one run failed (nobody can call on_kill); start a
    new triggerer: it resumes the other show's watch, which stops it at its end; the janitor stops the first."""
    emu, client = cluster_emulator, airflow_cluster.client
    for case in phase1["runs"].values():  # phase 1 is over: no watch of it is running any more
        client.wait_for_run(*case, timeout=120)
    set_paused(client, JANITOR_DAG_ID, False)
    resumed = trigger(client, "triggerer", 0.5)
    orphaned = trigger(client, "janitor", LONG)
    watched, left = wait_live(emu, "triggerer"), wait_live(emu, "janitor")
    for run_id in (resumed, orphaned):
        client.wait_for_states(DAG_ID, run_id, {f"{SHOW}[0]": "deferred"}, timeout=60)

    def watching(run_id: str) -> bool:  # the watch has started in this triggerer and written to its log
        return any(t.strip() for t in airflow_cluster.trigger_logs(DAG_ID, run_id, SHOW).values())

    for run_id in (resumed, orphaned):
        wait_until(lambda r=run_id: watching(r), 30, interval=0.3, what=f"the watch of {run_id} in the first triggerer")
    pid = int((airflow_cluster.run_dir / "triggerer.pid").read_text())
    os.killpg(pid, signal.SIGKILL)
    killed = emu.config.clock()
    try:
        patch(client, f"/api/v2/dags/{DAG_ID}/dagRuns/{orphaned}", {"state": "failed"})
        marked = emu.config.clock()
    finally:
        airflow_cluster.start()
    FIGURES["triggerer: down for (s)"] = round(emu.config.clock() - killed, 1)
    assert client.wait_for_run(DAG_ID, resumed, timeout=150) == "success"
    watches = airflow_cluster.trigger_logs(DAG_ID, resumed, SHOW)  # one log per triggerer that ran the watch
    assert len(watches) == 2 and sum("completed (SUCCEED)" in t for t in watches.values()) == 1, watches.keys()
    overrun = wait_ended(emu, watched) - (live_since(emu, watched) + 0.5 * 60)
    FIGURES["triggerer: stop after planned end (s)"] = round(overrun, 2)
    assert -1.0 <= overrun <= 120, overrun
    stop = wait_ended(emu, left, timeout=150)
    FIGURES["janitor: stop after the mark (s)"] = round(stop - marked, 2)
    assert stop - marked <= 120

    def janitor_stopped_it() -> bool:  # the janitor's run may not be marked success yet: read its task's XCom
        runs = client.get(f"/api/v2/dags/{JANITOR_DAG_ID}/dagRuns", params={"order_by": "-run_after", "limit": 3})
        for run in runs["dag_runs"]:
            path = (f"/api/v2/dags/{JANITOR_DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/"
                    "stop_orphaned_livestreams/xcomEntries/return_value")
            entry = client.request("GET", path, ok=(404,))
            if entry.status_code == 200 and left.job_id in json.dumps(entry.json().get("value")):
                return True
        return False

    wait_until(janitor_stopped_it, 60, interval=1, what="the janitor's XCom naming the livestream it stopped")
    print(f"\nLivestream figures: {FIGURES}")
