"""A setting a deployment gives as an Airflow Variable (per deployment, editable in the UI) or as a
``[metastudio]`` option of Airflow's config, the Variable first."""

from __future__ import annotations

from metastudio_provider.utils.options import option


def setting(variable: str, name: str, fallback: str | None = None) -> str | None:
    """An Airflow Variable, else ``[metastudio] <name>`` (``utils.options``), else ``fallback``."""
    from airflow.sdk import Variable

    value = Variable.get(variable, default=None)  # outside a task too: the default when there is none
    return str(value) if value else option(name, fallback)
