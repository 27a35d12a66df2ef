"""Throughput benchmark: N videos through the real scheduler and triggerer, batched design vs naive design.

    make bench                     # N=300, the gateway allows the table's limits
    make bench N=1000              # naive capped at NAIVE_N (default: min(N, 300))
    make bench SCENARIO=lower      # the gateway allows 1 Create2DDigitalHumanVideo/s, the table says 5
    make bench LIMITS=API=N,...    # any lower limits the emulator enforces

Starts its own MetaStudio emulator (bench/emulator_server.py: the unchanged emulator + read-only bench
routes, region cn-north-4, render time 10 s) and its own Airflow (scripts/airflow_start.sh with a fresh
AIRFLOW_HOME in bench/.work/, API on 18080, serve-logs on 18793/18794, LocalExecutor on SQLite, DAGs from
bench/dags/), the client limiter in the machine's Redis (db 12, the bench's own tenant id). Runs a small
warm-up of each design, then ``batched`` then ``naive`` against the same emulator (reset between, the
limiter's learned state too), and writes bench/results/{latest,n<N>[-<scenario>]}.{json,png}. Stops
everything it started, also on error or Ctrl-C.
See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from metastudio_provider.client.limiter import RateLimiter, limiter_key

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import analyze  # noqa: E402

PROJECT_ID = "be7c4000000000000000000000000001"  # the bench's own tenant: its own limiter keys in Redis
DAGS = {"batched": "bench_batched", "naive": "bench_naive"}
SCENARIOS = {"table": "", "lower": "Create2DDigitalHumanVideo=1"}  # the lower one: an older MetaStudio page's 1/s
WAIT_TASKS = {"batched": ["wait_for_videos"], "naive": ["video.wait"]}


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
                   help="chunks of one batch at most (batches.chunked; 0: no cap)")
    p.add_argument("--scheduler-idle", type=float, default=float(env("SCHEDULER_IDLE", "0.25")),
                   help="[scheduler] scheduler_idle_sleep_time (Airflow's default: 1 s)")
    p.add_argument("--poll-interval", type=float, default=float(env("POLL_INTERVAL", "5")))
    p.add_argument("--api-port", type=int, default=int(env("BENCH_API_PORT", "18080")))
    p.add_argument("--emulator-port", type=int, default=int(env("BENCH_EMULATOR_PORT", "18765")))
    p.add_argument("--log-ports", default=env("BENCH_LOG_PORTS", "18793,18794"))
    p.add_argument("--redis-url", default=env("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    p.add_argument("--warmup", type=int, default=int(env("WARMUP", "5")), help="warm-up videos per design (0: none)")
    p.add_argument("--scenario", default=env("SCENARIO", "table"), choices=sorted(SCENARIOS),
                   help="table: the gateway allows the table's limits; lower: Create2DDigitalHumanVideo 1/s (env SCENARIO)")
    p.add_argument("--limits", default=env("LIMITS", ""),
                   help="API=N,... the emulator enforces instead of the table's (env LIMITS; overrides --scenario)")
    p.add_argument("--sample-interval", type=float, default=0.5)
    args = p.parse_args()
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
        self.work = BENCH / ".work"
        self.home = self.work / "airflow-home"
        self.emulator_url = f"http://127.0.0.1:{args.emulator_port}"
        self.airflow_url = f"http://127.0.0.1:{args.api_port}"
        self.emulator: subprocess.Popen | None = None
        self.airflow_started = False
        self.api: httpx.Client | None = None
        self.env = self._airflow_env()

    # -- environment ---------------------------------------------------------------------------
    def _airflow_env(self) -> dict[str, str]:
        a = self.args
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}  # nobody else's settings
        worker_log, trigger_log = a.log_ports.split(",")
        conn = {"conn_type": "metastudio", "login": "EMULATORAK0000000000",
                "password": "emulator-sk-do-not-use-in-production",
                "extra": {"region": a.region, "project_id": PROJECT_ID, "endpoint": self.emulator_url,
                          "rate_limit_storage": a.redis_url}}
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
            "AIRFLOW_POOLS_FILE": str(ROOT / "include" / "pools" / f"{a.region}.json"),
            "AIRFLOW__METASTUDIO__DEFAULT_REGION": a.region,
            "AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE": a.redis_url,
            "AIRFLOW_CONN_METASTUDIO_DEFAULT": json.dumps(conn),
            "AIRFLOW_ADMIN_USER": "admin",
            "AIRFLOW_ADMIN_PASSWORD": "admin",
            "BENCH_CHUNK_SIZE": str(a.chunk_size),
            "BENCH_POLL_INTERVAL": str(a.poll_interval),
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        })
        return env

    # -- start / stop --------------------------------------------------------------------------
    def start(self) -> None:
        a = self.args
        ports = [a.api_port, a.emulator_port, *map(int, a.log_ports.split(","))]
        taken = [p for p in ports if not port_free(p)]
        if taken:
            raise SystemExit(f"port(s) {taken} on 127.0.0.1 are taken; set BENCH_API_PORT / BENCH_EMULATOR_PORT / "
                             "BENCH_LOG_PORTS (is another benchmark running?)")
        shutil.rmtree(self.home, ignore_errors=True)
        (self.work / "plugins").mkdir(parents=True, exist_ok=True)
        (self.work / "manifests").mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True)
        log(f"emulator: {self.emulator_url} region={a.region} render time R={a.job_seconds:g} s"
            + "".join(f", {name} enforced at {n}/s" for name, n in a.real_limits.items()))
        self.emulator = subprocess.Popen(
            [sys.executable, str(BENCH / "emulator_server.py"), "--port", str(a.emulator_port), "--region", a.region,
             "--project-id", PROJECT_ID, "--job-seconds", str(a.job_seconds),
             *(f"--limit={name}={n}" for name, n in a.real_limits.items())],
            stdout=open(self.work / "emulator.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.emulator_url}/_emulator/health", timeout=2).raise_for_status()
                break
            except httpx.HTTPError:
                if self.emulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"the emulator did not start; see {self.work / 'emulator.log'}") from None
                time.sleep(0.2)
        log(f"Airflow: {self.airflow_url} AIRFLOW_HOME={self.home} parallelism={a.parallelism}")
        self.airflow_started = True
        started = time.monotonic()
        subprocess.run(["bash", str(ROOT / "scripts" / "airflow_start.sh")], env=self.env, check=True, cwd=ROOT)
        log(f"Airflow up in {time.monotonic() - started:.1f} s")
        token = httpx.post(f"{self.airflow_url}/auth/token", json={"username": "admin", "password": "admin"})
        token.raise_for_status()
        self.api = httpx.Client(base_url=f"{self.airflow_url}/api/v2", timeout=30,
                                headers={"Authorization": f"Bearer {token.json()['access_token']}"})
        for dag_id in DAGS.values():
            deadline = time.monotonic() + 180
            while self.api.get(f"/dags/{dag_id}").status_code != 200:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{dag_id} not parsed within 180 s; see {self.home}/run/dag-processor.log")
                time.sleep(1)
            self.api.patch(f"/dags/{dag_id}", json={"is_paused": False}).raise_for_status()

    def stop(self) -> None:
        if self.api is not None:
            self.api.close()
        if self.airflow_started:
            log("stopping Airflow")
            subprocess.run(["bash", str(ROOT / "scripts" / "airflow_stop.sh")], env=self.env, cwd=ROOT, check=False)
            self.airflow_started = False
        if self.emulator is not None and self.emulator.poll() is None:
            log("stopping the emulator")
            self.emulator.terminate()
            try:
                self.emulator.wait(10)
            except subprocess.TimeoutExpired:
                self.emulator.kill()
                self.emulator.wait()
        self.emulator = None

    # -- one run of one design -----------------------------------------------------------------
    def reset_emulator_and_limiter(self) -> None:
        httpx.post(f"{self.emulator_url}/_emulator/reset").raise_for_status()
        httpx.post(f"{self.emulator_url}/_bench/reset").raise_for_status()
        RateLimiter(self.args.redis_url).reset(f"{PROJECT_ID}:*")  # windows and what it learned: start cold
        time.sleep(1.1)  # the emulator's windows empty

    def run_design(self, design: str, n: int, *, timeout: float, label: str) -> dict[str, Any]:
        dag_id = DAGS[design]
        self.reset_emulator_and_limiter()
        manifest = self.work / "manifests" / f"{label}.yaml"
        manifest.write_text("".join(
            f"- id: v{i:05d}\n  title: Video {i}\n  script: Video number {i} of the benchmark, read aloud.\n"
            for i in range(n)))
        prefix = f"{design[0]}{label[-6:]}"
        conf = {"manifest": str(manifest), "prefix": prefix, "chunk_size": self.args.chunk_size,
                "max_chunks": self.args.max_chunks}
        trig_before = triggerer_memory(self.home)
        resp = self.api.post(f"/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf})
        resp.raise_for_status()
        run_id = resp.json()["dag_run_id"]
        log(f"{label}: triggered {dag_id} ({n} videos) run {run_id}")
        sampler = Sampler(self.home, dag_id, run_id, WAIT_TASKS[design], self.args.sample_interval,
                          RateLimiter(self.args.redis_url), limiter_key(PROJECT_ID, self.args.region, analyze.CREATE))
        sampler.start()
        started, state = time.monotonic(), "queued"
        last_print = 0.0
        try:
            while state not in ("success", "failed"):
                if time.monotonic() - started > timeout:
                    state = "timeout"
                    log(f"{label}: still not finished after {timeout:.0f} s; giving up on it")
                    break
                time.sleep(1)
                state = self.api.get(f"/dags/{dag_id}/dagRuns/{run_id}").json()["state"]
                if time.monotonic() - last_print > 15:
                    last_print = time.monotonic()
                    s = sampler.samples[-1] if sampler.samples else {}
                    log(f"{label}: {state}, {time.monotonic() - started:.0f} s, running tasks {s.get('running_all')}, "
                        f"tasks by state {s.get('by_state')}")
        finally:
            sampler.stop()
        run = self.api.get(f"/dags/{dag_id}/dagRuns/{run_id}").json()
        log(f"{label}: run {state} in {time.monotonic() - started:.1f} s")
        jobs = [j for j in httpx.get(f"{self.emulator_url}/_bench/jobs", timeout=30).json()["jobs"]
                if (j["name"] or "").startswith(prefix)]
        requests = httpx.get(f"{self.emulator_url}/_bench/requests", timeout=30).json()["requests"]
        stats = httpx.get(f"{self.emulator_url}/_emulator/stats", timeout=30).json()["apis"]
        tis = task_instances(self.home, dag_id, run_id)
        raw = {
            "n_videos": n, "dag_id": dag_id, "run_id": run_id, "run_state": state,
            "run_start": iso_epoch(run.get("start_date")), "run_end": iso_epoch(run.get("end_date")),
            "jobs": jobs, "requests": requests, "stats": stats, "task_instances": tis,
            "samples": sampler.samples, "sample_interval_s": self.args.sample_interval,
            "triggerer_before": trig_before, "wait_tasks": WAIT_TASKS[design],
            "chunks": sum(1 for t in tis if t["task_id"] == "submit_chunk") or 1,
        }
        (self.work / "raw").mkdir(exist_ok=True)
        (self.work / "raw" / f"{label}.json").write_text(json.dumps(raw))  # for profiling; not a result
        return raw


# -- measurements from outside Airflow: the SQLite DB (read-only) and /proc -----------------------
def iso_epoch(value: str | None) -> float | None:
    if not value:
        return None
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def db_connect(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{home / 'airflow.db'}?mode=ro", uri=True, timeout=10)


def task_instances(home: Path, dag_id: str, run_id: str) -> list[dict[str, Any]]:
    with db_connect(home) as conn:
        rows = conn.execute(
            "SELECT task_id, map_index, state, start_date, end_date, queued_dttm, try_number FROM task_instance "
            "WHERE dag_id = ? AND run_id = ?", (dag_id, run_id)).fetchall()
    return [{"task_id": r[0], "map_index": r[1], "state": r[2], "start": iso_epoch(r[3]), "end": iso_epoch(r[4]),
             "queued": iso_epoch(r[5]), "try_number": r[6]} for r in rows]


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


def triggerer_memory(home: Path) -> dict[str, float]:
    """PSS and RSS (MB) of the triggerer's process tree (the component, its trigger runner, its serve-logs)."""
    try:
        root = int((home / "run" / "triggerer.pid").read_text().strip())
    except (OSError, ValueError):
        return {"pss_mb": 0.0, "rss_mb": 0.0, "processes": 0}
    pss = rss = 0
    pids = _process_tree(root)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return {"pss_mb": round(pss / 1024, 1), "rss_mb": round(rss / 1024, 1), "processes": len(pids)}


def cpu_times() -> tuple[int, int]:
    """(total, idle+iowait) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]


class Sampler(threading.Thread):
    """Every ``interval`` s: task instances by state (SQLite, read-only), the triggerer's memory and the
    limiter's learned rate of the creates (``metastudio limits``' reading of the shared store)."""

    def __init__(self, home: Path, dag_id: str, run_id: str, wait_tasks: list[str], interval: float,
                 limiter: RateLimiter, key: str) -> None:
        super().__init__(daemon=True)
        self.home, self.dag_id, self.run_id, self.wait_tasks, self.interval = home, dag_id, run_id, wait_tasks, interval
        self.limiter, self.key = limiter, key
        self.samples: list[dict[str, Any]] = []
        self._halt = threading.Event()
        self._cpu: tuple[int, int] | None = None

    def run(self) -> None:
        conn = db_connect(self.home)
        try:
            while True:
                self.sample(conn)
                if self._halt.wait(self.interval):
                    self.sample(conn)
                    return
        finally:
            conn.close()

    def sample(self, conn: sqlite3.Connection) -> None:
        t = time.time()
        try:
            rows = conn.execute("SELECT task_id, state, count(*) FROM task_instance WHERE dag_id = ? AND run_id = ? "
                                "GROUP BY task_id, state", (self.dag_id, self.run_id)).fetchall()
        except sqlite3.Error:
            return
        mem = triggerer_memory(self.home)
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
    designs = [d.strip() for d in args.designs.split(",") if d.strip()]
    naive_n = args.naive_n or min(args.n, 300)
    sizes = {"batched": args.n, "naive": naive_n}
    results_dir = BENCH / "results"
    results_dir.mkdir(exist_ok=True)
    bench = Bench(args)

    def on_signal(signum, frame):  # noqa: ANN001, ARG001
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_signal)
    raws: dict[str, dict] = {}
    warmups: dict[str, Any] = {}
    began = time.time()
    try:
        bench.start()
        if args.warmup:
            for design in designs:
                raw = bench.run_design(design, args.warmup, timeout=600, label=f"warmup-{design}-{uuid.uuid4().hex[:6]}")
                warmups[design] = {"n_videos": args.warmup, "run_state": raw["run_state"],
                                   "t_run_s": round(raw["run_end"] - raw["run_start"], 2) if raw["run_end"] else None}
        for design in designs:
            n = sizes[design]
            raws[design] = bench.run_design(design, n, timeout=600 + 6 * n,
                                            label=f"{design}-n{n}-{uuid.uuid4().hex[:6]}")
            if design == "naive" and n < args.n:
                raws[design]["note"] = (f"naive design capped at {n} videos (N={args.n}): one task and one poke "
                                        f"sensor per video would take too long; compare per-video figures")
    except KeyboardInterrupt:
        log("interrupted; stopping what was started")
        bench.stop()
        return 130
    finally:
        bench.stop()

    results = {d: analyze.figures(d, raws[d], region=args.region, render_s=args.job_seconds,
                                  real_limits=args.real_limits) for d in raws}
    out: dict[str, Any] = dict(results)
    out["config"] = {
        "n": args.n, "naive_n": naive_n, "region": args.region, "render_seconds": args.job_seconds,
        "parallelism": args.parallelism, "chunk_size": args.chunk_size, "max_chunks": args.max_chunks,
        "scheduler_idle_sleep_s": args.scheduler_idle, "poll_interval_s": args.poll_interval,
        "scenario": args.scenario, "real_limits": args.real_limits,
        "limiter": f"{args.redis_url} (adaptive: table as hard cap, answer-time stamps capped at +50 ms, even "
                   "pacing, AIMD; docs/limits.md)", "executor": "LocalExecutor on SQLite",
        "warmup": warmups, "cpus": os.cpu_count(), "started_at": datetime.fromtimestamp(began, UTC).isoformat(),
        "wall_seconds": round(time.time() - began, 1),
        "targets": analyze.targets(args.real_limits),
    }
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
    stem = f"n{args.n}" + ("" if args.scenario == "table" else f"-{args.scenario}")
    for name in ("latest", stem):
        (results_dir / f"{name}.json").write_text(text + "\n")
    analyze.chart(results, raws, [results_dir / "latest.png", results_dir / f"{stem}.png"], region=args.region,
                  real_limits=args.real_limits)
    print()
    print(f"MetaStudio throughput benchmark, {args.region}, render time {args.job_seconds:g} s, scenario "
          f"{args.scenario} {args.real_limits or '(the table)'} (results in bench/results/latest.json and "
          f"{stem}.json, chart {stem}.png)")
    print(analyze.table(results))
    print(analyze.verdict(results, out["config"]["targets"]))
    if "comparison" in out:
        c = out["comparison"]
        print(f"naive/batched T: {c['t_naive_over_t_batched']}   videos/s: {c['videos_per_second']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
