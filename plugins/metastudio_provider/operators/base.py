"""What every MetaStudio operator and sensor shares: its arguments (connection, region, pool) declared once
(as the Amazon provider does), its hook, its run identity, and the decorators of the methods Airflow calls
(``entry_point``, ``fail_fast``). The base operator is here; the base sensor is ``sensors.base``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection
from functools import cached_property
from typing import Any, TypeVar, cast

from airflow.sdk import BaseOperator
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


ENTRY_POINT = "__metastudio_entry_point__"
"""Set on a method by ``entry_point`` (tests/operators/test_entry_points.py looks for it)."""
FAIL_FAST = "__metastudio_fail_fast__"
"""Set on a method by ``fail_fast`` (and so by ``entry_point``)."""

Method = TypeVar("Method", bound=Callable[..., Any])


def fail_fast(method: Method) -> Method:
    """Turn what no retry can fix into ``AirflowFailException`` (no Airflow retry): bad input
    (``InvalidInputError`` and other ``ValueError``s, a missing file). Permanent MetaStudio errors and
    connection errors already are ``AirflowFailException`` (``hooks.failures``); transient ones pass.

    On a sensor's ``poke`` alone (its hook stays open between pokes); elsewhere through ``entry_point``."""

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

    setattr(wrapper, FAIL_FAST, True)
    return cast("Method", wrapper)


def entry_point(method: Method) -> Method:
    """Decorate every method Airflow calls on a MetaStudio task: ``execute``, ``execute_complete`` and each
    method a deferral resumes in (``defer(method_name=...)``). It fails fast (``fail_fast``) and closes the
    task's hook (its HTTP connections) when the method ends: returned, raised or deferred."""
    checked = fail_fast(method)

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return checked(self, *args, **kwargs)
        finally:
            self.close_hook()

    setattr(wrapper, FAIL_FAST, True)
    setattr(wrapper, ENTRY_POINT, True)
    return cast("Method", wrapper)


class MetaStudioMixin:
    """``metastudio_conn_id`` and ``region``, the hook, and the API's pool as the default ``pool``.

    :param metastudio_conn_id: Airflow connection id (default ``metastudio_default``); each class lists it
        in its ``template_fields``.
    :param region: MetaStudio region; overrides the connection's and picks the pool.

    A ``pool`` the DAG author gives (argument or ``default_args``) wins over the API's pool. Every
    ``execute``, ``execute_complete`` and resume method is decorated with ``entry_point``, every ``poke``
    with ``fail_fast``.
    """

    api_name: str | None = None
    """The API whose pool this task uses by default (``catalog.pool_name``)."""

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
    """Base class of MetaStudio operators (the sensors': ``sensors.base.MetaStudioBaseSensor``)."""

    template_fields: Collection[str] = ("metastudio_conn_id",)

    def __init__(self, *, metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None,
                 **kwargs: Any) -> None:
        # Its own __init__, so Airflow's BaseOperatorMeta wraps it (it wraps only an __init__ a class defines)
        # and a subclass without one can be made.
        super().__init__(metastudio_conn_id=metastudio_conn_id, region=region, **kwargs)
