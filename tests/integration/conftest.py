"""Session fixtures: one MetaStudio emulator and one real Airflow (4 components) for all integration tests.

    def test_x(airflow_cluster, cluster_emulator, emulator_clock):
        client = airflow_cluster.client
        run_id = client.trigger("my_dag")                # waits for the DAG, unpauses it
        assert client.wait_for_run("my_dag", run_id, timeout=120) == "success"
        client.ti_state_history("my_dag", run_id)       # {"task": ["queued", "running", "deferred", ...]}

DAG files live in ``tests/scheduler_dags``. The components see the emulator through
``AIRFLOW_CONN_METASTUDIO_DEFAULT`` and have the pools of its region. When Airflow cannot start the
tests are skipped, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest

from .airflow_cluster import SCHEDULER_DAGS, AirflowCluster, ClusterStartError, EmulatorClock, pools_file

EMULATOR_TIMINGS = {
    "job_seconds": 6.0,
    "live_start_seconds": 4.0,
    "training_seconds": 6.0,
    "tts_seconds": 4.0,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "airflow_integration: runs DAGs through a real Airflow scheduler and triggerer (slow)"
    )


@pytest.fixture(scope="session")
def emulator_clock() -> EmulatorClock:
    """The emulator's clock: ``with emulator_clock.held(): ...`` keeps every job in its current state."""
    return EmulatorClock()


@pytest.fixture(scope="session")
def cluster_emulator(emulator_clock: EmulatorClock) -> Iterator[object]:
    """An emulator for the Airflow components (in this process, on a real 127.0.0.1 port)."""
    from metastudio_provider.emulator.testing import running_emulator

    with running_emulator(clock=emulator_clock, **EMULATOR_TIMINGS) as emu:
        yield emu


def cluster_connection(emu: object) -> str:
    return json.dumps({
        "conn_type": "metastudio",
        "login": emu.ak,
        "password": emu.sk,
        "extra": {"region": emu.region, "project_id": emu.project_id, "endpoint": emu.base_url},
    })


@pytest.fixture(scope="session")
def airflow_cluster(cluster_emulator: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowCluster]:
    """api-server, scheduler, dag-processor and triggerer, started by scripts/airflow_start.sh."""
    home = tmp_path_factory.mktemp("airflow-cluster")
    cluster = AirflowCluster(
        home=home,
        dags_folder=SCHEDULER_DAGS,
        extra_env={
            "AIRFLOW_CONN_METASTUDIO_DEFAULT": cluster_connection(cluster_emulator),
            "AIRFLOW__METASTUDIO__DEFAULT_REGION": cluster_emulator.region,
            "AIRFLOW_POOLS_FILE": str(pools_file(home / "pools.json", cluster_emulator.region)),
        },
    )
    try:
        cluster.start()
    except (ClusterStartError, OSError) as exc:
        cluster.stop()
        message = f"Airflow did not start (home {home}): {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    print(f"\nAirflow cluster up in {cluster.start_seconds} s at {cluster.url} (home {home})")
    try:
        yield cluster
    finally:
        cluster.stop()
        print(f"\nAirflow cluster stopped in {cluster.stop_seconds} s")
