"""Throughput benchmark: N videos through the real scheduler and triggerer, batched design vs naive design.

    make bench                     # N=300, the gateway allows the table's limits
    make bench N=1000              # naive capped at NAIVE_N (default: min(N, 300))
    make bench SCENARIO=lower      # the gateway allows 1 Create2DDigitalHumanVideo/s, the table says 5
    make bench LIMITS=API=N,...    # any lower limits the emulator enforces
    make bench N=3000 DESIGNS=batched                # scale: Airflow's own cost per 1,000 videos, flat in N?
    make bench-celery N=1000                         # the same on the CeleryExecutor (scripts/cluster_start.sh)
    make bench SCENARIO=tenants N=1000               # two tenants, two regions, backfilling at once

Starts its own MetaStudio emulator (bench/emulator_server.py: the unchanged emulator + read-only bench
routes, region cn-north-4, render time 10 s) and its own Airflow (scripts/airflow_start.sh with a fresh
AIRFLOW_HOME in bench/.work/, API on 18080, serve-logs on 18793/18794, LocalExecutor on SQLite, DAGs from
bench/dags/), the client limiter in the machine's Redis (db 12, the bench's own tenant id). Runs a small
warm-up of each design, then ``batched`` then ``naive`` against the same emulator (reset between, the
limiter's learned state too), and writes bench/results/{latest,n<N>[-<scenario>][-celery]}.{json,png}.
With EXECUTOR=celery, Airflow is the Celery deployment of ``make cluster`` (scripts/cluster_start.sh: WORKERS
workers, TRIGGERERS triggerers) on the machine's PostgreSQL (its own database, ``metastudio_bench``, dropped
and made anew) and Redis (broker db 13), with its own AIRFLOW_HOME and ports. Every run also measures
Airflow's own cost (bench/costs.py). Stops everything it started, also on error or Ctrl-C.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import redis

from metastudio_provider.client.limiter import RateLimiter, limiter_key

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import analyze  # noqa: E402
import costs  # noqa: E402

PROJECT_ID = "be7c4000000000000000000000000001"  # the bench's own tenant: its own limiter keys in Redis
PROJECT_ID2 = "be7c4000000000000000000000000002"  # the second tenant of SCENARIO=tenants
DAGS = {"batched": "bench_batched", "naive": "bench_naive", "tenant2": "bench_batched_tenant2"}
# the lower one: an older MetaStudio page's 1/s; tenants: the table's limits, two tenants in two regions at once
SCENARIOS = {"table": "", "lower": "Create2DDigitalHumanVideo=1", "tenants": ""}
WAIT_TASKS = {"batched": ["wait_for_videos"], "naive": ["video.wait"], "tenant2": ["wait_for_videos"]}
BENCH_DB = "postgresql://postgres@127.0.0.1:5432/metastudio_bench"  # EXECUTOR=celery: the bench's own database


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args() -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=int(env("N", "300")), help="videos per design (env N)")
    p.add_argument("--naive-n", type=int, default=int(env("NAIVE_N", "0")) or None,
                   help="videos for the naive design (env NAIVE_N; default min(N, 300))")
    p.add_argument("--designs", default=env("DESIGNS", "batched,naive"))
    p.add_argument("--region", default=env("REGION", "cn-north-4"))
    p.add_argument("--job-seconds", type=float, default=float(env("JOB_SECONDS", "10")), help="render time R")
    p.add_argument("--parallelism", type=int, default=int(env("PARALLELISM", "16")))
    p.add_argument("--chunk-size", type=int, default=int(env("CHUNK_SIZE", "50")))
    p.add_argument("--max-chunks", type=int, default=int(env("MAX_CHUNKS", "4")),
                   help="chunks of one batch at most (batches.submission.chunked; 0: no cap)")
    p.add_argument("--scheduler-idle", type=float, default=float(env("SCHEDULER_IDLE", "0.25")),
                   help="[scheduler] scheduler_idle_sleep_time (Airflow's default: 1 s)")
    p.add_argument("--poll-interval", type=float, default=float(env("POLL_INTERVAL", "5")))
    p.add_argument("--api-port", type=int, default=int(env("BENCH_API_PORT", "18080")))
    p.add_argument("--emulator-port", type=int, default=int(env("BENCH_EMULATOR_PORT", "18765")))
    p.add_argument("--log-ports", default=env("BENCH_LOG_PORTS", "18793,18794"))
    p.add_argument("--redis-url", default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    p.add_argument("--warmup", type=int, default=int(env("WARMUP", "5")), help="warm-up videos per design (0: none)")
    p.add_argument("--scenario", default=env("SCENARIO", "table"), choices=sorted(SCENARIOS),
                   help="table: the gateway allows the table's limits; "
                        "lower: Create2DDigitalHumanVideo 1/s (env SCENARIO)")
    p.add_argument("--limits", default=env("LIMITS", ""),
                   help="API=N,... the emulator enforces instead of the table's (env LIMITS; overrides --scenario)")
    p.add_argument("--sample-interval", type=float, default=0.5)
    p.add_argument("--executor", default=env("EXECUTOR", "local"), choices=["local", "celery"],
                   help="local: LocalExecutor on SQLite; celery: scripts/cluster_start.sh on PostgreSQL + Redis")
    p.add_argument("--workers", type=int, default=int(env("WORKERS", "2")), help="Celery workers (EXECUTOR=celery)")
    p.add_argument("--triggerers", type=int, default=int(env("TRIGGERERS", "0")) or None,
                   help="triggerers (default: 1 local, 2 celery as make cluster)")
    p.add_argument("--tenant2-region", default=env("TENANT2_REGION", "cn-east-3"),
                   help="SCENARIO=tenants: the second tenant's region")
    p.add_argument("--bench-db", default=env("BENCH_DB", BENCH_DB), help="EXECUTOR=celery: the database (dropped!)")
    args = p.parse_args()
    args.triggerers = args.triggerers or (2 if args.executor == "celery" else 1)
    spec = args.limits or SCENARIOS[args.scenario]
    args.real_limits = {name: int(n) for name, _, n in (item.partition("=") for item in spec.split(",") if item)}
    if args.limits:
        args.scenario = "limits-" + "-".join(f"{name}{n}" for name, n in args.real_limits.items())
    return args


def port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.celery = args.executor == "celery"
        self.tenants = args.scenario == "tenants"
        self.work = BENCH / ".work"
        self.home = self.work / ("celery-home" if self.celery else "airflow-home")
        self.run_dir = self.home / "run"
        self.emulator_url = f"http://127.0.0.1:{args.emulator_port}"
        self.emulator2_url = f"http://127.0.0.1:{args.emulator_port + 1}"
        self.airflow_url = f"http://127.0.0.1:{args.api_port}"
        self.emulators: dict[str, subprocess.Popen] = {}
        self.airflow_started = False
        self.api: httpx.Client | None = None
        self.env = self._airflow_env()
        self.db_url = (self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] if self.celery
                       else f"sqlite:///{self.home / 'airflow.db'}")
        self.engine: Any = None

    # -- environment ---------------------------------------------------------------------------
    def _connection(self, region: str, project_id: str, url: str) -> str:
        return json.dumps({"conn_type": "metastudio", "login": "EMULATORAK0000000000",
                           "password": "emulator-sk-do-not-use-in-production",
                           "extra": {"region": region, "project_id": project_id, "endpoint": url,
                                     "rate_limit_storage": self.args.redis_url}})

    def _airflow_env(self) -> dict[str, str]:
        a = self.args
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "METASTUDIO"))}  # nobody else's
        worker_log, trigger_log = a.log_ports.split(",")
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(BENCH / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.work / "plugins"),  # the provider is installed
            "AIRFLOW_API_PORT": str(a.api_port),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": worker_log,
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": trigger_log,
            "AIRFLOW__CORE__PARALLELISM": str(a.parallelism),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(a.parallelism),
            # how soon the scheduler sees load_manifest done and starts the chunks: up to this (default 1 s)
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": str(a.scheduler_idle),
            "AIRFLOW_POOLS_FILE": str(self._pools_file()),
            "AIRFLOW__METASTUDIO__DEFAULT_REGION": a.region,
            "AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE": a.redis_url,
            "AIRFLOW_CONN_METASTUDIO_DEFAULT": self._connection(a.region, PROJECT_ID, self.emulator_url),
            "AIRFLOW_CONN_METASTUDIO_TENANT2": self._connection(a.tenant2_region, PROJECT_ID2, self.emulator2_url),
            "BENCH_TENANT2_REGION": a.tenant2_region,
            "AIRFLOW_ADMIN_USER": "admin",
            "AIRFLOW_ADMIN_PASSWORD": "admin",
            "BENCH_CHUNK_SIZE": str(a.chunk_size),
            "BENCH_POLL_INTERVAL": str(a.poll_interval),
            "TRIGGERERS": str(a.triggerers),
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        })
        if self.celery:  # scripts/cluster_env.sh fills in the rest from scripts/cluster.env
            env.update({
                "WORKERS": str(a.workers), "METASTUDIO_CLUSTER_DB": a.bench_db,
                "METASTUDIO_CLUSTER_REDIS": a.redis_url.rsplit("/", 1)[0],
                "METASTUDIO_REDIS_BROKER_DB": "13", "METASTUDIO_REDIS_LIMITER_DB": a.redis_url.rsplit("/", 1)[1],
                "METASTUDIO_API_PORT": str(a.api_port), "METASTUDIO_EMULATOR_PORT": str(a.emulator_port),
                "METASTUDIO_WORKER_LOG_PORT_BASE": str(int(worker_log) + 10), "METASTUDIO_REGION": a.region,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2://" + a.bench_db.split("://", 1)[1],
                "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql://" + a.bench_db.split("://", 1)[1],
            })
            env.pop("AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT")  # worker i: METASTUDIO_WORKER_LOG_PORT_BASE + i
        return env

    def _pools_file(self) -> Path:
        """The region's pools; with SCENARIO=tenants both regions' (each tenant's sensor in its own)."""
        a = self.args
        if a.scenario != "tenants":
            return ROOT / "include" / "pools" / f"{a.region}.json"
        merged: dict[str, Any] = {}
        for region in (a.region, a.tenant2_region):
            merged.update(json.loads((ROOT / "include" / "pools" / f"{region}.json").read_text()))
        path = self.work / "pools-tenants.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(merged))
        return path

    # -- start / stop --------------------------------------------------------------------------
    def _start_emulator(self, name: str, port: int, region: str, project_id: str, limits: dict[str, int]) -> None:
        a = self.args
        log(f"emulator {name}: http://127.0.0.1:{port} region={region} render time R={a.job_seconds:g} s"
            + "".join(f", {api} enforced at {n}/s" for api, n in limits.items()))
        proc = subprocess.Popen(
            [sys.executable, str(BENCH / "emulator_server.py"), "--port", str(port), "--region", region,
             "--project-id", project_id, "--job-seconds", str(a.job_seconds),
             *(f"--limit={api}={n}" for api, n in limits.items())],
            stdout=open(self.work / f"{name}.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
        self.emulators[name] = proc
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=2).raise_for_status()
                return
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the emulator did not start; see {self.work / (name + '.log')}") from None
                time.sleep(0.2)

    def start(self) -> None:
        a = self.args
        ports = [a.api_port, a.emulator_port, *map(int, a.log_ports.split(","))]
        if self.tenants:
            ports.append(a.emulator_port + 1)
        if self.celery:
            ports += [int(a.log_ports.split(",")[0]) + 10 + i for i in range(1, a.workers + 1)]
        taken = [p for p in ports if not port_free(p)]
        if taken:
            raise SystemExit(f"port(s) {taken} on 127.0.0.1 are taken; set BENCH_API_PORT / BENCH_EMULATOR_PORT / "
                             "BENCH_LOG_PORTS (is another benchmark running?)")
        shutil.rmtree(self.home, ignore_errors=True)
        (self.work / "plugins").mkdir(parents=True, exist_ok=True)
        (self.work / "manifests").mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True)
        self._start_emulator("emulator", a.emulator_port, a.region, PROJECT_ID, a.real_limits)
        if self.tenants:
            self._start_emulator("emulator2", a.emulator_port + 1, a.tenant2_region, PROJECT_ID2, {})
        log(f"Airflow ({'CeleryExecutor, ' + str(a.workers) + ' workers' if self.celery else 'LocalExecutor'}, "
            f"{a.triggerers} triggerer(s)): {self.airflow_url} AIRFLOW_HOME={self.home} parallelism={a.parallelism}")
        self.airflow_started = True
        started = time.monotonic()
        if self.celery:  # a fresh database each time (the home and its Fernet key are new too)
            subprocess.run(["bash", "-c", f"source scripts/cluster_env.sh && {sys.executable} "
                            "scripts/cluster_setup.py reset --yes"], env=self.env, check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL)
            subprocess.run(["bash", str(ROOT / "scripts" / "cluster_start.sh")], env=self.env, check=True, cwd=ROOT)
        else:
            subprocess.run(["bash", str(ROOT / "scripts" / "airflow_start.sh")], env=self.env, check=True, cwd=ROOT)
        log(f"Airflow up in {time.monotonic() - started:.1f} s")
        self.engine = costs.db_engine(self.db_url)
        token = httpx.post(f"{self.airflow_url}/auth/token", json={"username": "admin", "password": "admin"})
        token.raise_for_status()
        self.api = httpx.Client(base_url=f"{self.airflow_url}/api/v2", timeout=30,
                                headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        for dag_id in DAGS.values():
            deadline = time.monotonic() + 180
            while self.api.get(f"/dags/{dag_id}").status_code != 200:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{dag_id} not parsed within 180 s; see {self.run_dir}/dag-processor.log")
                time.sleep(1)
            self.api.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    def stop(self) -> None:
        if self.api is not None:
            self.api.close()
            self.api = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        if self.airflow_started:
            log("stopping Airflow")
            script = "cluster_stop.sh" if self.celery else "airflow_stop.sh"
            subprocess.run(["bash", str(ROOT / "scripts" / script)], env=self.env, cwd=ROOT, check=False)
            self.airflow_started = False
        for name, proc in self.emulators.items():
            if proc.poll() is None:
                log(f"stopping {name}")
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.emulators = {}

    # -- runs ----------------------------------------------------------------------------------
    def reset_emulators_and_limiter(self) -> None:
        for url in (self.emulator_url, *([self.emulator2_url] if self.tenants else [])):
            httpx.post(f"{url}/_emulator/reset").raise_for_status()
            httpx.post(f"{url}/_bench/reset").raise_for_status()
        limiter = RateLimiter(self.args.redis_url)
        for project in (PROJECT_ID, PROJECT_ID2):
            limiter.reset(f"{project}:*")  # windows and what it learned: start cold
        time.sleep(1.1)  # the emulator's windows empty

    def run_design(self, design: str, n: int, *, timeout: float, label: str) -> dict[str, Any]:
        return self.run_many([(design, n)], timeout=timeout, label=label)[design]

    def run_many(self, runs: list[tuple[str, int]], *, timeout: float, label: str) -> dict[str, dict[str, Any]]:
        """Trigger the designs' DAG runs at once, wait for all, and collect each one's raw measurements,
        with Airflow's own cost of them all (``cost``: the same in each)."""
        a = self.args
        self.reset_emulators_and_limiter()
        rows_before = costs.table_rows(self.engine)
        extra = {name: proc.pid for name, proc in self.emulators.items()}
        cpu_before = costs.cpu_snapshot(self.run_dir, extra)
        memory = costs.MemorySampler(self.run_dir, extra)
        memory.start()
        trig_before = triggerer_memory(self.run_dir)
        handles = {}
        for design, n in runs:
            tenant2 = design == "tenant2"
            dag_id, region = DAGS[design], a.tenant2_region if tenant2 else a.region
            manifest = self.work / "manifests" / f"{label}-{design}.yaml"
            manifest.write_text("".join(
                f"- id: v{i:05d}\n  title: Video {i}\n  script: Video number {i} of the benchmark, read aloud.\n"
                for i in range(n)))
            prefix = f"{design[0]}{design[-1]}{label[-6:]}"
            conf = {"manifest": str(manifest), "prefix": prefix, "chunk_size": a.chunk_size, "max_chunks": a.max_chunks}
            resp = self.api.post(f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
            resp.raise_for_status()
            run_id = resp.json()["dag_run_id"]
            log(f"{label}: triggered {dag_id} ({n} videos, {region}) run {run_id}")
            sampler = Sampler(self.engine, self.run_dir, dag_id, run_id, WAIT_TASKS[design], a.sample_interval,
                              RateLimiter(a.redis_url),
                              limiter_key(PROJECT_ID2 if tenant2 else PROJECT_ID, region, analyze.CREATE))
            sampler.start()
            handles[design] = {"dag_id": dag_id, "run_id": run_id, "n": n, "prefix": prefix, "sampler": sampler,
                               "region": region, "url": self.emulator2_url if tenant2 else self.emulator_url,
                               "state": "queued"}
        started, last_print = time.monotonic(), 0.0
        try:
            while any(h["state"] not in ("success", "failed", "timeout") for h in handles.values()):
                time.sleep(1)
                for design, h in handles.items():
                    if h["state"] in ("success", "failed", "timeout"):
                        continue
                    if time.monotonic() - started > timeout:
                        h["state"] = "timeout"
                        log(f"{label} {design}: still not finished after {timeout:.0f} s; giving up on it")
                        continue
                    h["state"] = self.api.get(f"/dags/{h['dag_id']}/dagRuns/{h['run_id']}").json()["state"]
                    if h["state"] in ("success", "failed"):
                        h["done"] = time.monotonic()
                        log(f"{label} {design}: run {h['state']} in {time.monotonic() - started:.1f} s")
                if time.monotonic() - last_print > 15:
                    last_print = time.monotonic()
                    for design, h in handles.items():
                        smp = h["sampler"].samples[-1] if h["sampler"].samples else {}
                        log(f"{label} {design}: {h['state']}, {time.monotonic() - started:.0f} s, running tasks "
                            f"{smp.get('running_all')}, tasks by state {smp.get('by_state')}")
        finally:
            for h in handles.values():
                h["sampler"].stop()
        time.sleep(1)  # the run's last task processes end and are reaped
        cpu_after = costs.cpu_snapshot(self.run_dir, extra)
        peaks = memory.stop()
        rows_after = costs.table_rows(self.engine)
        limiter_keys = sorted({k.decode() for project in (PROJECT_ID, PROJECT_ID2)
                               for k in redis.Redis.from_url(a.redis_url).scan_iter(match=f"*{project}:*")})
        cost = {"cpu_before_s": cpu_before, "cpu_after_s": cpu_after, "memory_peak": peaks,
                "rows_added": costs.rows_added(rows_before, rows_after),
                "videos": sum(h["n"] for h in handles.values()),
                "xcom": {design: costs.xcom_bytes(self.engine, h["dag_id"], h["run_id"])
                         for design, h in handles.items()},
                "executor": a.executor}
        raws = {}
        requests_by_url: dict[str, list] = {}
        for design, h in handles.items():
            run = self.api.get(f"/dags/{h['dag_id']}/dagRuns/{h['run_id']}").json()
            jobs = [j for j in httpx.get(f"{h['url']}/_bench/jobs", timeout=30).json()["jobs"]
                    if (j["name"] or "").startswith(h["prefix"])]
            if h["url"] not in requests_by_url:
                requests_by_url[h["url"]] = httpx.get(f"{h['url']}/_bench/requests", timeout=60).json()["requests"]
            stats = httpx.get(f"{h['url']}/_emulator/stats", timeout=30).json()["apis"]
            tis = task_instances(self.engine, h["dag_id"], h["run_id"])
            raws[design] = {
                "n_videos": h["n"], "dag_id": h["dag_id"], "run_id": h["run_id"], "run_state": h["state"],
                "region": h["region"], "run_start": iso_epoch(run.get("start_date")),
                "run_end": iso_epoch(run.get("end_date")), "jobs": jobs, "requests": requests_by_url[h["url"]],
                "stats": stats, "task_instances": tis, "samples": h["sampler"].samples,
                "sample_interval_s": a.sample_interval, "triggerer_before": trig_before,
                "wait_tasks": WAIT_TASKS[design],
                "chunks": sum(1 for t in tis if t["task_id"] == "submit_chunk") or 1, "cost": cost,
                "limiter_keys": limiter_keys, "project_id": PROJECT_ID2 if design == "tenant2" else PROJECT_ID,
            }
        (self.work / "raw").mkdir(exist_ok=True)
        (self.work / "raw" / f"{label}.json").write_text(json.dumps(raws))  # for profiling; not a result
        return raws


# -- measurements from outside Airflow: the metadata database (read-only queries) and /proc ---------
def iso_epoch(value: Any) -> float | None:
    if not value:
        return None
    dt = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def task_instances(engine: Any, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    import sqlalchemy

    with engine.connect() as conn:
        rows = conn.execute(sqlalchemy.text(
            "SELECT task_id, map_index, state, start_date, end_date, queued_dttm, try_number, pool FROM task_instance "
            "WHERE dag_id = :dag AND run_id = :run"), {"dag": dag_id, "run": run_id}).fetchall()
    return [{"task_id": r[0], "map_index": r[1], "state": r[2], "start": iso_epoch(r[3]), "end": iso_epoch(r[4]),
             "queued": iso_epoch(r[5]), "try_number": r[6], "pool": r[7]} for r in rows]


def _process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def triggerer_memory(run_dir: Path) -> dict[str, float]:
    """PSS and RSS (MB) of the (first) triggerer's process tree (the component, its trigger runner, its serve-logs)."""
    try:
        root = int((run_dir / "triggerer.pid").read_text().strip())
    except (OSError, ValueError):
        return {"pss_mb": 0.0, "rss_mb": 0.0, "processes": 0}
    pids = _process_tree(root)
    pss, rss = costs.memory_mb([SimpleNamespace(pid=pid) for pid in pids])  # it reads only .pid
    return {"pss_mb": pss, "rss_mb": rss, "processes": len(pids)}


def cpu_times() -> tuple[int, int]:
    """(total, idle+iowait) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]


class Sampler(threading.Thread):
    """Every ``interval`` s: task instances by state (the metadata database), the triggerer's memory and the
    limiter's learned rate of the creates (``metastudio limits``' reading of the shared store)."""

    def __init__(self, engine: Any, run_dir: Path, dag_id: str, run_id: str, wait_tasks: list[str], interval: float,
                 limiter: RateLimiter, key: str) -> None:
        super().__init__(daemon=True)
        self.engine, self.dag_id, self.run_id = engine, dag_id, run_id
        self.wait_tasks, self.interval = wait_tasks, interval
        self.run_dir = run_dir
        self.limiter, self.key = limiter, key
        self.samples: list[dict[str, Any]] = []
        self._halt = threading.Event()
        self._cpu: tuple[int, int] | None = None

    def run(self) -> None:
        while True:
            self.sample()
            if self._halt.wait(self.interval):
                self.sample()
                return

    def sample(self) -> None:
        import sqlalchemy

        t = time.time()
        try:
            with self.engine.connect() as conn:
                rows = conn.execute(sqlalchemy.text(
                    "SELECT task_id, state, count(*) FROM task_instance WHERE dag_id = :dag AND run_id = :run "
                    "GROUP BY task_id, state"), {"dag": self.dag_id, "run": self.run_id}).fetchall()
        except sqlalchemy.exc.SQLAlchemyError:
            return
        mem = triggerer_memory(self.run_dir)
        cpu = cpu_times()
        busy = None
        if self._cpu is not None:
            d_total, d_idle = cpu[0] - self._cpu[0], cpu[1] - self._cpu[1]
            busy = round(1 - d_idle / d_total, 3) if d_total else None
        self._cpu = cpu
        try:
            learned = self.limiter.snapshot([self.key])[self.key] or {}
        except Exception:  # noqa: BLE001 - a sample without it
            learned = {}
        by_state: dict[str, int] = {}
        for _, state, count in rows:
            by_state[str(state)] = by_state.get(str(state), 0) + count
        self.samples.append({
            "t": t,
            "running_all": sum(c for _, s, c in rows if s == "running"),
            "running_wait": sum(c for task, s, c in rows if s == "running" and task in self.wait_tasks),
            "deferred_wait": sum(c for task, s, c in rows if s == "deferred" and task in self.wait_tasks),
            "by_state": by_state,
            "trig_pss_mb": mem["pss_mb"], "trig_rss_mb": mem["rss_mb"], "cpu_busy": busy,
            "learned": learned.get("learned"), "ceiling": learned.get("ceiling"),
        })

    def stop(self) -> None:
        self._halt.set()
        self.join(30)


def main() -> int:
    args = parse_args()
    tenants = args.scenario == "tenants"
    designs = ["batched", "tenant2"] if tenants else [d.strip() for d in args.designs.split(",") if d.strip()]
    naive_n = args.naive_n or min(args.n, 300)
    sizes = {"batched": args.n, "naive": naive_n, "tenant2": args.n}
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    bench = Bench(args)

    def on_signal(signum, frame):  # noqa: ANN001, ARG001
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    raws: dict[str, dict] = {}
    warmups: dict[str, Any] = {}
    began = time.time()
    # the runs: one design at a time; the tenants at once
    batches = [[(d, sizes[d]) for d in designs]] if tenants else [[(d, sizes[d])] for d in designs]
    try:
        bench.start()
        if args.warmup:
            for batch in batches:
                tag = "-".join(d for d, _ in batch)
                got = bench.run_many([(d, args.warmup) for d, _ in batch], timeout=600,
                                     label=f"warmup-{tag}-{uuid.uuid4().hex[:6]}")
                for design, raw in got.items():
                    took = round(raw["run_end"] - raw["run_start"], 2) if raw["run_end"] else None
                    warmups[design] = {"n_videos": args.warmup, "run_state": raw["run_state"], "t_run_s": took}
        for batch in batches:
            tag = "-".join(f"{d}-n{n}" for d, n in batch)
            raws.update(bench.run_many(batch, timeout=600 + 6 * max(n for _, n in batch),
                                       label=f"{tag}-{uuid.uuid4().hex[:6]}"))
        if "naive" in raws and naive_n < args.n:
            raws["naive"]["note"] = (f"naive design capped at {naive_n} videos (N={args.n}): one task and one poke "
                                     f"sensor per video would take too long; compare per-video figures")
    except KeyboardInterrupt:
        log("interrupted; stopping what was started")
        bench.stop()
        return 130
    finally:
        bench.stop()

    results = {d: analyze.figures(d, raws[d], region=raws[d]["region"], render_s=args.job_seconds,
                                  real_limits=args.real_limits) for d in raws}
    out: dict[str, Any] = dict(results)
    machine = analyze.machine()
    out["config"] = {
        "n": args.n, "naive_n": naive_n, "region": args.region, "render_seconds": args.job_seconds,
        "parallelism": args.parallelism, "chunk_size": args.chunk_size, "max_chunks": args.max_chunks,
        "scheduler_idle_sleep_s": args.scheduler_idle, "poll_interval_s": args.poll_interval,
        "scenario": args.scenario, "real_limits": args.real_limits,
        "limiter": f"{args.redis_url} (adaptive: table as hard cap, answer-time stamps capped at +50 ms, even "
                   "pacing, AIMD; docs/limits.md)",
        "executor": (f"CeleryExecutor, {args.workers} workers (scripts/cluster_start.sh), PostgreSQL {args.bench_db}"
                     if args.executor == "celery" else "LocalExecutor on SQLite"),
        "triggerers": args.triggerers,
        "tenants": {"batched": {"region": args.region, "project_id": PROJECT_ID, "conn_id": "metastudio_default"},
                    "tenant2": {"region": args.tenant2_region, "project_id": PROJECT_ID2,
                                "conn_id": "metastudio_tenant2"}} if tenants else None,
        "warmup": warmups, "cpus": os.cpu_count(), "machine": machine,
        "started_at": datetime.fromtimestamp(began, UTC).isoformat(),
        "wall_seconds": round(time.time() - began, 1),
        "targets": analyze.targets(args.real_limits),
    }
    if tenants:
        out["tenants_check"] = analyze.tenants_check(results, raws)
    if "batched" in results and "naive" in results:
        b, nv = results["batched"], results["naive"]
        same_n = b["n_videos"] == nv["n_videos"]
        out["comparison"] = {
            "same_n": same_n,
            "t_naive_over_t_batched": round(nv["t_s"] / b["t_s"], 3) if same_n and b["t_s"] and nv["t_s"] else None,
            "videos_per_second": {"batched": round(b["n_videos"] / b["t_s"], 3) if b["t_s"] else None,
                                  "naive": round(nv["n_videos"] / nv["t_s"], 3) if nv["t_s"] else None},
            "status_calls_per_video": {"batched": b["status_calls_per_video"], "naive": nv["status_calls_per_video"]},
            "worker_slot_seconds_waiting": {"batched": b["worker_slot_seconds_waiting"],
                                            "naive": nv["worker_slot_seconds_waiting"]},
        }
    text = json.dumps(out, indent=2)
    stem = (f"n{args.n}" + ("" if args.scenario == "table" else f"-{args.scenario}")
            + ("-celery" if args.executor == "celery" else ""))
    for name in ("latest", stem):
        (results_dir / f"{name}.json").write_text(text + "\n")
    analyze.chart(results, raws, [results_dir / "latest.png", results_dir / f"{stem}.png"], region=args.region,
                  real_limits=args.real_limits)
    print()
    print(f"MetaStudio throughput benchmark, {out['config']['executor']}, render time {args.job_seconds:g} s, "
          f"scenario {args.scenario} {args.real_limits or '(the table)'} (results in bench/results/latest.json and "
          f"{stem}.json, chart {stem}.png)")
    print(f"machine: {machine}")
    print(analyze.table(results))
    print(analyze.cost_table(results))
    print(analyze.verdict(results, out["config"]["targets"]))
    if tenants:
        print(analyze.tenants_text(out["tenants_check"]))
    if "comparison" in out:
        c = out["comparison"]
        print(f"naive/batched T: {c['t_naive_over_t_batched']}   videos/s: {c['videos_per_second']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
