"""Session fixtures for one real Airflow (4 components) and one emulator, shared by every test directory.

``tests/integration/conftest.py`` and ``tests/browser/conftest.py`` both import these fixtures. Each
import is a fixture of its own in pytest's eyes, so the objects live in the session's ``config.stash``:
whichever directory runs first starts them, the other reuses them, and they stop when the session ends.

The components see the emulator through the connection ``metastudio_default``, stored in Airflow's
database (as ``make demo`` stores it, so the UI lists it and its Test button works), and have the pools
of its region. When Airflow cannot start the tests are skipped, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, TypeVar

import pendulum
import pytest

from .airflow_cluster import SCHEDULER_DAGS, AirflowCluster, ClusterStartError, EmulatorClock, pools_file

T = TypeVar("T")

# Tests that need a job running while they look hold the emulator's clock (``emulator_clock.held()``);
# the others wait in real time, so these are short.
EMULATOR_TIMINGS = {
    "job_seconds": 3.0,
    "live_start_seconds": 2.0,
    "training_seconds": 3.0,
    "tts_seconds": 2.0,
}

_SHARED = pytest.StashKey[dict[str, Any]]()
_EXITS = pytest.StashKey[ExitStack]()


def livestream_timezone(utc_hour: int) -> str:
    """A fixed-offset zone where it is 23:xx at ``utc_hour``: the project's daily 20:00 show (and the
    20:30 one of its second room) was hours ago whenever the cluster starts, so unpausing the DAG always
    meets a long-missed show, at any time of day."""
    offset = 23 - utc_hour  # hours east of UTC
    if offset > 14:
        offset -= 24
    return f"Etc/GMT{-offset:+d}" if offset else "Etc/GMT"  # the Etc/GMT sign is POSIX's: Etc/GMT-11 is UTC+11


def shared(config: pytest.Config, name: str, make: Callable[[ExitStack], T]) -> T:
    """One ``make(exits)`` per session under ``name``; what it pushes on ``exits`` runs at session end.

    A failure (including a skip) is remembered and raised again, so nothing is started twice.
    """
    cache = config.stash.setdefault(_SHARED, {})
    if name not in cache:
        if _EXITS not in config.stash:
            config.stash[_EXITS] = ExitStack()
            config.add_cleanup(config.stash[_EXITS].close)
        try:
            cache[name] = ("ok", make(config.stash[_EXITS]))
        except (Exception, pytest.skip.Exception, pytest.fail.Exception) as exc:  # outcomes are BaseExceptions
            cache[name] = ("error", exc)
    kind, value = cache[name]
    if kind == "error":
        raise value
    return value


def close_shared(config: pytest.Config) -> None:
    """Stop what ``shared`` started, from ``pytest_sessionfinish``: an xdist worker reports itself finished
    only after that hook, so its controller never ends it halfway through ``airflow_stop.sh`` (which, at
    config cleanup, left components running). The config cleanup stays as the fallback."""
    exits = config.stash.get(_EXITS, None)
    if exits is not None:
        exits.close()


def cluster_connection(emu: Any) -> dict[str, Any]:
    """``metastudio_default`` for an emulator, as the REST API takes it.

    Every extra the form offers is present (the UI's edit form shows only the extras a connection has),
    and ``port`` is 0: Airflow 3.3.2's Test button sends ``port: 0`` for a connection without one, and
    the API refuses a port that differs from the stored one (apache/airflow#73298, fixed after 3.3.2).
    """
    return {
        "connection_id": "metastudio_default",
        "conn_type": "metastudio",
        "login": emu.ak,
        "password": emu.sk,
        "port": 0,
        "extra": json.dumps({"region": emu.region, "project_id": emu.project_id, "endpoint": emu.base_url,
                             "app_user_id": None, "rate_limit_storage": None}),
    }


@pytest.fixture(scope="session")
def emulator_clock(request: pytest.FixtureRequest) -> EmulatorClock:
    """The emulator's clock: ``with emulator_clock.held(): ...`` keeps every job in its current state."""
    return shared(request.config, "emulator_clock", lambda exits: EmulatorClock())


@pytest.fixture(scope="session")
def cluster_emulator(request: pytest.FixtureRequest, emulator_clock: EmulatorClock) -> Any:
    """An emulator for the Airflow components (in this process, on a real 127.0.0.1 port)."""
    from metastudio_emulator.testing import running_emulator

    return shared(request.config, "cluster_emulator",
                  lambda exits: exits.enter_context(running_emulator(clock=emulator_clock, **EMULATOR_TIMINGS)))


@pytest.fixture(scope="session")
def airflow_cluster(request: pytest.FixtureRequest, cluster_emulator: Any,
                    tmp_path_factory: pytest.TempPathFactory) -> AirflowCluster:
    """api-server, scheduler, dag-processor and triggerer, started by scripts/airflow_start.sh."""

    def start(exits: ExitStack) -> AirflowCluster:
        home = tmp_path_factory.mktemp("airflow-cluster")
        cluster = AirflowCluster(
            home=home,
            dags_folder=SCHEDULER_DAGS,
            extra_env={
                "AIRFLOW__METASTUDIO__DEFAULT_REGION": cluster_emulator.region,
                "AIRFLOW_POOLS_FILE": str(pools_file(home / "pools.json", cluster_emulator.region)),
                "METASTUDIO_POLL_SECONDS": "1",  # the backfill DAG's render wait (dags/metastudio_video_backfill.py)
                # dags/metastudio_daily_livestream.py: 20:00 daily, in a zone where 20:00 was hours ago
                "METASTUDIO_LIVESTREAM_TIMEZONE": livestream_timezone(pendulum.now("UTC").hour),
            },
        )
        try:
            cluster.start()
            cluster.client.request("POST", "/api/v2/connections", json=cluster_connection(cluster_emulator))
        except (ClusterStartError, OSError, RuntimeError) as exc:
            cluster.stop()
            message = f"Airflow did not start (home {home}): {exc}"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        print(f"\nAirflow cluster up in {cluster.start_seconds} s at {cluster.url} (home {home})")
        exits.callback(lambda: print(f"\nAirflow cluster stopped in {cluster.stop()} s"))
        return cluster

    return shared(request.config, "airflow_cluster", start)
