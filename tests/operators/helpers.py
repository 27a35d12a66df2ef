"""Helpers for DAG-level tests: find a DAG, read a run's task states, XComs and rendered fields,
call the emulator directly, and turn the emulator's knobs for a while."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DAGS = Path(__file__).resolve().parent.parent / "dags"


def get_dag(dagbag: Any, dag_id: str, file_name: str) -> Any:
    """The DAG ``dag_id``; fail with the import error of ``file_name`` (not of other files) if it broke."""
    errors = {path: err for path, err in dagbag.import_errors.items() if Path(path).name == file_name}
    assert not errors, f"{file_name} does not import: {errors}"
    dag = dagbag.dags.get(dag_id)
    assert dag is not None, f"{dag_id} not found in {DAGS}: {sorted(dagbag.dags)}"
    return dag


def task_states(dag_run: Any) -> dict[str, str]:
    return {ti.task_id: str(ti.state.value if hasattr(ti.state, "value") else ti.state)
            for ti in dag_run.get_task_instances()}


def try_numbers(dag_run: Any) -> dict[str, int]:
    return {ti.task_id: ti.try_number for ti in dag_run.get_task_instances()}


def xcoms(dag_run: Any) -> dict[tuple[str, str], Any]:
    """Every XCom of a run, ``{(task_id, key): value}``, read from the metadata DB."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        rows = session.scalars(XComModel.get_many(run_id=dag_run.run_id, dag_ids=dag_run.dag_id)).all()
        # Task SDK XComs are stored as plain JSON: ``row.value`` is the value. (Not
        # ``XComModel.deserialize_value``: it json-parses strings again, turning "2" into 2.)
        return {(row.task_id, row.key): row.value for row in rows}


def rendered_fields(dag_run: Any) -> dict[str, Any]:
    """The rendered template fields Airflow stored for each task of a run."""
    from airflow.models.renderedtifields import RenderedTaskInstanceFields
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.scalars(
            select(RenderedTaskInstanceFields).where(
                RenderedTaskInstanceFields.dag_id == dag_run.dag_id,
                RenderedTaskInstanceFields.run_id == dag_run.run_id,
            )
        ).all()
        return {row.task_id: row.rendered_fields for row in rows}


@contextmanager
def knobs(emu: Any, **values: Any) -> Iterator[None]:
    """Change the running emulator's config (``job_seconds``, ``failure_rate``, ...) inside the block.

    The emulator computes states lazily from its live config, so the change applies at once;
    the previous values are always put back.
    """
    old = {name: getattr(emu.config, name) for name in values}
    for name, value in values.items():
        setattr(emu.config, name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(emu.config, name, value)


def emu_call(emu: Any, api: str, path_params: Mapping[str, str] | None = None, *, query: Any = None,
             json_body: Any = None) -> dict[str, Any]:
    """One signed call straight to the emulator (not through the provider), asserting a 2xx."""
    from metastudio_provider.catalog import get_api

    spec = get_api(api)
    response = emu.request(spec.method, spec.format_path(emu.project_id, path_params), query=query, json=json_body)
    assert response.status_code < 300, f"{api}: {response.status_code} {response.text}"
    return response.json() if response.content else {}


def counters_per_api(emu: Any) -> dict[str, dict[str, int]]:
    """The emulator's ``/_emulator/stats`` counters (requests, admitted, throttled, ...) per API."""
    return emu.stats()["apis"]


def assert_json(value: Any) -> None:
    json.dumps(value)


@contextmanager
def dag_run_env(emu: Any, **knob_values: Any) -> Iterator[list[dict[str, Any]]]:
    """What a ``dag.test()`` against ``emu`` needs: ``metastudio_default`` pointing at it, the
    emulator knobs, and a record of every trigger that ``dag.test()`` ran inline (one dict per
    deferral: task id, trigger class, resource kind, event payload).
    """
    import pytest
    from airflow.sdk.definitions import dag as dag_module

    from tests.conftest import connection_json

    deferrals: list[dict[str, Any]] = []
    original = dag_module._run_inline_trigger

    def recording(trigger: Any, task_sdk_ti: Any) -> Any:
        event = original(trigger, task_sdk_ti)
        deferrals.append({"task_id": task_sdk_ti.task_id, "trigger": type(trigger).__name__,
                          "kind": getattr(trigger, "kind", None), "event": event.payload if event else None})
        return event

    with pytest.MonkeyPatch.context() as mp, knobs(emu, **knob_values):
        mp.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emu))
        mp.setattr(dag_module, "_run_inline_trigger", recording)
        yield deferrals
