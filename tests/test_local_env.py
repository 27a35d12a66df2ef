"""scripts/airflow_env.sh: the local Airflow's secrets and the connection Test button."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sourced(home: Path, *names: str) -> dict[str, str]:
    """The values of ``names`` after sourcing the script with ``AIRFLOW_HOME=home`` (nothing else set)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    script = 'source scripts/airflow_env.sh && for n in "$@"; do printf "%s=%s\\n" "$n" "${!n}"; done'
    out = subprocess.run(["bash", "-c", script, "env", *names], cwd=ROOT, env={**env, "AIRFLOW_HOME": str(home)},
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines())


def test_secrets_are_long_generated_once_per_home_and_private(tmp_path):
    names = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY", "AIRFLOW__CORE__TEST_CONNECTION")
    first = sourced(tmp_path / "a", *names)
    assert len(first["AIRFLOW__API_AUTH__JWT_SECRET"].encode()) >= 64  # HS512 wants 64 bytes, else PyJWT warns
    assert len(first["AIRFLOW__API__SECRET_KEY"]) >= 32
    assert first["AIRFLOW__CORE__TEST_CONNECTION"] == "Enabled"
    assert sourced(tmp_path / "a", *names) == first  # every component (and every later start) shares them
    other = sourced(tmp_path / "b", *names)
    assert other["AIRFLOW__API_AUTH__JWT_SECRET"] != first["AIRFLOW__API_AUTH__JWT_SECRET"]
    mode = stat.S_IMODE((tmp_path / "a" / "local-secrets.env").stat().st_mode)
    assert mode == 0o600, oct(mode)
