"""API operators given their path parameters by name, in a real ``dag.test()`` run against the session emulator."""

from __future__ import annotations

import pytest

from .helpers import dag_run_env, emu_call, get_dag, rendered_fields, task_states, xcoms

pytestmark = pytest.mark.airflow  # a dag.test() run (tier: tests/tiers.py)


def test_path_parameters_by_name_reach_metastudio(dagbag, emulator) -> None:
    dag = get_dag(dagbag, "metastudio_typed_api_operators", "typed_api_operators.py")
    assert dag.get_task("show").upstream_task_ids == {"create"}  # set by the XComArg given as asset_id
    with dag_run_env(emulator):
        dag_run = dag.test()
    assert task_states(dag_run) == {"create": "success", "show": "success", "update": "success", "delete": "success"}
    values = xcoms(dag_run)
    asset_id = values[("create", "asset_id")]
    assert values[("show", "return_value")]["asset_id"] == asset_id
    assert values[("update", "asset_id")] == asset_id
    rendered = rendered_fields(dag_run)
    assert rendered["update"]["path_params"] == {"asset_id": asset_id}
    assert rendered["delete"]["path_params"] == {"asset_id": asset_id}
    after = emu_call(emulator, "ShowAsset", {"asset_id": asset_id})
    assert after["asset_state"] == "DELETING"  # the delete reached the asset named by the template
    assert after["asset_description"] == "renamed by a typed operator"
