"""A setting a deployment gives as an Airflow Variable (per deployment, editable in the UI) or as a
``[metastudio]`` option of Airflow's config, the Variable first."""

from __future__ import annotations


def setting(variable: str, option: str, fallback: str | None = None) -> str | None:
    """An Airflow Variable, else ``[metastudio] <option>``, else ``fallback`` (outside a task: no Variables)."""
    try:
        from airflow.sdk import Variable

        value = Variable.get(variable, default=None)
        if value:
            return str(value)
    except Exception:  # noqa: BLE001 - outside a task (parsing, a unit test): no Variables to read
        pass
    try:
        from airflow.sdk.configuration import conf

        return conf.get("metastudio", option, fallback=None) or fallback
    except Exception:  # noqa: BLE001
        return fallback
