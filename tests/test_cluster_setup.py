"""`make cluster`'s checks fail early and clearly, without leaking passwords.

The checks live in scripts/cluster_setup.py and cluster_start.sh.
"""

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


WRITE_SECRETS = """
import sqlalchemy as sa
from airflow.configuration import conf, write_default_airflow_configuration_if_needed
from airflow.models import Connection, Variable
from airflow.models.team import Team
from sqlalchemy.orm import Session

write_default_airflow_configuration_if_needed()  # airflow.cfg with this home's new Fernet key, as `airflow` does
engine = sa.create_engine(conf.get("database", "sql_alchemy_conn"))
for model in (Team, Connection, Variable):  # the two tables as `airflow db migrate` makes them
    model.__table__.create(engine)
with Session(engine) as session:
    session.add(Connection(conn_id="metastudio_default", conn_type="metastudio", login="AK",
                           password="sk-of-the-first-clone", extra='{"region": "cn-north-4"}'))
    session.add(Variable(key="metastudio_catalogue_dir", val="/data/catalogue"))
    session.commit()
"""


def _cluster_env(home: Path, database: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "METASTUDIO", "WORKERS"))}
    return {**env, "AIRFLOW_HOME": str(home), "METASTUDIO_CLUSTER_DB": database}


def _setup(command: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    script = f"source scripts/cluster_env.sh && {sys.executable} scripts/cluster_setup.py {command}"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_second_clone_on_the_same_database_refuses_to_start_and_names_the_fix(tmp_path: Path):
    """Clone 1 made the cluster's database (its Fernet key in its AIRFLOW_HOME); clone 2, a new home with a
    new key, finds the database: its start stops before anything runs, naming the unreadable secrets and
    `make cluster-reset`, which drops the database, after which clone 2 starts on a new one."""
    import uuid

    database = f"postgresql://postgres@127.0.0.1:5432/metastudio_fernet_{uuid.uuid4().hex[:8]}"
    first, second = _cluster_env(tmp_path / "first", database), _cluster_env(tmp_path / "second", database)
    try:
        made = _setup("check", first)
        assert made.returncode == 0 and "database metastudio_fernet_" in made.stdout and ": created" in made.stdout, \
            made.stdout + made.stderr
        written = subprocess.run(["bash", "-c", f"source scripts/cluster_env.sh && {sys.executable} -"], cwd=ROOT,
                                 env=first, input=WRITE_SECRETS, capture_output=True, text=True, timeout=120)
        assert written.returncode == 0, written.stderr[-2000:]
        again = _setup("check", first)  # the first clone itself reads everything
        assert again.returncode == 0 and "3 encrypted, all readable" in again.stdout, again.stdout + again.stderr

        start = subprocess.run(["bash", "scripts/cluster_start.sh"], cwd=ROOT, env=second, capture_output=True,
                               text=True, timeout=120)
        assert start.returncode == 1, start.stdout + start.stderr
        assert "connection metastudio_default, variable metastudio_catalogue_dir" in start.stderr, start.stderr
        assert "Nothing was started" in start.stderr and "make cluster-reset" in start.stderr
        assert "sk-of-the-first-clone" not in start.stdout + start.stderr
        assert not list((tmp_path / "second" / "run").glob("*.pid")), "nothing may start when the checks fail"

        unconfirmed = _setup("reset", second)  # no terminal, no --yes: says what it would drop, drops nothing
        assert unconfirmed.returncode == 1 and "1 connection(s), 1 variable(s)" in unconfirmed.stdout
        assert "CONFIRM=yes" in unconfirmed.stderr
        reset = _setup("reset --yes", second)
        assert reset.returncode == 0 and "dropped" in reset.stdout, reset.stdout + reset.stderr
        fresh = _setup("check", second)
        assert fresh.returncode == 0 and ": created" in fresh.stdout, fresh.stdout + fresh.stderr
    finally:
        _setup("reset --yes", second)
