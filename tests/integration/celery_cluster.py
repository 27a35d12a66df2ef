"""The Celery cluster of ``make cluster`` (scripts/cluster_start.sh) for integration tests.

``CeleryCluster`` is an ``AirflowCluster`` whose start and stop scripts are the cluster's: the same
api-server, scheduler, dag-processor and triggerer, plus N Celery workers and the emulator, on this
machine's PostgreSQL and Redis. Each instance has its own database (created by the start script,
dropped by ``stop``), its own Celery queue and Redis databases apart from ``make cluster``'s, and
free ports, so it runs beside a developer's cluster and other tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from .airflow_cluster import ROOT, AirflowCluster, ClusterStartError, free_port

PG_SERVER = os.environ.get("METASTUDIO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS_SERVER = os.environ.get("METASTUDIO_TEST_CLUSTER_REDIS", "redis://127.0.0.1:6379")
# Redis databases of the tests' clusters: not make cluster's (scripts/cluster.env), the limiter tests' or the bench's.
BROKER_DB, LIMITER_DB = 13, 14
SCRIPT_NAMES = {"airflow_start.sh": "cluster_start.sh", "airflow_stop.sh": "cluster_stop.sh"}


def free_port_run(count: int) -> int:
    """A port ``p`` such that ``p + 1`` … ``p + count`` are free (worker i serves its logs on ``p + i``)."""
    for _ in range(50):
        base = free_port()
        ports = range(base + 1, base + count + 1)
        if all(_is_free(p) for p in ports):
            return base
    raise RuntimeError(f"no {count} consecutive free ports")


def _is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


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


@dataclass
class CeleryCluster(AirflowCluster):
    """``make cluster`` with its own database, Redis queue, ports and home; the project's dags/ only."""

    dags_folder: Path = ROOT / "dags"
    workers: int = 2
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
        import psutil

        root = psutil.Process(self.worker_pid(index))
        processes = [root, *root.children(recursive=True)]
        for proc in processes:
            proc.send_signal(signal.SIGKILL)
        psutil.wait_procs(processes, timeout=10)
        return [p.pid for p in processes]

    # -- the emulator ----------------------------------------------------------------------------------
    def emulator_stats(self) -> dict[str, Mapping[str, Any]]:
        return httpx.get(f"{self.emulator_url}/_emulator/stats", timeout=10).json()["apis"]
