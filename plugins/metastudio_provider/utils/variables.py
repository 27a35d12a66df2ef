"""A setting a deployment gives as an Airflow Variable (per deployment, editable in the UI) or as a
``[metastudio]`` option of Airflow's config, the Variable first."""

from __future__ import annotations

from metastudio_provider.utils.options import option


def setting(variable: str, name: str, fallback: str | None = None) -> str | None:
    """An Airflow Variable, else ``[metastudio] <name>`` (``utils.options``), else ``fallback``."""
    try:
        from airflow.sdk import Variable

        value = Variable.get(variable, default=None)
        if value:
            return str(value)
    except Exception:  # noqa: BLE001 - outside a task (parsing, a unit test): no Variables to read
        pass
    return option(name, fallback)
