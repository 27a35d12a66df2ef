"""The provider's options (the ``[metastudio]`` section of Airflow's configuration), read in one place.

Airflow's configuration already looks, at each read, at the ``AIRFLOW__METASTUDIO__<NAME>`` environment
variable first, then ``airflow.cfg``, then the defaults the provider declares (``get_provider_info()["config"]``),
so nothing here reads the environment itself. The options and their defaults: ``metastudio_provider/__init__.py``.
"""

from __future__ import annotations

from typing import overload

SECTION = "metastudio"


@overload
def option(name: str, fallback: str) -> str: ...


@overload
def option(name: str, fallback: str | None = None) -> str | None: ...


def option(name: str, fallback: str | None = None) -> str | None:
    """``[metastudio] <name>``, or ``fallback`` when it is not set or set to an empty string.

    Read with the Task SDK's ``conf``: it works in a task process (where Airflow's core configuration is not
    meant to be used) and in the scheduler, triggerer and api-server alike. Nothing is caught: given a
    fallback, ``conf.get`` raises nothing for an option that is not set (that case returns the fallback); what
    it raises otherwise (an unreadable ``_CMD`` or ``_SECRET`` variant) is a broken deployment, said as it is.
    """
    from airflow.sdk.configuration import conf  # lazily: the conf is built on first use, not at import

    return conf.get(SECTION, name, fallback=None) or fallback
