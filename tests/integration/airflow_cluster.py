"""A real Airflow 3.3 (api-server, scheduler, dag-processor, triggerer) for integration tests.

``AirflowCluster`` drives ``scripts/airflow_start.sh`` / ``scripts/airflow_stop.sh`` with its own
AIRFLOW_HOME, free ports and a clean environment (nothing of pytest's own ``AIRFLOW_*`` settings,
in particular not ``AIRFLOW__CORE__UNIT_TEST_MODE``, reaches the components). ``AirflowClient`` is a
small REST client (``POST /auth/token`` then ``/api/v2/...``) that records every task-instance
state it sees while it waits, so a test can assert a sensor was ``deferred`` before ``success``.
``EmulatorClock`` lets a test hold the in-process emulator's time still, so jobs stay running
until the test has seen what it wants to see.

Nothing here imports Airflow: the test process only talks HTTP to the components.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
SCHEDULER_DAGS = ROOT / "tests" / "scheduler_dags"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
PASSED_THROUGH = frozenset({"AIRFLOW_START_TIMEOUT", "AIRFLOW_STOP_TIMEOUT"})  # the scripts' own knobs
FINISHED_RUN_STATES = frozenset({"success", "failed"})
FINISHED_TI_STATES = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})


class ClusterStartError(RuntimeError):
    """The components did not come up; the message carries the start script's output."""


def pools_file(path: Path, region: str) -> Path:
    """Write what ``airflow pools import`` takes for every catalog API in ``region``."""
    from metastudio_provider.pools import pools

    path.write_text(json.dumps(pools(region), indent=1))
    return path


class EmulatorClock:
    """A wall clock for ``EmulatorConfig(clock=...)`` that a test can hold still and move forward.

    Emulator lifecycles are computed from this clock, so while it is held every job stays in the
    state it had (a video created while held stays WAITING). ``release`` goes back to real time,
    never backwards: time skipped with ``advance`` while held is kept as an offset.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: float | None = None
        self._offset = 0.0

    def __call__(self) -> float:
        with self._lock:
            return self._held if self._held is not None else time.time() + self._offset

    @property
    def is_held(self) -> bool:
        return self._held is not None

    def hold(self) -> None:
        with self._lock:
            if self._held is None:
                self._held = time.time() + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._held is not None:
                self._held += seconds
            else:
                self._offset += seconds

    def release(self) -> None:
        with self._lock:
            if self._held is not None:
                self._offset = max(self._offset, self._held - time.time())
                self._held = None

    @contextmanager
    def held(self) -> Iterator[EmulatorClock]:
        """Hold the clock for the block; released on the way out, even on failure."""
        self.hold()
        try:
            yield self
        finally:
            self.release()


# -- the REST client -------------------------------------------------------------------------------


def ti_key(ti: Mapping[str, Any]) -> str:
    """``task_id``, or ``task_id[map_index]`` for a mapped task instance."""
    index = ti.get("map_index", -1)
    return ti["task_id"] if index in (-1, None) else f"{ti['task_id']}[{index}]"


@dataclass
class _RunRecord:
    started: float
    timeline: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    run_states: list[tuple[float, str]] = field(default_factory=list)

    def note(self, key: str, state: str | None) -> None:
        entries = self.timeline.setdefault(key, [])
        value = state or "none"
        if not entries or entries[-1][1] != value:
            entries.append((round(time.monotonic() - self.started, 2), value))

    def note_run(self, state: str) -> None:
        if not self.run_states or self.run_states[-1][1] != state:
            self.run_states.append((round(time.monotonic() - self.started, 2), state))


class AirflowClient:
    """The REST API as the tests need it; every poll records the task-instance states it sees."""

    def __init__(self, base_url: str, username: str, password: str, *, poll_interval: float = 0.4) -> None:
        self.base_url = base_url
        self.poll_interval = poll_interval
        self._credentials = {"username": username, "password": password}
        self._http = httpx.Client(base_url=base_url, timeout=30)
        self._token: str | None = None
        self._runs: dict[tuple[str, str], _RunRecord] = {}

    def close(self) -> None:
        self._http.close()

    # -- HTTP ------------------------------------------------------------------------------------
    def _login(self) -> str:
        resp = self._http.post("/auth/token", json=self._credentials)
        if resp.status_code >= 300:
            raise RuntimeError(f"POST /auth/token: {resp.status_code} {resp.text[:300]}")
        self._token = resp.json()["access_token"]
        return self._token

    def request(self, method: str, path: str, *, ok: Iterable[int] = (), **kwargs: Any) -> httpx.Response:
        """Send with a bearer token (fetched once, refreshed on 401); raise on an unexpected error.

        A 500 "Database error" is SQLite busy (the components share one file, and a write waits 5 s at
        most): it is sent again, up to 6 times, half a second apart."""
        busy, refreshed = 0, False
        while True:
            token = self._token or self._login()
            resp = self._http.request(method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs)
            if resp.status_code == 401 and not refreshed:
                self._token, refreshed = None, True
                continue
            if resp.status_code == 500 and "Database error" in resp.text and busy < 5:
                busy += 1
                time.sleep(0.5)
                continue
            if resp.status_code >= 400 and resp.status_code not in set(ok):
                raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:500]}")
            return resp

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs).json()

    # -- DAGs and runs ---------------------------------------------------------------------------
    def wait_for_dag(self, dag_id: str, timeout: float = 90) -> dict[str, Any]:
        """The DAG once the dag-processor has serialized it (import errors are reported)."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.request("GET", f"/api/v2/dags/{dag_id}", ok=(404,))
            if resp.status_code == 200:
                return resp.json()
            if time.monotonic() > deadline:
                errors = self.get("/api/v2/importErrors").get("import_errors")
                raise TimeoutError(f"DAG {dag_id} not parsed after {timeout:.0f} s; import errors: {errors}")
            time.sleep(0.5)

    def unpause(self, dag_id: str) -> None:
        self.request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: Mapping[str, Any] | None = None, logical_date: str | None = None) -> str:
        """Wait until the DAG is known, unpause it, create a run; return its run id."""
        self.wait_for_dag(dag_id)
        self.unpause(dag_id)
        body = {"logical_date": logical_date, "conf": dict(conf or {})}
        run = self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body).json()
        self._runs[(dag_id, run["dag_run_id"])] = _RunRecord(started=time.monotonic())
        return run["dag_run_id"]

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        body = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 100})
        return body["task_instances"]

    def observe(self, dag_id: str, run_id: str) -> tuple[str, list[dict[str, Any]]]:
        """One poll: the run's state and its task instances, recorded in the state history."""
        record = self._runs.setdefault((dag_id, run_id), _RunRecord(started=time.monotonic()))
        tis = self.task_instances(dag_id, run_id)
        state = self.dag_run(dag_id, run_id)["state"]
        for ti in tis:
            record.note(ti_key(ti), ti.get("state"))
        record.note_run(state)
        return state, tis

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        """Poll until the run ends; return its state ("success" or "failed")."""
        deadline = time.monotonic() + timeout
        while True:
            state, _ = self.observe(dag_id, run_id)
            if state in FINISHED_RUN_STATES:
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} {run_id} still {state} after {timeout:.0f} s; "
                                   f"history: {self.ti_state_history(dag_id, run_id)}")
            time.sleep(self.poll_interval)

    def wait_for_states(self, dag_id: str, run_id: str, wanted: Mapping[str, str], timeout: float = 120) -> None:
        """Poll until each task in ``wanted`` has been seen in its state (e.g. ``{"wait": "deferred"}``).

        Fails at once if the run ends or a wanted task finishes without having been seen so.
        """
        deadline = time.monotonic() + timeout
        while True:
            state, tis = self.observe(dag_id, run_id)
            history = self.ti_state_history(dag_id, run_id)
            missing = {k: v for k, v in wanted.items() if v not in history.get(k, [])}
            if not missing:
                return
            by_key = {ti_key(ti): ti.get("state") for ti in tis}
            gone = {k for k in missing if by_key.get(k) in FINISHED_TI_STATES}
            if gone or state in FINISHED_RUN_STATES or time.monotonic() > deadline:
                raise AssertionError(f"{dag_id} {run_id} ({state}): never saw {missing}; history: {history}")
            time.sleep(self.poll_interval)

    def ti_state_history(self, dag_id: str, run_id: str) -> dict[str, list[str]]:
        """Every state seen per task instance, in order (consecutive repeats collapsed)."""
        return {k: [s for _, s in v] for k, v in self.ti_state_timeline(dag_id, run_id).items()}

    def ti_state_timeline(self, dag_id: str, run_id: str) -> dict[str, list[tuple[float, str]]]:
        """Like ``ti_state_history`` with the seconds since the trigger at which each state was first seen."""
        record = self._runs.get((dag_id, run_id))
        return {k: list(v) for k, v in record.timeline.items()} if record else {}

    def run_state_timeline(self, dag_id: str, run_id: str) -> list[tuple[float, str]]:
        record = self._runs.get((dag_id, run_id))
        return list(record.run_states) if record else []

    def xcom(self, dag_id: str, run_id: str, task_id: str, key: str = "return_value", map_index: int = -1) -> Any:
        """An XCom value as JSON (``GET .../taskInstances/{task_id}/xcomEntries/{key}``)."""
        entry = self.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/{key}",
                         params={"map_index": map_index})
        value = entry["value"]
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value


# -- the cluster -----------------------------------------------------------------------------------


@dataclass
class AirflowCluster:
    """Four Airflow components started by the project's scripts, with their own home and ports."""

    home: Path
    dags_folder: Path = SCHEDULER_DAGS
    extra_env: Mapping[str, str] = field(default_factory=dict)
    api_port: int = field(default_factory=free_port)
    worker_log_port: int = field(default_factory=free_port)
    trigger_log_port: int = field(default_factory=free_port)
    username: str = "admin"
    password: str = "admin"
    start_seconds: float | None = None
    stop_seconds: float | None = None
    _client: AirflowClient | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def env(self) -> dict[str, str]:
        """The environment of the scripts and of the components: ours only, nothing of pytest's."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW") or k in PASSED_THROUGH}
        return {
            **base,
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            # two bundles: the tests' DAGs, and the project's own dags/ (the pipelines run as users run them)
            "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps([
                {"name": "dags-folder", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                 "kwargs": {"path": str(self.dags_folder)}},
                {"name": "project-dags", "classpath": "airflow.dag_processing.bundles.local.LocalDagBundle",
                 "kwargs": {"path": str(ROOT / "dags")}},
            ]),
            "AIRFLOW_API_PORT": str(self.api_port),
            "AIRFLOW_ADMIN_USER": self.username,
            "AIRFLOW_ADMIN_PASSWORD": self.password,
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(self.worker_log_port),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(self.trigger_log_port),
            **self.extra_env,
        }

    def _script(self, name: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(SCRIPTS / name)], env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=timeout, check=False)

    def start(self, timeout: float = 150) -> float:
        """Run ``airflow_start.sh``; return the seconds it took. Raise ``ClusterStartError`` on failure."""
        self.home.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        try:
            done = self._script("airflow_start.sh", timeout)
        except subprocess.TimeoutExpired as exc:
            raise ClusterStartError(f"airflow_start.sh did not finish in {timeout:.0f} s: {exc.stdout!r}") from exc
        self.start_seconds = round(time.monotonic() - began, 1)
        if done.returncode != 0:
            raise ClusterStartError(
                f"airflow_start.sh failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                + "\n".join(f"--- {c}.log ---\n{self.component_log(c)[-3000:]}" for c in COMPONENTS)
            )
        return self.start_seconds

    def stop(self) -> float:
        """Run ``airflow_stop.sh`` (SIGTERM, then SIGKILL what is left); return the seconds it took."""
        if self._client is not None:
            self._client.close()
            self._client = None
        began = time.monotonic()
        self._script("airflow_stop.sh", 120)
        self.stop_seconds = round(time.monotonic() - began, 1)
        return self.stop_seconds

    @property
    def client(self) -> AirflowClient:
        if self._client is None:
            self._client = AirflowClient(self.url, self.username, self.password)
        return self._client

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run an ``airflow`` CLI command in the cluster's environment.

        On SQLite the CLI writes beside the running components, so a command may fail with "database is
        locked" (its transaction rolled back): it is run again, up to five times.
        """
        command = 'source scripts/airflow_env.sh && exec "$AIRFLOW_BIN" "$@"'
        for _ in range(5):
            done = subprocess.run(["bash", "-c", command, "airflow", *args], env=self.env, cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout, check=False)
            if done.returncode == 0 or "database is locked" not in done.stdout + done.stderr:
                break
            time.sleep(2)
        return done

    # -- logs --------------------------------------------------------------------------------------
    def component_log(self, name: str) -> str:
        """The stdout/stderr of one component (``api-server``, ``scheduler``, ...)."""
        path = self.run_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def task_log_files(self, dag_id: str, run_id: str, task_id: str) -> dict[str, str]:
        """Every log file of one task instance (its tries and its trigger logs), by file name."""
        root = self.logs_dir / f"dag_id={dag_id}" / f"run_id={run_id}" / f"task_id={task_id}"
        if not root.exists():
            return {}
        return {p.name: p.read_text(errors="replace") for p in sorted(root.rglob("*.log*")) if p.is_file()}

    def trigger_logs(self, dag_id: str, run_id: str, task_id: str) -> dict[str, str]:
        """The trigger log files the triggerer wrote for one task instance."""
        return {n: t for n, t in self.task_log_files(dag_id, run_id, task_id).items() if ".trigger." in n}

    def defer_exit_processed(self, dag_id: str, run_id: str, task_id: str) -> bool:
        """Whether the scheduler has handled the executor event of the try that deferred ``task_id``.

        Until it has, a trigger that fires hits an Airflow 3.3.2 race: the late event ("success"
        for the try that deferred) finds the task instance queued again for its resumption and
        fails it ("finished with state success, but the task instance's state attribute is
        queued"). Tests that control when a trigger fires wait for this first.
        """
        pattern = re.compile(
            rf"TaskInstance Finished: dag_id={re.escape(dag_id)}, task_id={re.escape(task_id)}, "
            rf"run_id={re.escape(run_id)}, .*?, state=deferred,"
        )
        return bool(pattern.search(self.component_log("scheduler")))

    def wait_for_defer_exit(self, dag_id: str, run_id: str, task_ids: Iterable[str], timeout: float = 60) -> None:
        pending = list(task_ids)
        wait_until(lambda: not [t for t in pending if not self.defer_exit_processed(dag_id, run_id, t)],
                   timeout, interval=0.3, what=f"scheduler handling the defer exit of {pending}")

    def remove_home(self) -> None:
        shutil.rmtree(self.home, ignore_errors=True)


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.3, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached in {timeout:.0f} s")
        time.sleep(interval)
