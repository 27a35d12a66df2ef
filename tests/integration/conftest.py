"""Session fixtures: one MetaStudio emulator and one real Airflow (4 components) for all integration tests.

    def test_x(airflow_cluster, cluster_emulator, emulator_clock):
        client = airflow_cluster.client
        run_id = client.trigger("my_dag")                # waits for the DAG, unpauses it
        assert client.wait_for_run("my_dag", run_id, timeout=120) == "success"
        client.ti_state_history("my_dag", run_id)       # {"task": ["queued", "running", "deferred", ...]}

DAG files live in ``tests/scheduler_dags``; the project's ``dags/`` are a second bundle. The fixtures
(``fixtures.py``) are shared with ``tests/browser``: one Airflow per pytest session.
"""

from __future__ import annotations

import pytest

from .fixtures import airflow_cluster, cluster_emulator, emulator_clock

__all__ = ["airflow_cluster", "cluster_emulator", "emulator_clock"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "airflow_integration: runs DAGs through a real Airflow scheduler and triggerer (slow)"
    )
