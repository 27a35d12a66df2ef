"""Nothing hidden: every method Airflow calls on a MetaStudio task says what wraps it where it is written.

``execute``, ``execute_complete`` and every method a deferral resumes in (``defer(method_name=...)``) carry
``@entry_point`` (fail fast, close the hook); every ``poke`` carries ``@fail_fast``; every class lists
``metastudio_conn_id`` in its own ``template_fields``; no class rewrites its subclasses (``__init_subclass__``).
The provider's modules are walked, so a new operator or sensor that forgets one fails here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException
from airflow.triggers.base import BaseTrigger

import metastudio_provider
from metastudio_provider.operators.base import ENTRY_POINT, FAIL_FAST, MetaStudioMixin, entry_point, fail_fast
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.sensors.base import MetaStudioBaseSensor
from metastudio_provider.sensors.metastudio import MetaStudioStateSensor
from metastudio_provider.states import RESOURCES
from metastudio_provider.triggers.base import MetaStudioBaseTrigger

PACKAGE = Path(metastudio_provider.__file__).parent
NOT_METASTUDIO_TASKS = {
    # plain BaseOperators: they make their own hook for a thread pool of copies and map their own errors
    "metastudio_provider.operators.delivery.DeliverVideosOperator",
    "metastudio_provider.operators.delivery.DeliverBatchVideosOperator",
}


@cache
def provider_modules() -> tuple[Any, ...]:
    names = [m.name for m in pkgutil.walk_packages([str(PACKAGE)], prefix="metastudio_provider.")]
    return tuple(importlib.import_module(name) for name in sorted(names))


def provider_classes(base: type) -> list[type]:
    return [cls for module in provider_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__ and issubclass(cls, base)]


def metastudio_tasks() -> list[type]:
    """The provider's operator and sensor classes built on ``MetaStudioMixin``, bases included."""
    return [cls for cls in provider_classes(BaseOperator) if issubclass(cls, MetaStudioMixin)]


@cache
def resume_methods() -> frozenset[str]:
    """Every method name given as a literal ``method_name=`` in the provider (to ``defer``, ``_wait``, ...);
    the parameters' default is ``execute_complete``."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "method_name" and isinstance(node.value, ast.Constant):
                names.add(node.value.value)
    return frozenset(names)


def unmarked(cls: type) -> list[str]:
    """The entry points ``cls`` writes itself without the decorator they need."""
    missing = []
    for name in sorted({"execute", "execute_complete", *resume_methods()}):
        method = vars(cls).get(name)
        if callable(method) and not getattr(method, ENTRY_POINT, False):
            missing.append(f"{cls.__qualname__}.{name} (needs @entry_point)")
    poke = vars(cls).get("poke")
    if callable(poke) and not getattr(poke, FAIL_FAST, False):
        missing.append(f"{cls.__qualname__}.poke (needs @fail_fast)")
    return missing


def test_the_walk_finds_every_kind_of_task() -> None:
    names = {cls.__name__ for cls in provider_classes(BaseOperator)}
    assert {"MetaStudioApiOperator", "CreateVideoOperator", "LivestreamShowOperator", "VideoJobsSensor",
            "AssetStateSensor", "CreateAndDeliverVideoOperator", "ShowAssetOperator"} <= names
    assert {"go_live", "watched", "execute_complete"} <= resume_methods()


def test_every_entry_point_is_decorated_where_it_is_written() -> None:
    missing = [problem for cls in metastudio_tasks() for problem in unmarked(cls)]
    assert not missing, missing


def test_every_operator_and_sensor_is_a_metastudio_task() -> None:
    """Else the decorators' ``close_hook`` and the shared arguments are missing: say so here on purpose."""
    outside = {f"{cls.__module__}.{cls.__qualname__}" for cls in provider_classes(BaseOperator)
               if not issubclass(cls, MetaStudioMixin)}
    assert outside == NOT_METASTUDIO_TASKS
    assert all(issubclass(cls, MetaStudioBaseSensor) for cls in provider_classes(MetaStudioStateSensor))


def test_every_task_templates_its_connection_id_in_its_own_class() -> None:
    for cls in metastudio_tasks():
        assert "metastudio_conn_id" in cls.template_fields, cls.__name__
        assert "__init_subclass__" not in vars(cls), f"{cls.__name__} rewrites its subclasses"
    assert "__init_subclass__" not in vars(MetaStudioMixin)


def test_every_state_sensor_templates_the_ids_of_its_resource() -> None:
    for cls in provider_classes(MetaStudioStateSensor):
        if cls.kind:
            assert set(RESOURCES[cls.kind].id_params) <= set(cls.template_fields), cls.__name__


def test_every_trigger_has_the_public_base() -> None:
    triggers = provider_classes(BaseTrigger)
    assert len(triggers) >= 4
    assert all(issubclass(cls, MetaStudioBaseTrigger) for cls in triggers), triggers


# -- the check catches what it is for, and the decorators do what they say ---------------------------
class _Forgetful(WorkflowOperator):
    def execute(self, context: Any) -> None:
        raise ValueError("bad input")

    def go_live(self, context: Any, event: Any = None) -> None:
        """A resume method (``go_live`` is one of the provider's)."""


class _Careful(WorkflowOperator):
    template_fields = ("metastudio_conn_id",)

    @entry_point
    def execute(self, context: Any) -> None:
        raise ValueError("bad input: name the fix")


class _Sensor(MetaStudioBaseSensor):
    @fail_fast
    def poke(self, context: Any) -> bool:
        raise ValueError("bad ids")


def test_a_task_that_forgets_the_decorator_is_named() -> None:
    assert unmarked(_Forgetful) == ["_Forgetful.execute (needs @entry_point)",
                                    "_Forgetful.go_live (needs @entry_point)"]
    assert unmarked(_Careful) == [] and unmarked(_Sensor) == []


def test_entry_point_fails_fast_and_closes_the_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[bool] = []
    monkeypatch.setattr(_Careful, "close_hook", lambda self: closed.append(True))
    with pytest.raises(AirflowFailException, match="ValueError: bad input: name the fix"):
        _Careful(task_id="careful").execute({})
    assert closed == [True]
    with pytest.raises(AirflowFailException, match="ValueError: bad ids"):
        _Sensor(task_id="sensor").poke({})
