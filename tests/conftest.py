"""Test set-up: an isolated AIRFLOW_HOME, configured before Airflow is imported, and the emulator."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import tiers

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
def redis_url() -> str:
    """The machine's Redis; when CI=true a missing Redis fails the test instead of skipping it."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except Exception as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not available at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by these marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test gets exactly one tier (``tests/tiers.py``): ``pytest -m unit`` is ``make test-fast``."""
    tiers.assign(items, TESTS)


@pytest.hookimpl(tryfirst=True)  # before the test's fixtures (module ones included) are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    tiers.GUARD.enter(item)


REAL_AIRFLOW = "real-airflow"
_REAL_AIRFLOW_DIRS = tuple(f"tests/{d}/" for d, tier in tiers.DIRECTORY_TIERS.items() if tier in ("integration", "browser"))


def _work_unit(nodeid: str) -> str:
    """What one xdist worker runs in one go: a test file, or every test that runs a real Airflow."""
    path = nodeid.split("::")[0]
    return REAL_AIRFLOW if path.startswith(_REAL_AIRFLOW_DIRS) else path


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """``make test`` runs ``pytest -n 2``: the suite mostly waits (Airflow start-up, renders, polls), so two
    workers halve its time on two cores. A file's tests stay on one worker, so module fixtures (a
    ``dag.test()`` run, an Airflow home) are made once; the tests that run a real Airflow
    (``tests/integration``, ``tests/browser``: the shared session cluster and the Celery one) run one
    after another on one worker, so the shared cluster starts once and they do not starve each other.
    That unit is the longest, so it starts first; the other worker takes the files meanwhile.
    (A custom split, because pytest-xdist's ``loadgroup`` does not work with pytest 9's node ids.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileOrRealAirflow(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _work_unit(nodeid)

        def _assign_work_unit(self, node: object) -> None:
            if REAL_AIRFLOW in self.workqueue:
                self.workqueue.move_to_end(REAL_AIRFLOW, last=False)
            super()._assign_work_unit(node)

    return FileOrRealAirflow(config, log)
