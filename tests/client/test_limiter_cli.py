"""``metastudio limits``: what the shared store learned, per API, read back from Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from metastudio_provider.cli import commands
from metastudio_provider.client.limiter import RateLimiter, limiter_key

API = "Create2DDigitalHumanVideo"  # 5/s in cn-north-4's table


def _learn(redis_url: str, project: str) -> RateLimiter:
    """Two calls of ``API`` through the shared limiter, the second throttled by a gateway allowing 1/s."""
    limiter = RateLimiter(redis_url)
    key = limiter_key(project, "cn-north-4", API)
    first, second = limiter.acquire(key, 5), limiter.acquire(key, 5)
    limiter.report(first, "admitted")
    limiter.report(second, "throttled", 30.0)  # Retry-After: still blocked when the CLI shows it, however slow
    return limiter


def test_limits_shows_the_table_the_learned_limit_429s_and_calls(redis_url, capsys):
    project = uuid.uuid4().hex
    limiter = _learn(redis_url, project)
    try:
        assert commands.main(["limits", "--storage", redis_url, "--project-id", project, "--region", "cn-north-4"]) == 0
        out = capsys.readouterr().out
        # from its title on: the first use of Airflow's configuration in this process may log a line before it
        lines = out.splitlines()
        lines = lines[next(i for i, line in enumerate(lines) if line.startswith("MetaStudio limits of")):]
        header, row = lines[1:3]
        assert header.split()[:3] == ["API", "table/s", "learned/s"]
        # table 5/s; one call got through in the second the 429 came: 1/s failed, paced at half that
        assert row.split()[:6] == [API, "5", "0.50", "1.00", "1", "2"], out
        assert redis_url in lines[0]  # the storage it read (the machine's Redis, or the session's own)

        assert commands.main(["limits", "--storage", redis_url, "--project-id", project, "--region", "cn-north-4",
                         "--json", "--all"]) == 0
        shown = json.loads(capsys.readouterr().out)
        by_api = {row["api"]: row for row in shown["apis"]}
        assert len(by_api) == 66 and by_api["ListAssets"] == {"api": "ListAssets", "table": 20}
        mine = by_api[API]
        shown_mine = (mine["learned"], mine["ceiling"], mine["throttled_recent"], mine["calls_last_minute"])
        assert shown_mine == (0.5, 1.0, 1, 2)
        assert 0 < mine["blocked_for"] <= 30.0  # Retry-After: 30
    finally:
        limiter.reset(f"{project}:*")


def test_limits_reads_the_connection_and_hides_its_password(redis_url, metastudio_conn, monkeypatch):
    from tests.conftest import connection_json

    project = uuid.uuid4().hex  # its own: tests running beside it reset the session emulator's project's keys
    storage = redis_url.replace("redis://", "redis://:not-a-real-pw@")
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT",
                       connection_json(metastudio_conn, rate_limit_storage=storage, project_id=project))
    limiter = _learn(redis_url, project)
    try:  # the installed command, as an operator would run it
        result = subprocess.run([str(Path(sys.executable).with_name("metastudio")), "limits"], capture_output=True,
                                text=True, timeout=120)
    finally:
        limiter.reset(f"{project}:*")
    assert result.returncode == 0, result.stderr
    assert f"project {project} in cn-north-4" in result.stdout and API in result.stdout
    assert "not-a-real-pw" not in result.stdout + result.stderr and ":***@" in result.stdout


def test_limits_of_a_memory_store_says_nothing_is_shared(capsys):
    assert commands.main(["limits", "--storage", "memory://", "--project-id", "p", "--region", "cn-east-3"]) == 0
    captured = capsys.readouterr()
    assert "nothing shared to show" in captured.err and "/_emulator/stats" in captured.err
    assert "rate_limit_storage" in captured.err and "none kept in this process" in captured.out


def test_limits_without_the_connection_is_one_line_and_status_1(capsys, monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_METASTUDIO_NONE", raising=False)
    assert commands.main(["limits", "--conn-id", "metastudio_none"]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "metastudio limits: MetaStudio connection: metastudio_conn_id: no connection 'metastudio_none': "
        "create it (type metastudio)"], captured.err
    assert captured.out == ""


@pytest.mark.airflow  # Airflow's own CLI on a real metadata database (about 15 s)
def test_limits_finds_a_connection_stored_in_airflows_database(tmp_path):
    """``make demo``'s case: ``metastudio_default`` is in the database (``airflow connections add``), not in
    an AIRFLOW_CONN_* variable, and ``metastudio limits`` runs outside any task. The Task SDK's lookup
    reads no database there; the hook falls back to what ``airflow connections get`` reads."""
    home = tmp_path / "airflow-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
               AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home}/airflow.db")
    project = uuid.uuid4().hex
    extra = {"region": "cn-east-3", "project_id": project, "endpoint": "http://127.0.0.1:8765"}
    bin_dir = Path(sys.executable).parent

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    for step in (run(str(bin_dir / "airflow"), "db", "migrate"),
                 run(str(bin_dir / "airflow"), "connections", "add", "metastudio_default", "--conn-type", "metastudio",
                     "--conn-login", "EMULATORAK0000000000", "--conn-password", "an-sk-of-the-test",
                     "--conn-extra", json.dumps(extra))):
        assert step.returncode == 0, step.stdout + step.stderr
    result = run(str(bin_dir / "metastudio"), "limits")
    assert result.returncode == 0, result.stderr
    assert f"MetaStudio limits of project {project} in cn-east-3, from memory://" in result.stdout
    assert "Traceback" not in result.stderr
    assert "http://127.0.0.1:8765/_emulator/stats" in result.stderr  # the demo's connection: the emulator's figures
