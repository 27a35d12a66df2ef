"""The venv is the install of record: every package pinned in constraints.txt is installed at that version."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

CONSTRAINTS = Path(__file__).resolve().parent.parent / "constraints.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line):
            pins[match[1]] = match[2]
    return pins


def test_constraints_pin_the_celery_deployment_within_what_its_provider_supports() -> None:
    pins = _pins()
    assert pins["apache-airflow"] == "3.3.2"
    major, minor, *_ = (int(x) for x in pins["celery"].split("."))
    assert (major, minor) < (5, 7), "celery 5.7 breaks apache-airflow-providers-celery 3.26 (ImportError: retry)"
    for driver in ("psycopg2-binary", "psycopg", "asyncpg", "apache-airflow-providers-celery", "playwright"):
        assert driver in pins, f"{driver} is not pinned in constraints.txt"


def test_installed_versions_match_constraints() -> None:
    wrong = {}
    for name, version in _pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong[name] = (version, None)
            continue
        if installed != version:
            wrong[name] = (version, installed)
    assert not wrong, f"venv differs from constraints.txt (pinned, installed): {wrong}"
