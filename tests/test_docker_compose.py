"""docker-compose.yaml describes the deployment `make cluster` starts.

No Docker engine here: both are read and compared.

`make cluster`'s side comes from the script itself: ``scripts/cluster_start.sh --print`` lists what it would
start (components, worker commands, emulator arguments) and the settings every component gets, without
starting anything. Compose's side is the parsed YAML with its ``${VAR:-default}`` defaults (no .env).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yaml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW = ["airflow-apiserver", "airflow-scheduler", "airflow-dag-processor", "airflow-worker",
           "airflow-triggerer", "airflow-init"]
CLUSTER_ENV_FILE = "scripts/cluster.env"
_VAR = re.compile(r"\$\{(\w+)(?::-((?:[^{}]|\{[^{}]*\})*))?\}")


def interpolate(value: str) -> str:
    """Compose's interpolation with no variable set: every ``${VAR:-default}`` (nested too) becomes its default."""
    while (resolved := _VAR.sub(lambda m: m.group(2) or "", value)) != value:
        value = resolved
    return value.replace("$$", "$")


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as both docker compose (env_file) and scripts/cluster_env.sh read them."""
    lines = (line for line in path.read_text().splitlines() if line and not line.startswith("#"))
    return dict(line.split("=", 1) for line in lines)


CLUSTER_ENV = env_file(ROOT / CLUSTER_ENV_FILE)


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "METASTUDIO", "WORKERS"))}


@cache
def make_cluster() -> dict:
    """What ``make cluster`` (default settings) starts, from ``cluster_start.sh --print``."""
    out = subprocess.run(["bash", "scripts/cluster_start.sh", "--print"], cwd=ROOT, env=_clean_env(),
                         capture_output=True, text=True, check=True, timeout=60).stdout
    lines = [line.split(" ", 1) for line in out.splitlines()]
    return {
        "components": [rest for kind, rest in lines if kind == "component"],
        "workers": [rest for kind, rest in lines if kind == "worker"],
        "triggerers": [rest for kind, rest in lines if kind == "triggerer"],
        "emulator": next(rest for kind, rest in lines if kind == "emulator").split(),
        "env": dict(rest.split("=", 1) for kind, rest in lines if kind == "env"),
        "connection": json.loads(next(rest for kind, rest in lines if kind == "connection")),
    }


def compose_env(service: str = "airflow-scheduler") -> dict[str, str]:
    """A service's environment as its container sees it: the env_file, then ``environment:``."""
    spec = SERVICES[service]
    env = {}
    for path in spec.get("env_file", []):
        env.update(env_file(ROOT / path))
    env.update({k: interpolate(str(v)) for k, v in spec.get("environment", {}).items()})
    return env


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def test_the_same_components_as_make_cluster():
    cluster = make_cluster()
    assert set(AIRFLOW + ["postgres", "redis", "emulator"]) <= set(SERVICES)
    commands = {SERVICES[name]["command"] for name in AIRFLOW[:-1]}
    assert commands == set(cluster["components"]) | {"celery worker"}
    assert len(cluster["workers"]) == 2 and all(" celery worker -H worker" in w for w in cluster["workers"])
    assert interpolate(str(SERVICES["airflow-worker"]["deploy"]["replicas"])) == cluster["env"]["WORKERS"] == "2"
    assert "profiles" not in SERVICES["emulator"], "the emulator runs by default, as with make cluster"


def test_two_triggerers_in_both():
    """No single point of failure for deferred waits and livestream watches: two triggerers by default, each
    its own process (make cluster) or container (compose), each with a health check of its own."""
    cluster = make_cluster()
    assert cluster["triggerers"] == ["triggerer", "triggerer2 --skip-serve-logs"]
    assert cluster["env"]["TRIGGERERS"] == cluster["env"]["AIRFLOW_TRIGGERERS"] == "2"
    triggerer = SERVICES["airflow-triggerer"]
    assert triggerer["command"] == "triggerer"
    assert interpolate(str(triggerer["deploy"]["replicas"])) == "2"
    check = " ".join(triggerer["healthcheck"]["test"])
    assert "airflow jobs check --job-type TriggererJob" in check and '--hostname "$${HOSTNAME}"' in check
    assert "container_name" not in triggerer and "ports" not in triggerer, "replicas need neither"
    # make cluster TRIGGERERS=3: three, named as their pid files and logs are
    env = {**_clean_env(), "TRIGGERERS": "3"}
    out = subprocess.run(["bash", "scripts/cluster_start.sh", "--print"], cwd=ROOT, env=env, capture_output=True,
                         text=True, check=True, timeout=60).stdout
    names = [line.split()[1] for line in out.splitlines() if line.startswith("triggerer ")]
    assert names == ["triggerer", "triggerer2", "triggerer3"]


def test_a_dead_triggerers_triggers_are_taken_over_within_a_minute():
    """[triggerer] triggerer_health_check_threshold: how long a silent triggerer keeps its triggers. Both
    deployments set Airflow's defaults explicitly; heartbeats come several times within the threshold."""
    for env in (compose_env("airflow-triggerer"), make_cluster()["env"]):
        threshold = float(env["AIRFLOW__TRIGGERER__TRIGGERER_HEALTH_CHECK_THRESHOLD"])
        assert threshold == 30 and float(env["AIRFLOW__TRIGGERER__JOB_HEARTBEAT_SEC"]) * 3 <= threshold


def test_every_airflow_container_reads_the_cluster_settings():
    for name in AIRFLOW + ["emulator"]:
        assert SERVICES[name]["env_file"] == [CLUSTER_ENV_FILE], name
        overridden = {k for k, v in compose_env(name).items() if k in CLUSTER_ENV and v != CLUSTER_ENV[k]}
        assert overridden == set(), f"{name} overrides {overridden} of {CLUSTER_ENV_FILE}"
    env = make_cluster()["env"]
    assert {k: env.get(k) for k in CLUSTER_ENV} == CLUSTER_ENV, "make cluster does not apply scripts/cluster.env"


def test_executor_heartbeat_timeout_and_concurrency():
    for env in (compose_env(), make_cluster()["env"]):
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]) >= 1
        # a lost worker's task is failed (then retried) within a minute, not after the default 300 s
        assert int(env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"]) + int(
            env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL"]) < 60
        assert float(env["AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL"]) * 3 < int(
            env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"])


def test_database_broker_result_backend_and_limiter_agree():
    compose, cluster = compose_env(), make_cluster()["env"]
    hosts = {"AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgres", "AIRFLOW__CELERY__RESULT_BACKEND": "postgres",
             "AIRFLOW__CELERY__BROKER_URL": "redis", "AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE": "redis"}
    for key, host in hosts.items():
        ours, theirs = urlsplit(cluster[key]), urlsplit(compose[key])
        assert (ours.scheme, theirs.hostname) == (theirs.scheme, host), key
        if host == "redis":
            assert ours.path == theirs.path, key  # the same database numbers
    assert cluster["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
    assert cluster["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert urlsplit(cluster["AIRFLOW__CELERY__BROKER_URL"]).path == f"/{CLUSTER_ENV['METASTUDIO_REDIS_BROKER_DB']}"
    limiter_db = CLUSTER_ENV["METASTUDIO_REDIS_LIMITER_DB"]
    assert urlsplit(cluster["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"]).path == f"/{limiter_db}"
    assert compose["AIRFLOW__METASTUDIO__DEFAULT_REGION"] == cluster["AIRFLOW__METASTUDIO__DEFAULT_REGION"]


def test_the_connection_shares_the_limiter_and_reaches_the_emulator_in_both():
    """Compose passes it in the environment; make cluster stores it in Airflow's database (SK masked in --print)."""
    from airflow.sdk import Connection

    from metastudio_emulator.config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    cluster = make_cluster()
    body = cluster["connection"]
    assert body["connection_id"] == "metastudio_default" and body["password"] == "***"
    cluster_conn = Connection(conn_id="metastudio_default", conn_type=body["conn_type"], login=body["login"],
                              password=DEFAULT_SK, port=body["port"], extra=body["extra"])
    uri = compose_env()["AIRFLOW_CONN_METASTUDIO_DEFAULT"]
    compose_conn = Connection.from_uri(uri, conn_id="metastudio_default")
    assert compose_conn.password == DEFAULT_SK
    for conn, limiter, emulator in (
        (compose_conn, compose_env()["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"], "http://emulator:8765"),
        (
            cluster_conn,
            cluster["env"]["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"],
            cluster["env"]["METASTUDIO_EMULATOR_URL"],
        ),
    ):
        settings = MetaStudioHook.settings_from_connection(conn)
        assert settings.rate_limit_storage == limiter
        assert settings.base_url == emulator
        assert settings.region == CLUSTER_ENV["METASTUDIO_REGION"]
        assert (settings.credentials.ak, settings.credentials.project_id) == (DEFAULT_AK, DEFAULT_PROJECT_ID)
    compose_limiter = compose_env()["AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE"]
    assert parse_qs(urlsplit(uri).query)["rate_limit_storage"] == [compose_limiter]


def test_the_same_ports_and_emulator_settings():
    cluster = make_cluster()
    assert SERVICES["airflow-apiserver"]["ports"] == [f"{CLUSTER_ENV['METASTUDIO_API_PORT']}:8080"]
    assert cluster["env"]["AIRFLOW_API_PORT"] == CLUSTER_ENV["METASTUDIO_API_PORT"] == "8080"
    port = CLUSTER_ENV["METASTUDIO_EMULATOR_PORT"]
    assert port == "8765" and SERVICES["emulator"]["ports"] == [f"{port}:{port}"]
    compose_args = [interpolate(a) for a in SERVICES["emulator"]["command"]]
    for args in (compose_args, cluster["emulator"]):
        assert _option(args, "--port") == port
        assert _option(args, "--region") == CLUSTER_ENV["METASTUDIO_REGION"]
        assert _option(args, "--job-seconds") == CLUSTER_ENV["METASTUDIO_EMULATOR_JOB_SECONDS"]
    assert compose_env()["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


def test_the_provider_is_installed_once_in_the_image():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM apache/airflow:3\.3\.2-python3\.11$", dockerfile, flags=re.M)
    for sources in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", dockerfile, flags=re.M):
        for path in sources.split():
            assert (ROOT / path).exists(), path
    assert re.search(
        r'pip install .*-c /opt/metastudio/constraints\.txt .*"/opt/metastudio\[celery,emulator\]"', dockerfile
    )
    # nothing mounted over it: the containers import the installed package, not a copy from ./plugins
    for name in AIRFLOW + ["emulator"]:
        for volume in SERVICES[name]["volumes"]:
            host = volume.split(":")[0]
            if host.startswith("./"):
                assert (ROOT / host).is_dir(), host
                assert not (ROOT / host / "metastudio_provider").exists() and not host.startswith("./plugins"), volume
    assert SERVICES["emulator"]["entrypoint"] == "metastudio-emulator"


def test_init_migrates_imports_the_region_pools_and_sets_the_admin_password():
    script = "\n".join(SERVICES["airflow-init"]["command"])
    assert "airflow db migrate" in script
    assert "airflow pools import /opt/airflow/include/pools/$${METASTUDIO_REGION}.json" in script
    region = interpolate(SERVICES["airflow-init"]["environment"]["METASTUDIO_REGION"])
    assert (ROOT / "include" / "pools" / f"{region}.json").is_file()
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script
    pipeline_source = (ROOT / "dags" / "metastudio_video_pipeline.py").read_text()
    assert 'Path(__file__).resolve().parent.parent / "include"' in pipeline_source
