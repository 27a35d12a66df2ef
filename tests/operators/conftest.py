"""Fixtures for running the provider's operators and sensors in real DAG runs (``dag.test()``).

``dag.test()`` needs a metadata DB (``airflow_db``) and DAGs that live in the configured dags
folder (``tests/dags``, set by ``tests/conftest.py``): DAGs are loaded from there (``dagbag``).
"""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import DAGS


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """Create the metadata tables in the session's temporary AIRFLOW_HOME (about 1 s on SQLite)."""
    from airflow.utils import db

    db.initdb()


@pytest.fixture(scope="session")
def dagbag(airflow_db: None) -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def live_room(metastudio_conn: Any) -> str:
    """A livestream room prepared and claimed for the run ``watch-run`` (test_livestream_*.py)."""
    import uuid

    from .livestream_helpers import prepare

    return prepare(f"watch-{uuid.uuid4().hex[:6]}", "watch-run")[0]["room_id"]
