"""Arguments every MetaStudio operator and sensor takes, declared once (as the Amazon provider does)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from functools import cached_property
from typing import Any

from airflow.sdk import BaseOperator, BaseSensorOperator
from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.catalog import DEFAULT_REGION, pool_name
from metastudio_provider.hooks.metastudio import MetaStudioHook, identity_token
from metastudio_provider.utils.options import option


def default_region() -> str:
    """The region used to pick pools when a task names none: never read from the connection at parse time."""
    return option("default_region", DEFAULT_REGION)


def default_deferrable() -> bool:
    """Airflow's ``[operators] default_deferrable`` (False unless set), the default of ``deferrable``
    as in Airflow's own providers; read when a task is made, so the running deployment's setting counts."""
    from airflow.sdk.configuration import conf

    return conf.getboolean("operators", "default_deferrable", fallback=False)


def run_identity(context: Any) -> str:
    """The identity token of this task instance (dag, run, task, map index): the same on every try of
    it, different for every other task instance. Creates carry it so a retry finds only its own."""
    ti = context["ti"]
    return identity_token(ti.dag_id, ti.run_id, ti.task_id, getattr(ti, "map_index", -1))


_FAIL_FAST_METHODS = ("execute", "execute_complete", "poke")


def fail_fast(method: Callable[..., Any]) -> Callable[..., Any]:
    """Turn what no retry can fix into ``AirflowFailException`` (no Airflow retry): bad input
    (``InvalidInputError`` and other ``ValueError``s, a missing file). Permanent MetaStudio errors and
    connection errors already are ``AirflowFailException`` (``hooks.failures``); transient ones pass."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except AirflowFailException:
            raise
        except (ValueError, FileNotFoundError, IsADirectoryError) as exc:
            if getattr(exc, "retryable", False):
                raise
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc

    wrapper.__fail_fast__ = True  # type: ignore[attr-defined]
    return wrapper


def closes_hook(method: Callable[..., Any]) -> Callable[..., Any]:
    """Close the task's hook (its HTTP connections) when ``method`` ends: returned, raised or deferred."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        finally:
            self.close_hook()

    return wrapper


class MetaStudioMixin:
    """``metastudio_conn_id`` and ``region``, the hook, and the API's pool as the default ``pool``.

    :param metastudio_conn_id: Airflow connection id (default ``metastudio_default``); a template field.
    :param region: MetaStudio region; overrides the connection's and picks the pool.

    A ``pool`` the DAG author gives (argument or ``default_args``) wins over the API's pool.
    """

    api_name: str | None = None
    """The API whose pool this task uses by default (``catalog.pool_name``)."""

    template_fields: Collection[str]  # BaseOperator's, declared for __init_subclass__ (no value here)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every ``execute`` / ``execute_complete`` / ``poke`` of every subclass fails fast (``fail_fast``);
        ``execute`` / ``execute_complete`` close the hook when they end; ``metastudio_conn_id`` is templated."""
        super().__init_subclass__(**kwargs)
        for name in _FAIL_FAST_METHODS:
            method = cls.__dict__.get(name)
            if callable(method) and not getattr(method, "__fail_fast__", False):
                setattr(cls, name, fail_fast(method) if name == "poke" else closes_hook(fail_fast(method)))
        fields = tuple(getattr(cls, "template_fields", ()))
        if "metastudio_conn_id" not in fields:
            cls.template_fields = (*fields, "metastudio_conn_id")

    def __init__(
        self, *, metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None, **kwargs: Any
    ) -> None:
        # Airflow hands this __init__ the merged default_args; it applies them only after this runs.
        if self.api_name and kwargs.get("pool") is None and (kwargs.get("default_args") or {}).get("pool") is None:
            kwargs["pool"] = pool_name(self.api_name, region or default_region())
        super().__init__(**kwargs)
        self.metastudio_conn_id = metastudio_conn_id
        self.region = region

    @cached_property
    def hook(self) -> MetaStudioHook:
        return MetaStudioHook(self.metastudio_conn_id, region=self.region)

    def close_hook(self) -> None:
        """Close the hook's HTTP client if this task opened one."""
        hook = self.__dict__.get("hook")
        if hook is not None:
            hook.close()


class MetaStudioBaseOperator(MetaStudioMixin, BaseOperator):
    """Base class of MetaStudio operators."""


class MetaStudioBaseSensor(MetaStudioMixin, BaseSensorOperator):
    """Base class of MetaStudio sensors."""
