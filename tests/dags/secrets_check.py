"""A run whose logs, XComs and rendered fields ``tests/operators/test_secrets.py`` searches for the SK.

It calls MetaStudio through each path that handles the connection: a generated API operator,
a workflow operator that uploads and defers (the trigger reads the connection asynchronously),
a task that reads the connection and logs the client settings (their repr must hide the SK), and a
call with a wrong SK that MetaStudio refuses (the error must not carry the SK either).
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, Param, task

from metastudio_provider.operators.api import CreateDigitalAssetOperator, ListAssetsOperator
from metastudio_provider.operators.assets import UploadAssetOperator

WRONG_CONN_ID = "metastudio_wrong_sk"


@task
def log_the_connection() -> dict:
    """Log what a careless task might: the client settings, and the SK through Airflow's redaction."""
    import logging

    from airflow.sdk._shared.secrets_masker import redact

    from metastudio_provider.hooks.metastudio import MetaStudioHook

    hook = MetaStudioHook()
    conn = hook.get_connection(hook.metastudio_conn_id)
    logging.getLogger(__name__).info("client settings: %r", hook.settings)
    print(f"SK as a redacted log shows it: {redact(conn.password)}")
    return {"ak": conn.login, "region": hook.region}


with DAG(dag_id="metastudio_secrets", schedule=None, start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
         catchup=False, params={"image_path": Param("/nonexistent.png", type="string")},
         tags=["metastudio", "test"]) as dag:
    upload = UploadAssetOperator(task_id="upload", source="{{ params.image_path }}", poll_interval=0.2)
    create = CreateDigitalAssetOperator(task_id="create", body={
        "asset_name": "secrets-{{ run_id }}", "asset_type": "IMAGE",
        "asset_description": "made by {{ conn.metastudio_default.login }} for "
                             "{{ ti.xcom_pull(task_ids='upload', key='asset_id') }}"})
    logged = log_the_connection()
    refused = ListAssetsOperator(task_id="refused", metastudio_conn_id=WRONG_CONN_ID, query={"limit": 1})

    upload >> create >> logged >> refused
