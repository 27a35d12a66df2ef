"""The base of every MetaStudio sensor."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from airflow.sdk import BaseSensorOperator

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.operators.base import MetaStudioMixin


class MetaStudioBaseSensor(MetaStudioMixin, BaseSensorOperator):
    """Base class of MetaStudio sensors: ``metastudio_conn_id``, ``region``, the hook and the API's pool
    (``operators.base.MetaStudioMixin``) on BaseSensorOperator.

    Decorate ``poke`` with ``fail_fast`` and ``execute`` / ``execute_complete`` with ``entry_point``
    (``operators.base``).
    """

    template_fields: Collection[str] = ("metastudio_conn_id",)

    def __init__(self, *, metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None,
                 **kwargs: Any) -> None:
        # Its own __init__, so Airflow's BaseOperatorMeta wraps it (it wraps only an __init__ a class defines)
        # and a subclass without one can be made.
        super().__init__(metastudio_conn_id=metastudio_conn_id, region=region, **kwargs)
