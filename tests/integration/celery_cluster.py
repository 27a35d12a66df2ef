"""The Celery cluster of ``make cluster`` (scripts/cluster_start.sh) for integration tests.

``CeleryCluster`` is an ``AirflowCluster`` whose start and stop scripts are the cluster's: the same
api-server, scheduler, dag-processor and M triggerers, plus N Celery workers and the emulator, on this
machine's PostgreSQL and Redis. Each instance has its own database (created by the start script,
dropped by ``stop``), its own Celery queue and Redis databases apart from ``make cluster``'s, and
free ports, so it runs beside a developer's cluster and other tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.ports import free_port, free_port_run

from .airflow_cluster import ROOT, AirflowCluster, ClusterStartError

PG_SERVER = os.environ.get("METASTUDIO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("METASTUDIO_TEST_CLUSTER_REDIS", "redis://127.0.0.1:6379")
# Redis databases of the tests' clusters: not make cluster's (scripts/cluster.env), the limiter tests' or the bench's.
BROKER_DB, LIMITER_DB = 13, 14
SCRIPT_NAMES = {"airflow_start.sh": "cluster_start.sh", "airflow_stop.sh": "cluster_stop.sh"}


def purge_queue(queue: str) -> None:
    """Remove a test queue from the broker, with the messages a killed worker left unacknowledged
    (Redis would hand them out again after the visibility timeout, to a queue nobody reads)."""
    import redis

    broker = redis.Redis.from_url(f"{REDIS_SERVER}/{BROKER_DB}")
    try:
        for tag, raw in broker.hgetall("unacked").items():
            if json.loads(raw)[2] == queue:
                broker.hdel("unacked", tag)
                broker.zrem("unacked_index", tag)
        broker.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    except (redis.RedisError, ValueError, IndexError) as exc:
        print(f"could not purge test queue {queue}: {exc}")


def forget_limiter_state() -> None:
    """Empty the test clusters' limiter database: a learned rate or a Retry-After left by an earlier run
    (same emulator credentials, so the same limiter keys) would slow this one's calls below the limit."""
    import redis

    try:
        redis.Redis.from_url(f"{REDIS_SERVER}/{LIMITER_DB}").flushdb()
    except redis.RedisError as exc:
        print(f"could not empty the limiter's test database {LIMITER_DB}: {exc}")


@dataclass
class CeleryCluster(AirflowCluster):
    """``make cluster`` with its own database, Redis queue, ports and home; the project's dags/ only."""

    dags_folder: Path = ROOT / "dags"
    workers: int = 2
    triggerers: int = 1  # make cluster's default is 2; a test that needs two says so
    database: str = field(default_factory=lambda: f"metastudio_it_{uuid.uuid4().hex[:10]}")
    emulator_port: int = field(default_factory=free_port)
    worker_log_port_base: int = field(default_factory=lambda: free_port_run(8))

    @property
    def queue(self) -> str:
        """Our own Celery queue: workers of another cluster on the same broker never take our tasks."""
        return f"it-{self.database}"

    @property
    def emulator_url(self) -> str:
        return f"http://127.0.0.1:{self.emulator_port}"

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        env.pop("AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST", None)  # one bundle: the project's dags/
        return {
            **env,
            "WORKERS": str(self.workers),
            "TRIGGERERS": str(self.triggerers),
            "METASTUDIO_CLUSTER_DB": f"{PG_SERVER}/{self.database}",
            "METASTUDIO_CLUSTER_REDIS": REDIS_SERVER,
            "METASTUDIO_REDIS_BROKER_DB": str(BROKER_DB),
            "METASTUDIO_REDIS_LIMITER_DB": str(LIMITER_DB),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "METASTUDIO_EMULATOR_PORT": str(self.emulator_port),
            "METASTUDIO_WORKER_LOG_PORT_BASE": str(self.worker_log_port_base),
            **self.extra_env,
        }

    def _script(self, name: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return super()._script(SCRIPT_NAMES.get(name, name), timeout)

    def start(self, timeout: float = 240) -> float:
        try:
            return super().start(timeout)
        except ClusterStartError as exc:
            workers = "\n".join(f"--- worker{i}.log ---\n{self.component_log(f'worker{i}')[-3000:]}"
                                for i in range(1, self.workers + 1))
            message = str(exc).replace("airflow_start.sh", "cluster_start.sh", 1)
            raise ClusterStartError(f"{message}\n{workers}") from exc

    def stop(self) -> float:
        seconds = super().stop()
        self.drop_database()
        purge_queue(self.queue)
        return seconds

    def drop_database(self) -> None:
        import psycopg
        from psycopg import sql

        try:
            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.database)))
        except psycopg.Error as exc:
            print(f"could not drop test database {self.database}: {exc}")

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """An ``airflow`` CLI command in the cluster's environment (scripts/cluster_env.sh)."""
        command = 'source scripts/cluster_env.sh && exec "$AIRFLOW_BIN" "$@"'
        return subprocess.run(["bash", "-c", command, "airflow", *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout, check=False)

    # -- workers ---------------------------------------------------------------------------------------
    def worker_pid(self, index: int) -> int:
        return int((self.run_dir / f"worker{index}.pid").read_text())

    def kill_worker(self, index: int) -> list[int]:
        """SIGKILL every process of worker ``index``, as if its host died: the Celery main process,
        its pool processes and the tasks they run (each task runs in a process group of its own, so
        killing the worker's group alone would leave them running). Returns the pids killed."""
        return signal_tree(self.worker_pid(index), signal.SIGKILL)

    # -- triggerers ------------------------------------------------------------------------------------
    @property
    def triggerer_names(self) -> list[str]:
        """``triggerer``, ``triggerer2``, ...: their pid files, logs and (with several) ``<name>@<host>`` hostnames."""
        return ["triggerer", *(f"triggerer{i}" for i in range(2, self.triggerers + 1))]

    def triggerer_pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def kill_airflow(self) -> dict[str, list[int]]:
        """SIGKILL every Airflow process of the cluster (api-server, scheduler, dag-processor, triggerers, workers
        and everything they started), as if its host died; the emulator, PostgreSQL and Redis stay. By component."""
        import psutil

        trees: dict[str, list[Any]] = {}
        for path in sorted(self.run_dir.glob("*.pid")):
            try:
                root = psutil.Process(int(path.read_text()))
                trees[path.stem] = [root, *root.children(recursive=True)]
            except (psutil.NoSuchProcess, ValueError):  # already gone (a triggerer an earlier test killed)
                continue
        trees.pop("emulator", None)
        everything = [proc for procs in trees.values() for proc in procs]
        for proc in everything:  # found first, then all killed at once: none can react to another's death
            try:
                proc.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(everything, timeout=10)
        return {name: [proc.pid for proc in procs] for name, procs in trees.items()}

    def kill_triggerer(self, name: str) -> list[int]:
        """SIGKILL triggerer ``name`` and its children (its trigger runner, its log server): its host died."""
        return signal_tree(self.triggerer_pid(name), signal.SIGKILL)

    def sql(self, query: str, *params: Any) -> list[tuple[Any, ...]]:
        """Rows of a query on the cluster's metadata database."""
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/{self.database}", autocommit=True, connect_timeout=5) as conn:
            return list(conn.execute(query, params).fetchall())

    def triggerer_jobs(self) -> dict[str, dict[str, Any]]:
        """The running triggerer jobs by name (``triggerer2`` from ``triggerer2@host``): id and heartbeat age (s)."""
        rows = self.sql("SELECT id, hostname, EXTRACT(EPOCH FROM now() - latest_heartbeat) FROM job "
                        "WHERE job_type = 'TriggererJob' AND state = 'running' ORDER BY id")
        return {hostname.split("@", 1)[0]: {"id": job_id, "heartbeat_age": float(age)}
                for job_id, hostname, age in rows}

    def deferred_triggers(self) -> dict[str, dict[str, Any]]:
        """Each deferred task instance (``dag_id/task_id[map_index]``): its trigger's id, classpath and the
        triggerer holding it (``triggerer2``, from the ``trigger`` table joined with ``job``; None: unassigned)."""
        rows = self.sql(
            "SELECT ti.dag_id, ti.task_id, ti.map_index, t.id, t.classpath, j.hostname FROM task_instance ti "
            "JOIN trigger t ON t.id = ti.trigger_id LEFT JOIN job j ON j.id = t.triggerer_id "
            "WHERE ti.state = 'deferred'")
        return {f"{dag}/{task}" + (f"[{index}]" if index >= 0 else ""):
                {"trigger_id": trigger_id, "classpath": classpath,
                 "triggerer": hostname.split("@", 1)[0] if hostname else None}
                for dag, task, index, trigger_id, classpath, hostname in rows}

    # -- the emulator ----------------------------------------------------------------------------------
    def restart_emulator(self, job_seconds: float, live_exit_hour_seconds: float | None = None) -> float:
        """Start the emulator anew (an empty MetaStudio, counters at zero) with another video render time, on
        the same port, as cluster_start.sh starts it (pid file and log in the run folder); return the seconds taken."""
        began = time.monotonic()
        pid_file = self.run_dir / "emulator.pid"
        signal_tree(int(pid_file.read_text()), signal.SIGTERM)
        region = self.env.get("METASTUDIO_REGION", "cn-north-4")
        command = [str(ROOT / ".venv" / "bin" / "metastudio-emulator"), "--host", "127.0.0.1",
                   "--port", str(self.emulator_port), "--region", region, "--job-seconds", str(job_seconds)]
        if live_exit_hour_seconds is not None:  # one hour of StartSmartLive's max_live_duration lasts this long
            command += ["--live-exit-hour-seconds", str(live_exit_hour_seconds)]
        with (self.run_dir / "emulator.log").open("a") as log:
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    start_new_session=True, cwd=ROOT)
        pid_file.write_text(f"{proc.pid}\n")
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{self.emulator_url}/_emulator/config", timeout=2).json()["job_seconds"] == job_seconds:
                    return round(time.monotonic() - began, 1)
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ClusterStartError(f"the emulator did not start again: {self.component_log('emulator')[-2000:]}")
            time.sleep(0.2)


    def emulator_stats(self) -> dict[str, Mapping[str, Any]]:
        return httpx.get(f"{self.emulator_url}/_emulator/stats", timeout=10).json()["apis"]


def signal_tree(pid: int, signum: int) -> list[int]:
    """Send ``signum`` to a process and all its descendants (found first, so none escapes by being
    re-parented); after SIGKILL or SIGTERM wait up to 10 s for them to end. Returns the pids signalled."""
    import psutil

    root = psutil.Process(pid)
    processes = [root, *root.children(recursive=True)]
    for proc in processes:
        try:
            proc.send_signal(signum)
        except psutil.NoSuchProcess:
            pass
    if signum in (signal.SIGKILL, signal.SIGTERM):
        psutil.wait_procs(processes, timeout=10)
    return [p.pid for p in processes]
