"""The livestream DAG's tasks (``metastudio_provider.livestream.dag``, as dags/metastudio_daily_livestream.py
builds them) on the test rooms of ``livestream_rooms/``, for tests/integration/test_livestream_cluster.py.

``ms_livestream`` lets several runs (one room each) go at once and polls every second;
``ms_livestream_timeout`` is the same with a 90 s ``dagrun_timeout``.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import DAG

from metastudio_provider.livestream.dag import livestream_params, livestream_shows

HERE = Path(__file__).resolve().parent


def _dag(dag_id: str, **kwargs: Any) -> DAG:
    return DAG(dag_id, schedule=None, start_date=pendulum.datetime(2026, 11, 1, tz="UTC"), catchup=False,
               max_active_runs=16, params=livestream_params(), render_template_as_native_obj=True,
               default_args={"retries": 1, "retry_delay": timedelta(seconds=1)}, tags=["test", "livestream"],
               **kwargs)


with _dag("ms_livestream"):
    livestream_shows(include_dir=HERE, rooms_glob="livestream_rooms/*.yaml", poll_interval=1.0)

with _dag("ms_livestream_timeout", dagrun_timeout=timedelta(seconds=90)):
    livestream_shows(include_dir=HERE, rooms_glob="livestream_rooms/*.yaml", poll_interval=1.0)
