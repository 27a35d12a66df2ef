"""Provider conventions (issue 12, items 2 and 3): sensor signatures, ``[operators] default_deferrable``,
a templated ``metastudio_conn_id``, the DAG author's pool, connection extras for the client, and the
hook's transport and ``close()``.

MetaStudio is faked with ``httpx.MockTransport`` / respx: the real hook, client and signing run underneath.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlsplit

import httpx
import pytest
import respx
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException, TaskDeferred

from metastudio_provider import signing
from metastudio_provider.hooks.metastudio import MetaStudioConfigFailure, MetaStudioHook
from metastudio_provider.operators.api import API_OPERATORS
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.sensors.metastudio import (
    AssetStateSensor,
    AvatarTrainingJobSensor,
    LivestreamJobSensor,
    TtsAuditionSensor,
    VideoJobSensor,
    VideoJobsSensor,
    VoiceTrainingJobSensor,
)

BASE = "https://metastudio.unit.invalid"
PROJECT = "0123456789abcdef0123456789abcdef"
AK, SK = "UNITTESTAK", "unit-test-secret-key"
ASSET = "b" * 32
JOB = "a" * 32
SENSOR_IDS = {
    AssetStateSensor: {"asset_id": ASSET},
    VideoJobSensor: {"job_id": JOB},
    LivestreamJobSensor: {"room_id": "r" * 32, "job_id": JOB},
    AvatarTrainingJobSensor: {"job_id": JOB},
    VoiceTrainingJobSensor: {"job_id": JOB},
    TtsAuditionSensor: {"job_id": JOB},
}


def conn_json(**extra: object) -> str:
    return json.dumps({"conn_type": "metastudio", "login": AK, "password": SK,
                       "extra": {"region": "cn-north-4", "project_id": PROJECT, "endpoint": BASE, **extra}})


@pytest.fixture
def conn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", conn_json())


# -- 2. sensors: explicit ids, BaseSensorOperator's arguments ------------------------------------------
@pytest.mark.parametrize("cls", list(SENSOR_IDS), ids=lambda c: c.__name__)
def test_sensors_name_their_ids_and_take_base_sensor_arguments(cls) -> None:
    ids = SENSOR_IDS[cls]
    params = inspect.signature(cls.__init__).parameters
    assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY and params[name].default is inspect.Parameter.empty
               for name in ids), f"{cls.__name__}: ids not explicit in {list(params)}"
    sensor = cls(task_id="s", poke_interval=10, timeout=timedelta(minutes=2), mode="reschedule", soft_fail=True,
                 exponential_backoff=True, max_wait=60, **ids)
    assert (sensor.poke_interval, sensor.poll_interval, sensor.timeout) == (10, 10, 120)
    assert (sensor.mode, sensor.soft_fail, sensor.exponential_backoff) == ("reschedule", True, True)
    assert {name: getattr(sensor, name) for name in ids} == ids
    with pytest.raises(TypeError, match=f"missing keyword argument '{next(iter(ids))}'"):
        cls(task_id="s", **dict(list(ids.items())[1:]))
    with pytest.raises(ValueError, match=f"needs {next(iter(ids))}="):
        cls(task_id="s", **{**ids, next(iter(ids)): None})


def test_poke_interval_drives_the_deferred_poll_cadence(conn) -> None:
    with respx.mock:
        respx.get(f"{BASE}/v1/{PROJECT}/2d-digital-human-videos/{JOB}").mock(
            return_value=httpx.Response(200, json={"job_id": JOB, "state": "PROCESSING"}))
        sensor = VideoJobSensor(task_id="s", job_id=JOB, poke_interval=2, deferrable=True)
        with pytest.raises(TaskDeferred) as deferred:
            sensor.execute({})
    assert deferred.value.trigger.poll_interval == 2
    jobs = VideoJobsSensor(task_id="v", job_ids=[JOB], poke_interval=3, timeout=30)
    assert (jobs.poll_interval, jobs.timeout) == (3, 30)
    with pytest.raises(ValueError, match="not both"):
        VideoJobSensor(task_id="s", job_id=JOB, poke_interval=2, poll_interval=3)


# -- 3. provider conventions ----------------------------------------------------------------------
@pytest.mark.parametrize("setting", ["True", "False"])
def test_deferrable_defaults_to_operators_default_deferrable(monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", setting)
    expected = setting == "True"
    assert VideoJobSensor(task_id="s", job_id=JOB).deferrable is expected
    assert CreateVideoOperator(task_id="v", script_id="x").deferrable is expected
    assert VideoJobSensor(task_id="s2", job_id=JOB, deferrable=not expected).deferrable is not expected


def test_deferrable_is_false_when_airflow_is_not_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", raising=False)
    assert TtsAuditionSensor(task_id="t", job_id=JOB).deferrable is False  # Airflow's default


def test_metastudio_conn_id_is_rendered_and_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A templated connection id is rendered before ``execute``, which calls through it and then
    closes the hook's client."""
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_TEMPLATED", conn_json())
    for cls in (*SENSOR_IDS, VideoJobsSensor, CreateVideoOperator, *API_OPERATORS.values()):
        assert "metastudio_conn_id" in cls.template_fields, cls.__name__
    sensor = AssetStateSensor(task_id="a", asset_id="{{ params.asset }}", metastudio_conn_id="{{ params.conn }}",
                              deferrable=False, poke_interval=0.05, timeout=5)
    sensor.render_template_fields({"params": {"asset": ASSET, "conn": "metastudio_templated"}})
    assert (sensor.metastudio_conn_id, sensor.asset_id) == ("metastudio_templated", ASSET)
    with respx.mock:
        route = respx.get(f"{BASE}/v1/{PROJECT}/digital-assets/{ASSET}").mock(
            return_value=httpx.Response(200, json={"asset_id": ASSET, "asset_state": "ACTIVED"}))
        assert sensor.execute({})["state"] == "ACTIVED"
    assert route.call_count == 1
    assert sensor.hook.metastudio_conn_id == "metastudio_templated"
    assert "client" not in sensor.hook.__dict__, "execute left the hook's HTTP client open"


def test_the_dag_authors_pool_wins_over_the_apis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__METASTUDIO__DEFAULT_REGION", "cn-north-4")
    show_asset = API_OPERATORS["ShowAsset"]
    with DAG("pools_default_args", schedule=None, default_args={"pool": "mine"}):
        by_dag = [show_asset(task_id="show"), VideoJobSensor(task_id="wait", job_id=JOB),
                  CreateVideoOperator(task_id="video", script_id="x")]
        by_task = show_asset(task_id="show2", pool="theirs")
    assert [op.pool for op in by_dag] == ["mine"] * 3
    assert by_task.pool == "theirs"
    with DAG("pools_task_default_args", schedule=None):
        assert show_asset(task_id="show", default_args={"pool": "mine"}).pool == "mine"
        assert show_asset(task_id="show2").pool == "metastudio_cn-north-4_ShowAsset"  # the API's, by default
        assert VideoJobSensor(task_id="wait", job_id=JOB).pool == "metastudio_cn-north-4_Show2DDigitalHumanVideo"


def connection(**extra: object) -> SimpleNamespace:
    return SimpleNamespace(login=AK, password=SK, host=None, extra=json.dumps({"project_id": PROJECT, **extra}))


def test_timeout_and_max_attempts_are_connection_extras() -> None:
    settings = MetaStudioHook.settings_from_connection(connection(timeout=7.5, max_attempts="2"))
    assert (settings.timeout, settings.max_attempts) == (7.5, 2)
    defaults = MetaStudioHook.settings_from_connection(connection())
    assert (defaults.timeout, defaults.max_attempts) == (30.0, 6)
    for name, bad in [("timeout", "soon"), ("timeout", 0), ("timeout", -1), ("max_attempts", 1.5),
                      ("max_attempts", 0), ("max_attempts", True)]:
        with pytest.raises(MetaStudioConfigFailure, match=f"extra {name}: must be a") as failed:
            MetaStudioHook.settings_from_connection(connection(**{name: bad}))
        assert isinstance(failed.value, AirflowFailException)  # permanent: no retry


def test_the_extras_reach_the_http_client_and_the_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", conn_json(timeout=4, max_attempts=2, outage_seconds=0))
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"error_code": "MSS.00000001", "error_msg": "busy"})

    with MetaStudioHook(transport=httpx.MockTransport(handler)) as hook:
        assert hook.client._http.timeout.read == 4
        assert hook.settings.outage_seconds == 0
        with pytest.raises(Exception, match="busy"):
            hook.call("ListAssets", query={"limit": 1})
    assert len(calls) == 2  # max_attempts


def test_an_injected_transport_receives_the_signed_calls_sync_and_async(conn) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"count": 0, "assets": []})

    hook = MetaStudioHook(transport=httpx.MockTransport(handler))
    assert hook.call("ListAssets", query={"limit": 1}) == {"count": 0, "assets": []}

    async def acall() -> dict:
        try:
            return await hook.acall("ListAssets", query={"limit": 2})
        finally:
            await hook.aclose()

    assert asyncio.run(acall())["count"] == 0
    hook.close()
    assert len(seen) == 2
    for request in seen:
        url = urlsplit(str(request.url))
        assert f"{url.scheme}://{url.netloc}" == BASE and url.path == f"/v1/{PROJECT}/digital-assets"
        auth = signing.parse_authorization(request.headers["Authorization"])
        assert auth is not None and auth.ak == AK
        assert signing.verify(sk=SK, method=request.method, path=url.path,
                              pairs=list(httpx.QueryParams(url.query).multi_items()),
                              headers=dict(request.headers), body=request.content, auth=auth)


def test_close_closes_the_client_and_a_later_call_opens_a_new_one(conn) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"count": 0}))
    hook = MetaStudioHook(transport=transport)
    hook.close()  # nothing opened yet: a no-op
    first = hook.client
    hook.call("ListAssets")
    hook.close()
    assert first.closed
    hook.call("ListAssets")
    assert hook.client is not first and not hook.client.closed
    with hook:
        second = hook.client
    assert second.closed
