"""The base of every MetaStudio trigger: connection, region, polling cadence and deadline, serialized once."""

from __future__ import annotations

import time
from typing import Any

from airflow.triggers.base import BaseTrigger

from metastudio_provider.hooks.metastudio import MetaStudioHook


class MetaStudioBaseTrigger(BaseTrigger):
    """Connection, region, polling cadence and deadline: what every MetaStudio trigger carries.

    A subclass takes its own arguments first and these as keywords, lists its own in ``own_fields`` (so
    ``serialize`` stores them all) and implements ``run``; ``timed_out`` says when ``end_time`` passed.
    Airflow stores the subclass's classpath: once released, a trigger class keeps its module.
    """

    def __init__(
        self,
        metastudio_conn_id: str = MetaStudioHook.default_conn_name,
        region: str | None = None,
        poll_interval: float = 5.0,
        end_time: float | None = None,
    ) -> None:
        super().__init__()
        self.metastudio_conn_id = metastudio_conn_id
        self.region = region
        self.poll_interval = poll_interval
        self.end_time = end_time

    def own_fields(self) -> dict[str, Any]:
        """The subclass's own constructor arguments, by name (JSON values)."""
        raise NotImplementedError

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                **self.own_fields(),
                "metastudio_conn_id": self.metastudio_conn_id,
                "region": self.region,
                "poll_interval": self.poll_interval,
                "end_time": self.end_time,
            },
        )

    def timed_out(self) -> bool:
        return self.end_time is not None and time.time() >= self.end_time
