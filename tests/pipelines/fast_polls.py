"""Cluster policy of the pipelines' ``airflow dags test`` runs: the provider's waits check every 0.5 s.

The project's DAGs keep the provider's default of 5 s between checks, while the session emulator's jobs
take about 1 s, so each wait would sleep 4 s for nothing. ``tests/pipelines/conftest.py`` installs this
file as ``$AIRFLOW_HOME/config/airflow_local_settings.py``: the DAGs run as written, only their waits
look more often (a sensor's trigger polls at its ``poke_interval`` too).
"""

from __future__ import annotations

from typing import Any

POLL_SECONDS = 0.5


def task_policy(task: Any) -> None:
    if not type(task).__module__.startswith("metastudio_provider."):
        return
    for name in ("poke_interval", "poll_interval"):  # sensors (float seconds), workflow operators
        if isinstance(getattr(type(task), name, None), property):
            continue  # a sensor's poll_interval reads its poke_interval
        value = getattr(task, name, None)
        if isinstance(value, (int, float)) and value > POLL_SECONDS:
            setattr(task, name, POLL_SECONDS)
