"""``metastudio limits``: what the shared store learned, per API, read back from Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

from metastudio_provider import cli
from metastudio_provider.client.limiter import RateLimiter, limiter_key

API = "Create2DDigitalHumanVideo"  # 5/s in cn-north-4's table


def _learn(redis_url: str, project: str) -> RateLimiter:
    """Two calls of ``API`` through the shared limiter, the second throttled by a gateway allowing 1/s."""
    limiter = RateLimiter(redis_url)
    key = limiter_key(project, "cn-north-4", API)
    first, second = limiter.acquire(key, 5), limiter.acquire(key, 5)
    limiter.report(first, "admitted")
    limiter.report(second, "throttled", 1.0)
    return limiter


def test_limits_shows_the_table_the_learned_limit_429s_and_calls(redis_url, capsys):
    project = uuid.uuid4().hex
    limiter = _learn(redis_url, project)
    try:
        assert cli.main(["limits", "--storage", redis_url, "--project-id", project, "--region", "cn-north-4"]) == 0
        out = capsys.readouterr().out
        header, row = out.splitlines()[1:3]
        assert header.split()[:3] == ["API", "table/s", "learned/s"]
        # table 5/s; one call got through in the second the 429 came: 1/s failed, paced at half that
        assert row.split()[:6] == [API, "5", "0.50", "1.00", "1", "2"], out
        assert "redis://127.0.0.1:6379/15" in out.splitlines()[0]

        assert cli.main(["limits", "--storage", redis_url, "--project-id", project, "--region", "cn-north-4",
                         "--json", "--all"]) == 0
        shown = json.loads(capsys.readouterr().out)
        by_api = {row["api"]: row for row in shown["apis"]}
        assert len(by_api) == 66 and by_api["ListAssets"] == {"api": "ListAssets", "table": 20}
        mine = by_api[API]
        assert (mine["learned"], mine["ceiling"], mine["throttled_recent"], mine["calls_last_minute"]) == (0.5, 1.0, 1, 2)
        assert 0 < mine["blocked_for"] <= 1.0  # Retry-After: 1
    finally:
        limiter.reset(f"{project}:*")


def test_limits_reads_the_connection_and_hides_its_password(redis_url, metastudio_conn, monkeypatch):
    from tests.conftest import connection_json

    project = metastudio_conn.project_id
    storage = redis_url.replace("redis://", "redis://:not-a-real-pw@")
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(metastudio_conn, rate_limit_storage=storage))
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
    assert cli.main(["limits", "--storage", "memory://", "--project-id", "p", "--region", "cn-east-3"]) == 0
    captured = capsys.readouterr()
    assert "nothing shared to show" in captured.err and "no API called" in captured.out
