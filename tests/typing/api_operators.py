"""What mypy must see of the generated API operators: `make test` runs `mypy plugins dags tests/typing`
with ``warn_unused_ignores``, so each good use must type-check and each mistake below must be an error
(an ignore that is not needed fails the run, as in typeshed's test cases). Checked, never run."""

from __future__ import annotations

from airflow.sdk import DAG, XComArg

from metastudio_provider.operators import api
from metastudio_provider.operators.api import (
    CreateDigitalAssetOperator,
    ShowAssetOperator,
    ShowSmartLiveOperator,
    UpdateProductOperator,
)

with DAG("typed", schedule=None):
    create = CreateDigitalAssetOperator(task_id="create", body={"asset_name": "a", "asset_type": "IMAGE"})
    show = ShowAssetOperator(task_id="show", asset_id=XComArg(create, key="asset_id"), retries=2)
    live = ShowSmartLiveOperator(task_id="live", room_id="{{ params.room }}", job_id="j", query={"x": 1})
    product = UpdateProductOperator(task_id="product", product_id="p", body={"product_name": "n"})
    api_name: str | None = show.api_name

    # Mistakes an editor and mypy must flag:
    api.ShowAssetsOperator(task_id="misspelt")  # type: ignore[attr-defined]  # it is ShowAssetOperator
    ShowAssetOperator(task_id="int_id", asset_id=123)  # type: ignore[arg-type]  # ids are strings
    ShowAssetOperator(task_id="list_query", query=["not", "a", "dict"])  # type: ignore[arg-type]
