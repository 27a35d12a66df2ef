"""DAG for ``tests/operators/test_typed_api_operators.py``: API operators given their path parameters by name.

``asset_id`` arrives as an upstream ``XComArg`` (``XComArg(create, key="asset_id")``, which also sets
the dependency) and as a template string; ``path_params=`` still works beside them.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, XComArg

from metastudio_provider.operators.api import (
    CreateDigitalAssetOperator,
    DeleteAssetOperator,
    ShowAssetOperator,
    UpdateDigitalAssetOperator,
)

with DAG(dag_id="metastudio_typed_api_operators", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
         catchup=False, tags=["metastudio", "test"]):
    create = CreateDigitalAssetOperator(
        task_id="create", body={"asset_name": "typed-{{ run_id }}", "asset_type": "IMAGE", "tags": ["airflow-test"]}
    )
    show = ShowAssetOperator(task_id="show", asset_id=XComArg(create, key="asset_id"))
    update = UpdateDigitalAssetOperator(
        task_id="update", asset_id="{{ ti.xcom_pull(task_ids='create', key='asset_id') }}",
        body={"asset_description": "renamed by a typed operator"},
    )
    delete = DeleteAssetOperator(
        task_id="delete", path_params={"asset_id": "{{ ti.xcom_pull(task_ids='create', key='asset_id') }}"}
    )
    show >> update >> delete
