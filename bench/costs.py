"""Airflow's own cost of a benchmark run, read from the processes and the metadata database.

- CPU-seconds per component (scheduler, dag-processor, triggerer, api-server, workers, and the emulator):
  for each process of a component's tree, user + system time plus that of its children it has reaped
  (``psutil`` ``cpu_times``: a task process that ended is in its parent's ``children_*``), before and after
  the run. LocalExecutor: the workers are the scheduler's ``airflow worker -- LocalExecutor`` children (and
  the task processes they start); the scheduler is the rest of its tree. Celery: each ``worker<i>.pid``.
- Peak memory per component: the sum of PSS (and RSS) of its processes (``/proc/<pid>/smaps_rollup``),
  sampled every second.
- XCom bytes of the run and the rows the run added to the metadata database (every table, counted before
  and after), through SQLAlchemy: SQLite or PostgreSQL alike.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import psutil

COMPONENTS = ("scheduler", "dag-processor", "triggerer", "api-server", "workers")
LOCAL_WORKER_TITLE = "airflow worker -- LocalExecutor"


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if psutil.pid_exists(pid) else None


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _is_local_worker(proc: psutil.Process) -> bool:
    try:
        return " ".join(proc.cmdline()).startswith(LOCAL_WORKER_TITLE)
    except psutil.Error:
        return False


def component_processes(run_dir: Path, extra: dict[str, int] | None = None) -> dict[str, list[psutil.Process]]:
    """The processes of each component now: from the pid files in ``run_dir`` (``triggerer*`` together,
    ``worker*`` = the Celery workers), LocalExecutor workers split off the scheduler; plus ``extra``
    (name → root pid, e.g. the emulator)."""
    out: dict[str, list[psutil.Process]] = {name: [] for name in COMPONENTS}
    for path in sorted(run_dir.glob("*.pid")):
        name = path.stem
        pid = _pid(path)
        if pid is None:
            continue
        if name.startswith("triggerer"):
            out["triggerer"] += _tree(pid)
        elif name.startswith("worker"):
            out["workers"] += _tree(pid)
        elif name == "scheduler":
            procs = _tree(pid)
            workers = {p.pid for w in procs if _is_local_worker(w) for p in _tree(w.pid)}
            out["scheduler"] += [p for p in procs if p.pid not in workers]
            out["workers"] += [p for p in procs if p.pid in workers]
        elif name in out:
            out[name] += _tree(pid)
    for name, pid in (extra or {}).items():
        out[name] = _tree(pid)
    return out


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """User + system seconds of the processes and of the children they reaped."""
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def cpu_snapshot(run_dir: Path, extra: dict[str, int] | None = None) -> dict[str, float]:
    return {name: round(cpu_seconds(procs), 2) for name, procs in component_processes(run_dir, extra).items()}


def memory_mb(procs: list[psutil.Process]) -> tuple[float, float]:
    """(PSS, RSS) in MB of the processes, summed."""
    pss = rss = 0
    for p in procs:
        try:
            with open(f"/proc/{p.pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
        except OSError:
            continue
    return round(pss / 1024, 1), round(rss / 1024, 1)


class MemorySampler(threading.Thread):
    """Every ``interval`` s, each component's PSS and RSS; keeps the peaks and the process counts.

    ``resident_pss_mb`` is the peak PSS of the component's processes that already ran when sampling began
    (the scheduler, the dag-processor, the triggerers, the api-server, the executor's worker processes), without
    the children they start during the run (a task process, a DAG file's parsing child): what would grow if a
    component kept something per video. A short run samples few of those children, a long one many, so the
    peak with them compares runs of different lengths badly."""

    def __init__(self, run_dir: Path, extra: dict[str, int] | None = None, interval: float = 1.0) -> None:
        super().__init__(daemon=True)
        self.run_dir, self.extra, self.interval = run_dir, extra, interval
        self.peak: dict[str, dict[str, float]] = {}
        self._halt = threading.Event()
        self._began = time.time()

    def _resident(self, procs: list[psutil.Process]) -> list[psutil.Process]:
        kept = []
        for p in procs:
            try:
                if p.create_time() < self._began:
                    kept.append(p)
            except psutil.Error:
                continue
        return kept

    def run(self) -> None:
        while True:
            for name, procs in component_processes(self.run_dir, self.extra).items():
                pss, rss = memory_mb(procs)
                resident, _ = memory_mb(self._resident(procs))
                peak = self.peak.setdefault(name, {"pss_mb": 0.0, "rss_mb": 0.0, "processes": 0,
                                                   "resident_pss_mb": 0.0})
                peak["pss_mb"] = max(peak["pss_mb"], pss)
                peak["rss_mb"] = max(peak["rss_mb"], rss)
                peak["resident_pss_mb"] = max(peak["resident_pss_mb"], resident)
                peak["processes"] = max(peak["processes"], len(procs))
            if self._halt.wait(self.interval):
                return

    def stop(self) -> dict[str, dict[str, float]]:
        self._halt.set()
        self.join(30)
        return self.peak


def db_engine(url: str) -> Any:
    import sqlalchemy

    return sqlalchemy.create_engine(url, pool_pre_ping=True)


def table_rows(engine: Any) -> dict[str, int]:
    """Rows per table of the metadata database."""
    import sqlalchemy

    names = sqlalchemy.inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {name: int(conn.execute(sqlalchemy.text(f'SELECT count(*) FROM "{name}"')).scalar() or 0)
                for name in names}


def xcom_bytes(engine: Any, dag_id: str, run_id: str) -> dict[str, Any]:
    """Bytes of the run's XCom values (as text), in total and per task id."""
    import sqlalchemy

    query = sqlalchemy.text("SELECT task_id, count(*), sum(length(CAST(value AS TEXT))) FROM xcom "
                            "WHERE dag_id = :dag AND run_id = :run GROUP BY task_id")
    with engine.connect() as conn:
        rows = conn.execute(query, {"dag": dag_id, "run": run_id}).fetchall()
    per_task = {task: {"values": int(n), "bytes": int(b or 0)} for task, n, b in rows}
    return {"bytes": sum(v["bytes"] for v in per_task.values()), "per_task": per_task}


def rows_added(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """Rows each table gained (tables that did not change left out)."""
    return {t: after[t] - before.get(t, 0) for t in sorted(after) if after[t] != before.get(t, 0)}
