"""docker-compose.yaml agrees with the project (no Docker engine here: its structure is checked)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from metastudio_provider.hooks.metastudio import MetaStudioHook

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker",
           "airflow-triggerer", "airflow-init"]


def _default(value: str) -> str:
    """The default of a ``${VAR:-default}`` value."""
    match = re.fullmatch(r"\$\{\w+:-(.*)\}", value)
    return match.group(1) if match else value


def test_services_of_a_celery_deployment():
    assert set(AIRFLOW + ["postgres", "redis", "emulator"]) <= set(SERVICES)
    commands = {name: SERVICES[name].get("command") for name in AIRFLOW[:-1]}
    assert commands == {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                        "airflow-dag-processor": "dag-processor", "airflow-worker": "celery worker",
                        "airflow-triggerer": "triggerer"}
    assert SERVICES["emulator"]["profiles"] == ["emulator"]


def test_executor_database_and_broker_point_at_the_services():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert "@postgres/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://") and "@redis:6379" in env["AIRFLOW__CELERY__BROKER_URL"]
    assert env["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"].startswith("redis://redis:6379/")
    for name in AIRFLOW:
        assert SERVICES[name]["build"] == "." and SERVICES[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"


def test_image_build_installs_this_provider():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11$", dockerfile, flags=re.M)
    for copied in re.findall(r"^COPY \S+ (.+) /opt/metastudio/", dockerfile, flags=re.M):
        for path in copied.split():
            assert (ROOT / path).exists(), path
    assert 'pip install' in dockerfile and '"/opt/metastudio"' in dockerfile


def test_mounted_folders_exist_and_are_where_the_dags_look():
    for volume in SERVICES["airflow-scheduler"]["volumes"]:
        host, _, container = volume.partition(":")
        if host.startswith("./"):
            assert (ROOT / host).is_dir(), host
            assert container == f"/opt/airflow/{host[2:]}"
    assert 'Path(__file__).resolve().parent.parent / "include"' in (ROOT / "dags" / "metastudio_video_pipeline.py").read_text()


def test_init_imports_the_committed_pools_and_migrates():
    script = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in script
    pools = re.search(r"airflow pools import /opt/airflow/include/pools/\$\$\{METASTUDIO_REGION:-([\w-]+)\}\.json", script)
    assert pools and (ROOT / "include" / "pools" / f"{pools.group(1)}.json").is_file()


def test_default_connection_reaches_the_emulator_service():
    from airflow.sdk import Connection

    uri = _default(SERVICES["airflow-scheduler"]["environment"]["AIRFLOW_CONN_METASTUDIO_DEFAULT"])
    conn = Connection.from_uri(uri, conn_id="metastudio_default")
    settings = MetaStudioHook.settings_from_connection(conn)
    command = SERVICES["emulator"]["command"]
    port = command[command.index("--port") + 1]
    assert settings.base_url == f"http://emulator:{port}"
    assert settings.region == command[command.index("--region") + 1]
    from metastudio_provider.emulator.config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK

    assert (settings.credentials.ak, settings.credentials.sk, settings.credentials.project_id) == (
        DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID)
