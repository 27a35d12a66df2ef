"""Run the project's own DAGs (dags/) with `airflow dags test` in a separate AIRFLOW_HOME."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import connection_json

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class DagRunResult:
    returncode: int
    output: str
    db: Path
    dag_id: str

    @property
    def run_id(self) -> str:
        """The run this command made: the newest of the DAG."""
        with sqlite3.connect(self.db) as con:
            (run_id,) = con.execute("SELECT run_id FROM dag_run WHERE dag_id=? ORDER BY id DESC LIMIT 1",
                                    (self.dag_id,)).fetchone()
        return run_id

    @property
    def state(self) -> str:
        """The DagRun's final state."""
        with sqlite3.connect(self.db) as con:
            (state,) = con.execute("SELECT state FROM dag_run WHERE dag_id=? AND run_id=?",
                                   (self.dag_id, self.run_id)).fetchone()
        return state

    @property
    def note(self) -> str | None:
        """The run's note (what the Grid and the run's page show first)."""
        with sqlite3.connect(self.db) as con:
            row = con.execute("SELECT n.content FROM dag_run_note n JOIN dag_run r ON r.id = n.dag_run_id "
                              "WHERE r.dag_id=? AND r.run_id=?", (self.dag_id, self.run_id)).fetchone()
        return row[0] if row else None

    def tries(self, task_id: str) -> int:
        """How many tries ``task_id`` (unmapped) took."""
        with sqlite3.connect(self.db) as con:
            (tries,) = con.execute("SELECT try_number FROM task_instance WHERE dag_id=? AND run_id=? AND task_id=?",
                                   (self.dag_id, self.run_id, task_id)).fetchone()
        return tries

    def task_states(self) -> dict[str, list[str]]:
        with sqlite3.connect(self.db) as con:
            rows = con.execute(
                "SELECT task_id, map_index, state FROM task_instance WHERE dag_id=? AND run_id=? "
                "ORDER BY task_id, map_index",
                (self.dag_id, self.run_id),
            ).fetchall()
        states: dict[str, list[str]] = {}
        for task_id, _, state in rows:
            states.setdefault(task_id, []).append(state)
        return states

    def map_labels(self, task_id: str) -> list[str | None]:
        """The names the UI shows for a mapped task's instances (rendered ``map_index_template``)."""
        with sqlite3.connect(self.db) as con:
            rows = con.execute("SELECT rendered_map_index FROM task_instance WHERE dag_id=? AND run_id=? AND task_id=? "
                               "ORDER BY map_index", (self.dag_id, self.run_id, task_id)).fetchall()
        return [label for (label,) in rows]

    def xcom(self, task_id: str, key: str = "return_value") -> list:
        with sqlite3.connect(self.db) as con:
            rows = con.execute(
                "SELECT value FROM xcom WHERE dag_id=? AND run_id=? AND task_id=? AND key=? ORDER BY map_index",
                (self.dag_id, self.run_id, task_id, key),
            ).fetchall()
        return [json.loads(v) if isinstance(v, (str, bytes)) else v for (v,) in rows]


@pytest.fixture(scope="session")
def airflow_cli_home(tmp_path_factory, emulator):
    """An AIRFLOW_HOME with a migrated DB, the dags/ folder and the connection to the session emulator."""
    home = tmp_path_factory.mktemp("airflow-cli-home")
    (home / "config").mkdir()  # on the components' sys.path: the waits of this home's runs check every 0.5 s
    shutil.copyfile(Path(__file__).with_name("fast_polls.py"), home / "config" / "airflow_local_settings.py")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),  # plugins/metastudio_plugins.py: the timetable
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW_CONN_METASTUDIO_DEFAULT": connection_json(emulator),
        "METASTUDIO_POLL_SECONDS": "1",  # the backfill's render wait (the emulator's jobs take 1 s)
        # the video DAGs deliver here, not into the checkout's include/deliveries
        "AIRFLOW_VAR_METASTUDIO_DELIVERY_URI": f"file://{home / 'deliveries'}",
    }
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env, check=True,
                   capture_output=True)
    return env


@pytest.fixture
def run_dag(airflow_cli_home):
    def run(dag_id: str, conf: dict | None = None, logical_date: str | None = None, timeout: int = 240,
            extra_env: dict[str, str | None] | None = None) -> DagRunResult:
        cmd = [str(Path(sys.executable).parent / "airflow"), "dags", "test", dag_id]
        if logical_date:
            cmd.append(logical_date)
        if conf is not None:
            cmd += ["-c", json.dumps(conf)]
        env = {**airflow_cli_home, **(extra_env or {})}
        env = {name: value for name, value in env.items() if value is not None}  # None: unset it
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        return DagRunResult(proc.returncode, proc.stdout + proc.stderr,
                            Path(airflow_cli_home["AIRFLOW_HOME"]) / "airflow.db", dag_id)

    return run
