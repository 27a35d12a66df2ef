"""Arguments every MetaStudio operator and sensor takes, declared once (as the Amazon provider does)."""

from __future__ import annotations

import os
from functools import cached_property
from typing import Any

from airflow.sdk import BaseOperator, BaseSensorOperator

from metastudio_provider.catalog import DEFAULT_REGION, pool_name
from metastudio_provider.hooks.metastudio import MetaStudioHook


def default_region() -> str:
    """The region used to pick pools when a task names none: never read from the connection at parse time."""
    region = os.environ.get("AIRFLOW__METASTUDIO__DEFAULT_REGION")
    if region:
        return region
    try:
        from airflow.sdk.configuration import conf

        return conf.get("metastudio", "default_region", fallback=DEFAULT_REGION) or DEFAULT_REGION
    except Exception:
        return DEFAULT_REGION


class MetaStudioMixin:
    """``metastudio_conn_id`` and ``region``, the hook, and the API's pool as the default ``pool``.

    :param metastudio_conn_id: Airflow connection id (default ``metastudio_default``).
    :param region: MetaStudio region; overrides the connection's and picks the pool.
    """

    api_name: str | None = None
    """The API whose pool this task uses by default (``catalog.pool_name``)."""

    def __init__(
        self, *, metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None, **kwargs: Any
    ) -> None:
        if self.api_name and kwargs.get("pool") is None:
            kwargs["pool"] = pool_name(self.api_name, region or default_region())
        super().__init__(**kwargs)
        self.metastudio_conn_id = metastudio_conn_id
        self.region = region

    @cached_property
    def hook(self) -> MetaStudioHook:
        return MetaStudioHook(self.metastudio_conn_id, region=self.region)


class MetaStudioBaseOperator(MetaStudioMixin, BaseOperator):
    """Base class of MetaStudio operators."""


class MetaStudioBaseSensor(MetaStudioMixin, BaseSensorOperator):
    """Base class of MetaStudio sensors."""
