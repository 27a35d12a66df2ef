"""Scale-out: the Celery cluster of ``make cluster`` survives a worker, then a triggerer, killed mid-work.

One cluster for the module, the real deployment (scripts/cluster_start.sh: CeleryExecutor, PostgreSQL, Redis
broker and shared Redis limiter, 2 Celery workers, 2 triggerers, the emulator as a process), in three phases.

**A worker killed mid-submission** (test_backfill_on_celery_survives_a_killed_worker): ``airflow backfill
create`` over two dates of 30 videos each, in chunks of 10 so both workers get chunks. While chunks are
submitting, every process of the worker running the most chunks is SIGKILLed (its host "dies"). Then:

* the killed chunks are failed by the task-instance heartbeat timeout within a minute and retried on
  the other worker, and both runs succeed;
* every row has exactly one video, SUCCEED, and the emulator admitted exactly one create per row;
* no API was ever called above its per-second limit (the emulator's counters: no 429, and the most
  admitted in any 1-s window is at most the limit);
* both workers ran tasks (task-instance hostnames ``worker<i>@<host>`` from the REST API).

**A triggerer killed while a show is live and videos render** (test_a_killed_triggerers_show_and_renders_go_on):
the project's daily livestream (one room, a 30-s show) and a backfill run of 3 videos (the emulator restarted
with a 35-s render) at once; once the show's watch and the render wait are both deferred, the triggerer holding
them (``trigger`` joined with ``job``: hostnames ``triggerer<i>@<host>``) is SIGKILLed with its children. (Airflow
hands a new trigger to whichever triggerer looks first: the other one is paused with SIGSTOP while the two are
placed and started, so that both are on the one killed, and resumed, heartbeating, before the kill.) Then:

* the other triggerer holds both triggers within ``[triggerer] triggerer_health_check_threshold`` (10 s here,
  30 s in make cluster) plus a few seconds, and the takeover time is printed;
* the show went live once (one StartSmartLive, one job in its room), was not stopped before its end (one
  StopSmartLive: the new triggerer's, at the planned end) and its run succeeds, with no restart;
* each video was created once and its run succeeds.

**Every Airflow process killed while a show is live** (test_metastudio_ends_a_show_when_every_airflow_process_is_gone,
last): MetaStudio ends the show at the max_live_duration its start carried, and no StopSmartLive is sent.

With one triggerer nothing takes the triggers over: the show is stopped by no one (MetaStudio's own
``max_live_duration`` ends it, 5 min after its end at the earliest) and the render wait never ends; the test fails
at the takeover wait.

PostgreSQL and Redis missing: skipped, or failed when CI=true.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml

from metastudio_provider.utils.time import service_time

from .airflow_cluster import wait_until
from .celery_cluster import (
    LIMITER_DB,
    REDIS_SERVER,
    CeleryCluster,
    ClusterStartError,
    forget_limiter_state,
    signal_tree,
)

DAG_ID = "metastudio_video_backfill"
DATES = ("2026-11-20", "2026-11-21")
ROWS_PER_DATE = 30
CHUNK_SIZE = 10
CHUNKS = len(DATES) * ROWS_PER_DATE // CHUNK_SIZE
CREATE = "Create2DDigitalHumanVideo"
UNSTARTED = {None, "none", "scheduled", "queued", "up_for_reschedule"}

# the triggerer phase
LIVE_DAG_ID = "metastudio_daily_livestream"
SHOW = f"{LIVE_DAG_ID}/livestream.show[0]"  # deferred_triggers() keys
RENDER_WAIT = f"{DAG_ID}/wait_for_videos"
ROOM = "livestream/room.yaml"  # include/livestream/room.yaml: room_name airflow-daily-showcase
SHOW_MINUTES = 0.5
VIDEO_DATE, VIDEO_ROWS = "2026-11-22", 3
RENDER_SECONDS = 35.0  # the emulator's --job-seconds in that phase: the videos render through the kill
TRIGGERER_HEARTBEAT, TRIGGERER_THRESHOLD = 2, 10  # [triggerer] job_heartbeat_sec, triggerer_health_check_threshold
TAKEOVER_SLACK = 5.0  # the survivor's loop (about 1 s) and a loaded machine

# the phase without Airflow: one of MetaStudio's live-exit hours lasts this long in the emulator
EXIT_HOUR_SECONDS = 20.0
OUTLIVED_SHOW_MINUTES = 5  # planned end + the 5-min margin = 10 min: max_live_duration 1 hour (20 s here)

pytestmark = [pytest.mark.airflow_integration, pytest.mark.timeout(420)]


def write_manifests(folder: Path, dates: tuple[str, ...] = DATES, rows_per_date: int = ROWS_PER_DATE
                    ) -> dict[str, list[str]]:
    """One manifest per date, each row with an explicit unique id; returns the row ids per date."""
    ids = {}
    for date in dates:
        rows = [{"id": f"r{n:03d}", "title": f"Video {n} of {date}", "script": f"Hello, this is video {n}."}
                for n in range(1, rows_per_date + 1)]
        (folder / f"{date}.yaml").write_text(yaml.safe_dump(rows))
        ids[date] = [r["id"] for r in rows]
    return ids


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryCluster]:
    """One cluster for both phases (a start costs about a minute): 2 workers, 2 triggerers."""
    from .fixtures import livestream_timezone

    tmp_path = tmp_path_factory.mktemp("celery")
    batches = tmp_path / "batches"
    batches.mkdir()
    cluster = CeleryCluster(home=tmp_path / "home", workers=2, triggerers=2, extra_env={
        "METASTUDIO_BATCHES_DIR": str(batches),
        "METASTUDIO_BATCH_CHUNK_SIZE": str(CHUNK_SIZE),
        "METASTUDIO_POLL_SECONDS": "1",
        "METASTUDIO_EMULATOR_JOB_SECONDS": "2",
        # 3 slots per worker: the 6 chunks spread over both workers
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "3",
        "AIRFLOW_STOP_TIMEOUT": "5",  # a throwaway cluster: SIGKILL what has not stopped after 5 s
        # a dead triggerer's triggers are taken over after 10 s, not make cluster's 30 s (Airflow's default)
        "AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC": str(TRIGGERER_HEARTBEAT),
        "AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD": str(TRIGGERER_THRESHOLD),
        # the daily livestream's 20:00 is hours away: unpausing it (to trigger a show) schedules nothing
        "METASTUDIO_LIVESTREAM_TIMEZONE": livestream_timezone(time.gmtime().tm_hour),
    })
    forget_limiter_state()  # one Celery cluster runs at a time in the suite (tests/scheduling.py)
    try:
        cluster.start()
    except (ClusterStartError, OSError) as exc:
        cluster.stop()
        message = f"the Celery cluster did not start (PostgreSQL and Redis needed; home {cluster.home}): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield cluster
    finally:
        cluster.stop()
        print(f"\ncluster stopped in {cluster.stop_seconds} s")


def _hook(cluster: CeleryCluster, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A MetaStudioHook on the cluster's emulator, in this process."""
    from metastudio_emulator.config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK
    from metastudio_provider.hooks.metastudio import MetaStudioHook
    from tests.conftest import connection_json

    emu = SimpleNamespace(ak=DEFAULT_AK, sk=DEFAULT_SK, project_id=DEFAULT_PROJECT_ID, region="cn-north-4",
                          base_url=cluster.emulator_url)
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emu))
    return MetaStudioHook()


def _videos(cluster: CeleryCluster, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every video job the emulator holds (all pages)."""
    hook, jobs, offset = _hook(cluster, monkeypatch), [], 0
    while True:
        page = hook.call("ListDigitalHumanVideo", query={"limit": 100, "offset": offset})["jobs"]
        jobs += page
        if len(page) < 100:
            return jobs
        offset += len(page)


def _worker(hostname: str | None) -> str | None:
    """``worker2`` from ``worker2@host``."""
    return hostname.split("@", 1)[0] if hostname and "@" in hostname else None


def test_backfill_on_celery_survives_a_killed_worker(cluster: CeleryCluster, monkeypatch: pytest.MonkeyPatch,
                                                    request: pytest.FixtureRequest):
    timings: dict[str, object] = {"cluster start": cluster.start_seconds}
    request.addfinalizer(lambda: print(f"\ntimings (s; after start: since the DAG wait began): {timings}"))
    ids = write_manifests(Path(cluster.extra_env["METASTUDIO_BATCHES_DIR"]))
    client = cluster.client
    began = time.monotonic()

    def mark(name: str) -> None:
        timings[name] = round(time.monotonic() - began, 1)

    client.wait_for_dag(DAG_ID, timeout=120)
    mark("DAG parsed")
    # the tasks' connection: stored by cluster_start.sh, sharing the limiter in the cluster's Redis
    extra = json.loads(client.get("/api/v2/connections/metastudio_default")["extra"])
    assert extra["rate_limit_storage"] == f"{REDIS_SERVER}/{LIMITER_DB}" and extra["endpoint"] == cluster.emulator_url
    done = cluster.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", DATES[0], "--to-date", DATES[-1])
    assert done.returncode == 0, done.stdout + done.stderr
    mark("backfill created")
    client.unpause(DAG_ID)
    runs = {}
    while len(runs) < len(DATES):
        runs = {r["logical_date"][:10]: r["dag_run_id"]
                for r in client.get(f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"] if r["run_type"] == "backfill"}
        assert time.monotonic() - began < 120, runs
        time.sleep(0.5)
    assert set(runs) == set(DATES)

    seen_hosts: dict[str, set[str]] = {}  # "<date> <task>[i]" -> workers seen running it

    def chunks() -> list[dict]:
        tis = [dict(ti, date=date) for date, run_id in runs.items() for ti in client.task_instances(DAG_ID, run_id)]
        for ti in tis:
            if worker := _worker(ti.get("hostname")):
                seen_hosts.setdefault(f"{ti['date']} {ti['task_id']}[{ti['map_index']}]", set()).add(worker)
        return [ti for ti in tis if ti["task_id"] == "submit_chunk" and ti["map_index"] >= 0]

    # -- kill the busiest worker while its chunks are submitting -------------------------------------------
    while True:
        tis = chunks()
        created = cluster.emulator_stats()[CREATE]["admitted"]
        running = Counter(_worker(t["hostname"]) for t in tis if t["state"] == "running")
        if len(tis) == CHUNKS and not any(t["state"] in UNSTARTED for t in tis) and running:
            break
        assert created < len(DATES) * ROWS_PER_DATE * 0.8, (
            f"the videos were nearly all submitted before a kill was possible: {created} created; chunks "
            f"{[(t['date'], t['map_index'], t['state'], t['hostname']) for t in tis]}")
        assert time.monotonic() - began < 180, [(t["date"], t["map_index"], t["state"]) for t in tis]
        time.sleep(0.3)
    victim = running.most_common(1)[0][0]
    survivor = next(f"worker{i}" for i in (1, 2) if f"worker{i}" != victim)
    killed = {(t["date"], t["map_index"]) for t in tis if t["state"] == "running" and _worker(t["hostname"]) == victim}
    cluster.kill_worker(int(victim.removeprefix("worker")))
    killed_at = time.monotonic()
    mark(f"{victim} killed ({created} videos created, {len(killed)} of its chunks running)")

    # -- the MetaStudio view on this deployment (PostgreSQL, the limiter in Redis), mid-backfill ------------
    view = client.get("/metastudio/api/summary")
    rendering = {r["run_id"]: r for r in view["rendering"]["runs"] if r["dag_id"] == DAG_ID}
    assert set(rendering) == set(runs.values()), view["rendering"]
    killed_rows = len(killed) * CHUNK_SIZE  # the killed chunks run on (for the scheduler) until their heartbeat ends
    assert sum(r["to_submit"] for r in rendering.values()) >= killed_rows, rendering
    limits = {a["api"]: a for a in view["limits"]["apis"]}
    assert view["limits"]['shared'] and limits[CREATE]["calls_last_minute"] > 0, view["limits"]
    assert limits[CREATE]["learned"] is not None  # shared through Redis: the learned rate is there to show
    assert limits[CREATE]["table"] == cluster.emulator_stats()[CREATE]["limit"]
    timings["view mid-backfill"] = {run: (r["to_submit"], r["in_flight"], r["estimated_finish"])
                                    for run, r in rendering.items()}

    # -- the killed chunks are failed by the heartbeat timeout, retried on the survivor ---------------------
    # A chunk seen running just before the kill may have finished in the moment before it landed: its first
    # try succeeds. It was not killed; it is left out of what must be retried (and at least one must remain).
    failed_after: dict[tuple[str, int], float] = {}
    retried_on: dict[tuple[str, int], str] = {}
    finished_before_kill: set[tuple[str, int]] = set()
    while True:
        tis = {(t["date"], t["map_index"]): t for t in chunks()}
        for key in killed:
            ti = tis[key]
            if ti["try_number"] == 1 and ti["state"] == "success":
                finished_before_kill.add(key)
                continue
            if key not in failed_after and (ti["state"] != "running" or ti["try_number"] > 1):
                failed_after[key] = round(time.monotonic() - killed_at, 1)
            if ti["try_number"] > 1 and ti["state"] in ("running", "success"):
                retried_on[key] = _worker(ti["hostname"])
        states = {date: client.dag_run(DAG_ID, run_id)["state"] for date, run_id in runs.items()}
        if all(s in ("success", "failed") for s in states.values()):
            break
        assert time.monotonic() - killed_at < 150, (states, failed_after, retried_on)
        time.sleep(0.5)
    mark("both runs finished")
    timings.update({"killed chunks failed after": failed_after, "retried on": retried_on,
                    "finished before the kill": sorted(finished_before_kill)})

    assert states == {date: "success" for date in DATES}
    killed -= finished_before_kill
    assert killed, "every chunk seen running on the killed worker had finished before the kill"
    assert set(failed_after) == killed and max(failed_after.values()) < 60, failed_after
    assert retried_on == {key: survivor for key in killed}

    # every row: exactly one video, SUCCEED; one create admitted per row
    videos = Counter()
    for job in _videos(cluster, monkeypatch):
        name = (job.get("output_asset_config") or {}).get("asset_name", "")
        if name.startswith(f"{DAG_ID}-"):
            assert job["state"] == "SUCCEED", job
            videos[name] += 1
    expected = {f"{DAG_ID}-{date}-{row}" for date, rows in ids.items() for row in rows}
    assert set(videos) == expected, (sorted(expected - set(videos)), sorted(set(videos) - expected))
    assert {name: n for name, n in videos.items() if n > 1} == {}, "rows with more than one video"
    stats = cluster.emulator_stats()
    assert stats[CREATE]["admitted"] == len(expected)

    # The shared limiter: no API was ever admitted above its limit, the creates ran at it, and the
    # emulator (throttling like the gateway) refused next to nothing. The limiter leaves a 50 ms margin
    # between admission and arrival; on a loaded machine a request can arrive later than that and get a
    # 429, which the client retries. Per-process limiters (memory://) would get dozens here.
    timings["429s"] = {api: s["throttled"] for api, s in stats.items() if s["throttled"]}
    assert {api: s for api, s in stats.items() if s["max_admitted_per_second"] > s["limit"]} == {}
    assert stats[CREATE]["max_admitted_per_second"] >= stats[CREATE]["limit"] - 1  # at it (one less: a loaded second)
    assert sum(s["throttled"] for s in stats.values()) <= 3, timings["429s"]

    # both workers ran tasks
    workers = set().union(*seen_hosts.values())
    assert workers == {"worker1", "worker2"}, seen_hosts

    # the view, once both runs are done: nothing in flight, the videos' minutes counted today
    view = client.get("/metastudio/api/summary")
    assert [r for r in view["rendering"]["runs"] if r["dag_id"] == DAG_ID and r["in_flight"] + r["to_submit"]] == []
    assert sum(view["usage"]["dags"][DAG_ID]["video"]) > 0, view["usage"]


# -- phase 2: a triggerer killed while a show is live and videos render --------------------------------------------
def _live_jobs(hook: Any, room_name: str) -> list[dict]:
    """The livestream jobs of the room named ``room_name``."""
    rooms = [r for r in hook.call("ListSmartLiveRooms", query={"limit": 100})["smart_live_rooms"]
             if r.get("room_name") == room_name]
    return [job for room in rooms
            for job in hook.call("ListSmartLive", {"room_id": room["room_id"]},
                                 query={"limit": 100})["smart_live_jobs"]]


def test_a_killed_triggerers_show_and_renders_go_on(cluster: CeleryCluster, monkeypatch: pytest.MonkeyPatch,
                                                    request: pytest.FixtureRequest):
    figures: dict[str, object] = {}
    request.addfinalizer(
        lambda: print(f"\ntriggerer takeover figures (s since the phase began unless said): {figures}"))
    began = time.monotonic()

    def mark(name: str) -> None:
        figures[name] = round(time.monotonic() - began, 1)

    client = cluster.client
    # triggerer (the first, serving the logs) holds them; triggerer2 takes over
    victim, survivor = cluster.triggerer_names
    jobs = wait_until(lambda: (j := cluster.triggerer_jobs()).keys() >= {victim, survivor} and j, 30,
                      what="both triggerers' jobs")
    assert jobs[victim]["id"] != jobs[survivor]["id"]
    # a fresh MetaStudio whose videos render for 35 s (phase 1 wanted 2 s), its counters at zero
    figures["emulator restart"] = cluster.restart_emulator(RENDER_SECONDS)
    ids = write_manifests(Path(cluster.extra_env["METASTUDIO_BATCHES_DIR"]), (VIDEO_DATE,), VIDEO_ROWS)[VIDEO_DATE]
    hook = _hook(cluster, monkeypatch)

    # Airflow gives a new trigger to whichever triggerer looks first. To have the show's watch and the render
    # wait on one triggerer, the other is paused (SIGSTOP) while they are placed and started, then resumed.
    paused = signal_tree(cluster.triggerer_pid(survivor), signal.SIGSTOP)
    try:
        live_run = client.trigger(LIVE_DAG_ID, conf={"room_definitions": [ROOM], "duration_minutes": SHOW_MINUTES})
        video_run = client.trigger(DAG_ID, logical_date=f"{VIDEO_DATE}T00:00:00Z")
        mark("runs triggered")
        logs = {SHOW: (LIVE_DAG_ID, live_run, "livestream.show"), RENDER_WAIT: (DAG_ID, video_run, "wait_for_videos")}

        def placed() -> dict[str, dict[str, Any]] | None:
            triggers = cluster.deferred_triggers()
            wanted = {key: triggers[key] for key in (SHOW, RENDER_WAIT) if triggers.get(key, {}).get("triggerer")}
            if SHOW in wanted and not wanted[SHOW]["classpath"].endswith("LivestreamWatchTrigger"):
                del wanted[SHOW]  # the show's wait for its start, not its watch
            return wanted if len(wanted) == 2 else None

        def running_on_victim() -> dict[str, dict[str, Any]] | None:
            """Both placed, both started by the victim, and the victim heartbeating: its first triggers' imports
            can hold its heartbeat back for seconds, and the survivor must not find it silent once resumed."""
            held = placed()
            if not held or cluster.triggerer_jobs()[victim]["heartbeat_age"] > TRIGGERER_HEARTBEAT + 1:
                return None
            suffix = f".trigger.{jobs[victim]['id']}.log"
            started = all(any(name.endswith(suffix) and "starting" in text
                              for name, text in cluster.trigger_logs(*logs[key]).items()) for key in held)
            return held if started else None

        held = wait_until(running_on_victim, 90, interval=0.3, what="the show's watch and the render wait running")
    finally:
        signal_tree(cluster.triggerer_pid(survivor), signal.SIGCONT)
    mark("both running")
    assert {t["triggerer"] for t in held.values()} == {victim}, held
    # the resumed triggerer heartbeats again: it is alive and may take triggers over
    wait_until(lambda: cluster.triggerer_jobs()[survivor]["heartbeat_age"] < TRIGGERER_HEARTBEAT + 1, 30,
               interval=0.2, what=f"{survivor} heartbeating again")
    mark(f"{survivor} resumed ({len(paused)} processes paused)")

    # -- the kill: the show is live, the videos render ---------------------------------------------------------
    (show_job,) = _live_jobs(hook, "airflow-daily-showcase")
    assert show_job["state"] == "PROCESSING", show_job
    rendering = [j for j in hook.call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]
                 if (j.get("output_asset_config") or {}).get("asset_name", "").startswith(f"{DAG_ID}-{VIDEO_DATE}-")]
    assert len(rendering) == VIDEO_ROWS and all(j["state"] in ("WAITING", "PROCESSING") for j in rendering), rendering
    silent_for = cluster.triggerer_jobs()[victim]["heartbeat_age"]  # its triggers go when this reaches the threshold
    killed_at, killed_wall = time.monotonic(), time.time()
    killed = cluster.kill_triggerer(victim)
    mark(f"{victim} killed ({len(killed)} processes)")
    figures[f"{victim}'s last heartbeat before the kill"] = round(silent_for, 1)

    taken: dict[str, float] = {}
    while len(taken) < len(held):
        triggers = cluster.deferred_triggers()
        for key in held:
            now = triggers.get(key)
            moved = now and now["trigger_id"] == held[key]["trigger_id"] and now["triggerer"] == survivor
            if key not in taken and moved:
                taken[key] = round(time.monotonic() - killed_at, 1)
            elif key not in taken and (not now or now["trigger_id"] != held[key]["trigger_id"]):
                raise AssertionError(f"{key}'s trigger ended before {survivor} took it over: {now} (taken: {taken})")
        assert time.monotonic() - killed_at < TRIGGERER_THRESHOLD + TAKEOVER_SLACK + 20, (
            f"no takeover {time.monotonic() - killed_at:.0f} s after the kill: {triggers}")
        time.sleep(0.2)
    figures["takeover after the kill"] = taken
    mark("taken over")
    assert max(taken.values()) <= TRIGGERER_THRESHOLD + TAKEOVER_SLACK, taken

    # -- every run ends as it would have -------------------------------------------------------------------------
    assert client.wait_for_run(DAG_ID, video_run, timeout=120) == "success", client.ti_state_history(DAG_ID, video_run)
    mark("videos run success")
    assert client.wait_for_run(LIVE_DAG_ID, live_run, timeout=120) == "success", (
        client.ti_state_history(LIVE_DAG_ID, live_run))
    mark("show run success")

    # the show: one livestream, live its whole duration, stopped once, at its end, by the new watcher
    (room,) = client.xcom(LIVE_DAG_ID, live_run, "record_outcome", key="outcome")["rooms"]
    assert room["status"] == "success" and room["restarts"] == 0 and room["went_live"], room
    (job,) = _live_jobs(hook, "airflow-daily-showcase")
    assert job["job_id"] == show_job["job_id"]
    shown = hook.call("ShowSmartLive", {"room_id": job["room_id"], "job_id": job["job_id"]})
    overrun = shown["duration"] - SHOW_MINUTES * 60  # live seconds beyond the planned ones, MetaStudio's clock
    figures["show stopped after its planned end"] = round(overrun, 2)
    assert -1.0 <= overrun <= 5.0, shown
    stats = cluster.emulator_stats()
    assert (stats["StartSmartLive"]["admitted"], stats["StopSmartLive"]["admitted"]) == (1, 1), (
        stats["StartSmartLive"], stats["StopSmartLive"])
    watches = cluster.trigger_logs(LIVE_DAG_ID, live_run, "livestream.show")  # one log per triggerer job that ran it
    ended_by = [name for name, text in watches.items() if "completed (SUCCEED)" in text]
    assert len(watches) == 2 and len(ended_by) == 1, list(watches)
    assert ended_by[0].endswith(f".trigger.{jobs[survivor]['id']}.log"), (ended_by, jobs)
    first = json.loads(watches[ended_by[0]].splitlines()[0])["timestamp"]  # the survivor's "trigger ... starting"
    figures["survivor's watch started after the kill"] = round(
        time.mktime(time.strptime(first[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone + float("0." + first[20:26])
        - killed_wall, 1)

    # the videos: one create per row, each SUCCEED
    videos = Counter((j.get("output_asset_config") or {}).get("asset_name") for j in _videos(cluster, monkeypatch)
                     if j["state"] == "SUCCEED")
    assert videos == Counter(f"{DAG_ID}-{VIDEO_DATE}-{row}" for row in ids), videos
    assert stats["Create2DDigitalHumanVideo"]["admitted"] == VIDEO_ROWS


# -- phase 3: every Airflow process killed while a show is live --------------------------------------------------
def test_metastudio_ends_a_show_when_every_airflow_process_is_gone(cluster: CeleryCluster,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The host running Airflow dies mid-show (api-server, scheduler, dag-processor, both triggerers, both workers
    SIGKILLed): nothing of Airflow is left to stop the livestream. MetaStudio does, at the max_live_duration the
    show's StartSmartLive carried (planned end + 5 min, in whole hours: 1 hour, which the emulator runs as 20 s),
    and no StopSmartLive was ever sent. Last in the module: the cluster is gone afterwards."""
    cluster.restart_emulator(2.0, live_exit_hour_seconds=EXIT_HOUR_SECONDS)
    hook = _hook(cluster, monkeypatch)
    cluster.client.trigger(LIVE_DAG_ID, conf={"room_definitions": [ROOM], "duration_minutes": OUTLIVED_SHOW_MINUTES})
    (job,) = wait_until(lambda: [j for j in _live_jobs(hook, "airflow-daily-showcase") if j["state"] == "PROCESSING"]
                        or None, 120, interval=0.5, what="the show live")
    ids = {"room_id": job["room_id"], "job_id": job["job_id"]}
    killed = cluster.kill_airflow()
    killed_at = time.time()
    print(f"\nkilled every Airflow process: { {name: len(pids) for name, pids in killed.items()} }")
    # (a worker and a triggerer were killed for good in phases 1 and 2: the others are what is left)
    assert {"api-server", "scheduler", "dag-processor"} <= set(killed), killed
    assert {"worker1", "worker2"} & set(killed) and {"triggerer", "triggerer2"} & set(killed), killed
    time.sleep(1)
    assert not [pid for pids in killed.values() for pid in pids if _alive(pid)], "an Airflow process survived"

    ended = wait_until(lambda: (shown := hook.call("ShowSmartLive", ids))["state"] != "PROCESSING" and shown,
                       EXIT_HOUR_SECONDS + 20, interval=0.5, what="MetaStudio ending the show")
    live_seconds = service_time(ended["end_time"]) - service_time(ended["start_time"])
    print(f"MetaStudio ended the show {time.time() - killed_at:.1f} s after Airflow died, live {live_seconds:.1f} s "
          f"(max_live_duration 1 hour = {EXIT_HOUR_SECONDS:g} s here)")
    assert ended["state"] == "SUCCEED", ended
    assert EXIT_HOUR_SECONDS - 1.5 <= live_seconds <= EXIT_HOUR_SECONDS + 1.5, ended
    assert cluster.emulator_stats()["StopSmartLive"]["admitted"] == 0  # nobody stopped it: MetaStudio did


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False
