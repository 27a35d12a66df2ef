"""`make cluster`'s checks fail early and clearly, without leaking passwords (scripts/cluster_setup.py, cluster_start.sh)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("cluster_setup", ROOT / "scripts" / "cluster_setup.py")
cluster_setup = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster_setup)


def test_a_missing_driver_is_named_with_the_fix(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg 3 were not installed
    with pytest.raises(SystemExit) as failed:
        cluster_setup.check_packages()
    message = str(failed.value)
    assert "psycopg[binary] (psycopg 3): Celery's db+postgresql:// result backend" in message
    assert "make venv" in message and "airflow-provider-metastudio[celery]" in message
    assert message.count("cannot import") == 1, message  # only what is missing


def test_the_installed_packages_pass():
    cluster_setup.check_packages()


def test_an_unreachable_database_stops_the_start_before_anything_runs(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "METASTUDIO", "WORKERS"))}
    env.update(AIRFLOW_HOME=str(tmp_path), METASTUDIO_CLUSTER_DB="postgresql://u:topsecret@127.0.0.1:1/somedb")
    done = subprocess.run(["bash", "scripts/cluster_start.sh"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    assert "PostgreSQL at 127.0.0.1:1 (user u) is not reachable" in done.stderr
    assert "METASTUDIO_CLUSTER_DB=postgresql://user[:password]@host:port/dbname" in done.stderr
    assert "topsecret" not in done.stdout + done.stderr
    assert not list((tmp_path / "run").glob("*.pid")), "nothing may start when the checks fail"


def test_redact_hides_passwords_only():
    assert cluster_setup.redact("redis://:pw@host:6379/10") == "redis://:***@host:6379/10"
    assert cluster_setup.redact("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert cluster_setup.redact("redis://127.0.0.1:6379/11") == "redis://127.0.0.1:6379/11"
