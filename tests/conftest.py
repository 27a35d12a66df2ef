"""Test set-up: an isolated AIRFLOW_HOME, configured before Airflow is imported, and the emulator."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import scheduling, tiers

_HOME = Path(tempfile.mkdtemp(prefix="metastudio-airflow-home-"))
TESTS = Path(__file__).resolve().parent
os.environ.update(
    {
        "AIRFLOW_HOME": str(_HOME),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(TESTS / "dags"),
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
        "AIRFLOW__CORE__ALLOWED_DESERIALIZATION_CLASSES_REGEXP": ".*",
        "AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE": "True",  # as scripts/airflow_env.sh: the provider's waits defer
    }
)

REDIS_URL = os.environ.get("METASTUDIO_TEST_REDIS", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def emulator() -> Iterator[object]:
    """One emulator for the session (cn-north-4, short jobs)."""
    from metastudio_emulator.testing import running_emulator

    with running_emulator(job_seconds=1.0) as emu:
        yield emu


def connection_json(emu: object, **extra: object) -> str:
    return json.dumps(
        {
            "conn_type": "metastudio",
            "login": emu.ak,
            "password": emu.sk,
            "extra": {"region": emu.region, "project_id": emu.project_id, "endpoint": emu.base_url, **extra},
        }
    )


@pytest.fixture
def metastudio_conn(emulator: object, monkeypatch: pytest.MonkeyPatch) -> object:
    """``metastudio_default`` pointing at the session emulator."""
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emulator))
    return emulator


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The machine's Redis (``METASTUDIO_TEST_REDIS``) if it answers, else a redis-server of this session's own
    (tests/redis_server.py). Without either the test skips, or fails with CI=true."""
    import redis

    from tests.redis_server import PrivateRedis, redis_server_executable

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError:
        server = PrivateRedis(redis_server_executable(), tmp_path_factory.mktemp("redis"))
        server.start()
        try:
            yield server.url
        finally:
            server.kill()
    else:
        yield REDIS_URL


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by these marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test gets exactly one tier (``tests/tiers.py``): ``pytest -m unit`` is ``make test-fast``."""
    tiers.assign(items, TESTS)


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures (module ones included) are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    tiers.GUARD.enter(item)


_UNIT_SECONDS = scheduling.UnitSeconds()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _UNIT_SECONDS.add(report)


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests.integration.fixtures import close_shared

    close_shared(session.config)  # the session's Airflow and emulator, if this process started them
    if not hasattr(session.config, "workerinput"):  # the xdist controller (it sees every report), or no xdist
        _UNIT_SECONDS.save(session.config)


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``make test`` and ``make test-fast`` run ``pytest -n 4``: the suite mostly waits (Airflow
    start-up, renders, polls). A file per work unit, every real-Airflow test in one unit that starts
    first, then the longest files first: ``tests/scheduling.py``."""
    return scheduling.make_scheduler(config, log)
