"""The SK never shows: not in rendered template fields, not in XComs, not in task logs."""

from __future__ import annotations

import json
import uuid

import pytest

from metastudio_provider.operators.api import CreateDigitalAssetOperator
from metastudio_provider.operators.assets import UploadAssetOperator
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import VideoJobSensor

from .helpers import dag_run_env, get_dag, rendered_fields, task_states, xcoms

WRONG_SK = "wrong-sk-" + uuid.uuid4().hex


@pytest.mark.airflow  # a dag.test() run
def test_a_run_never_shows_the_sk(dagbag, emulator, tmp_path, capfd, caplog) -> None:
    """Run ``metastudio_secrets``; search its task logs, its XComs and its rendered fields."""
    from tests.conftest import connection_json

    image = tmp_path / "image.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n secrets check, logs")
    wrong = json.loads(connection_json(emulator))
    wrong["password"] = WRONG_SK
    dag = get_dag(dagbag, "metastudio_secrets", "secrets_check.py")
    with pytest.MonkeyPatch.context() as mp, dag_run_env(emulator):
        mp.setenv("AIRFLOW_CONN_METASTUDIO_WRONG_SK", json.dumps(wrong))
        dag_run = dag.test(run_conf={"image_path": str(image)})
    out = capfd.readouterr()
    logs = out.out + out.err + caplog.text

    states = task_states(dag_run)
    assert states == {"upload": "success", "create": "success", "log_the_connection": "success",
                      "refused": "failed"}
    asset_id = xcoms(dag_run)[("upload", "asset_id")]
    assert asset_id
    # the capture works: the tasks' log lines, the refusal and the masked line are in it
    assert "task_id=upload" in logs and "task_id=create" in logs
    assert "ListAssets failed: HTTP 401" in logs and "APIGW.0301" in logs
    assert f"client settings: ClientSettings(credentials=Credentials(ak='{emulator.ak}'" in logs
    assert "SK as a redacted log shows it: ***" in logs
    # ... and the secrets are not
    assert emulator.sk not in logs
    assert WRONG_SK not in logs

    values = xcoms(dag_run)
    assert values[("log_the_connection", "return_value")] == {"ak": emulator.ak, "region": emulator.region}
    dumped = json.dumps({f"{t}/{k}": v for (t, k), v in values.items()}, default=str)
    assert values[("upload", "asset_id")] in dumped
    assert emulator.sk not in dumped and WRONG_SK not in dumped

    rendered = rendered_fields(dag_run)
    body = rendered["create"]["body"]
    assert body["asset_description"] == f"made by {emulator.ak} for {values[('upload', 'asset_id')]}"
    text = json.dumps(rendered, default=str)
    assert emulator.sk not in text and WRONG_SK not in text


def test_rendering_operator_templates_does_not_expose_the_sk(metastudio_conn) -> None:
    """Render every template field of the operators that hold ids, bodies and sources."""
    emu = metastudio_conn
    from airflow.sdk.execution_time.context import ConnectionAccessor

    context = {"run_id": "manual__render", "ds": "2026-01-01", "params": {"path": "/tmp/x.png"},
               "conn": ConnectionAccessor()}
    operators = [
        CreateDigitalAssetOperator(task_id="a", body={"asset_name": "{{ run_id }}", "asset_type": "IMAGE",
                                                      "asset_description": "{{ conn.metastudio_default.login }}"}),
        UploadAssetOperator(task_id="u", source="{{ params.path }}", asset_name="{{ ds }}"),
        CreateVideoOperator(task_id="v", script={"script_name": "{{ run_id }}"}, video={"note": "{{ ds }}"}),
        VideoJobSensor(task_id="s", job_id="{{ run_id }}"),
    ]
    for op in operators:
        op.render_template_fields(context)
        fields = {name: getattr(op, name) for name in op.template_fields}
        text = json.dumps(fields, default=str)
        assert "{{" not in text and emu.sk not in text, (op.task_id, text)
        assert emu.sk not in repr(op.hook.settings)  # the credentials' repr hides the SK
    assert operators[0].body["asset_description"] == emu.ak
    assert operators[1].source == "/tmp/x.png"


def test_the_hook_registers_the_sk_with_the_secrets_masker() -> None:
    """``settings_from_connection`` masks the password itself, wherever the connection came from."""
    from airflow.sdk import Connection
    from airflow.sdk._shared.secrets_masker import redact

    from metastudio_provider.hooks.metastudio import MetaStudioHook

    sk = "never-seen-before-" + uuid.uuid4().hex
    assert redact(f"sk={sk}") == f"sk={sk}"
    conn = Connection(conn_id="x", conn_type="metastudio", login="AK", password=sk,
                      extra=json.dumps({"project_id": "p", "region": "cn-north-4"}))
    settings = MetaStudioHook.settings_from_connection(conn)
    assert settings.credentials.sk == sk and sk not in repr(settings)
    assert redact(f"sk={sk}") == "sk=***"


def test_every_secret_of_the_connection_is_masked() -> None:
    """Not only the SK: passwords inside URIs (storage, endpoint) and extras whose name says they are secret."""
    from airflow.sdk import Connection
    from airflow.sdk._shared.secrets_masker import redact

    from metastudio_provider.hooks.metastudio import MetaStudioHook

    storage_pw, endpoint_pw, token = (f"{what}-{uuid.uuid4().hex}" for what in ("storage", "endpoint", "token"))
    conn = Connection(conn_id="x", conn_type="metastudio", login="AK", password="sk-" + uuid.uuid4().hex,
                      extra=json.dumps({"project_id": "p", "region": "cn-north-4",
                                        "rate_limit_storage": f"redis://user:{storage_pw}@127.0.0.1:6379/0",
                                        "endpoint": f"http://proxy:{endpoint_pw}@127.0.0.1:1",
                                        "callback_token": token}))
    MetaStudioHook.settings_from_connection(conn)
    for secret in (storage_pw, endpoint_pw, token):
        assert redact(f"value={secret}") == "value=***"
