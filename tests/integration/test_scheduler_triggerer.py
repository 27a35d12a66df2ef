"""Deferrable MetaStudio sensors through Airflow's real scheduler, executor and triggerer.

The emulator's clock is held while a run starts, so every job stays running until each sensor
has been seen ``deferred`` in the REST API (and the scheduler has handled the exit of the try
that deferred: see ``AirflowCluster.defer_exit_processed``); then time moves on, the triggers see
the jobs end and the sensors resume to ``success``. DAGs: tests/scheduler_dags/.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import httpx
import pytest

from metastudio_provider.catalog import get_api

from .airflow_cluster import AirflowCluster, EmulatorClock, wait_until

pytestmark = pytest.mark.airflow_integration

RUN_TIMEOUT = 150


def _call(emu: Any, api_name: str, path_params: dict[str, str] | None = None, body: Any = None) -> dict[str, Any]:
    api = get_api(api_name)
    resp = emu.request(api.method, api.format_path(emu.project_id, path_params), json=body)
    assert resp.status_code < 300, f"{api_name}: {resp.status_code} {resp.text}"
    return resp.json() if resp.content else {}


def _upload_main_file(emu: Any, asset_id: str, data: bytes = b"\x89PNG integration picture") -> None:
    """CreateFile → PUT → ConfirmFileUpload: the asset turns ACTIVED."""
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    created = _call(emu, "CreateFile", body={"file_name": "picture.png", "file_md5": md5, "file_size": len(data),
                                             "file_type": "png", "asset_id": asset_id, "asset_file_category": "MAIN"})
    put = httpx.put(created["upload_url"], content=data, headers={"Content-MD5": md5, "Content-Type": "image/png"})
    assert put.status_code == 200, put.text
    _call(emu, "ConfirmFileUpload", {"file_id": created["file_id"]}, body={"state": "CREATED"})


def _assert_deferred_then_success(history: dict[str, list[str]], task_id: str) -> None:
    states = history.get(task_id, [])
    assert "deferred" in states and states[-1] == "success", f"{task_id}: {states}"
    assert states.index("deferred") < len(states) - 1, f"{task_id}: {states}"


def _report(cluster: AirflowCluster, dag_id: str, run_id: str, began: float) -> None:
    client = cluster.client
    print(f"\n{dag_id} {run_id}: {time.monotonic() - began:.1f} s; run states "
          f"{client.run_state_timeline(dag_id, run_id)}")
    for key, timeline in sorted(client.ti_state_timeline(dag_id, run_id).items()):
        print(f"  {key:20s} " + " → ".join(f"{state}@{at}" for at, state in timeline))


def test_video_sensors_defer_in_the_real_triggerer(
    airflow_cluster: AirflowCluster, cluster_emulator: Any, emulator_clock: EmulatorClock
) -> None:
    dag_id = "ms_deferred_video"
    client = airflow_cluster.client
    job_seconds = cluster_emulator.config.job_seconds
    sensors = ("wait_video", "wait_videos")
    began = time.monotonic()

    def trigger_log() -> str:
        return "\n".join(airflow_cluster.trigger_logs(dag_id, run_id, "wait_video").values())

    with emulator_clock.held():  # the videos stay WAITING
        run_id = client.trigger(dag_id)
        client.wait_for_states(dag_id, run_id, dict.fromkeys(sensors, "deferred"), timeout=RUN_TIMEOUT)
        airflow_cluster.wait_for_defer_exit(dag_id, run_id, sensors)
        wait_until(lambda: "is WAITING" in trigger_log(), 30, what="the trigger polling a WAITING job")
        emulator_clock.advance(job_seconds * 0.5)  # now they render (PROCESSING) while the sensors are deferred
        wait_until(lambda: "is PROCESSING" in trigger_log(), 30, what="the trigger polling a PROCESSING job")
        _, tis = client.observe(dag_id, run_id)
        states = {ti["task_id"]: ti["state"] for ti in tis}
        assert states["wait_video"] == "deferred" and states["wait_videos"] == "deferred", states
        emulator_clock.advance(job_seconds)  # rendered

    state = client.wait_for_run(dag_id, run_id, timeout=RUN_TIMEOUT)
    _report(airflow_cluster, dag_id, run_id, began)
    history = client.ti_state_history(dag_id, run_id)
    assert state == "success", history
    _assert_deferred_then_success(history, "wait_video")
    _assert_deferred_then_success(history, "wait_videos")

    # the triggers ran in the triggerer, and saw the job rendering before it ended
    log = trigger_log()
    assert "MetaStudioStateTrigger" in log, airflow_cluster.task_log_files(dag_id, run_id, "wait_video")
    assert "Trigger fired event" in log and "'status': 'success', 'state': 'SUCCEED'" in log, log
    assert airflow_cluster.trigger_logs(dag_id, run_id, "wait_videos"), "no trigger log for wait_videos"
    task_log = "\n".join(airflow_cluster.task_log_files(dag_id, run_id, "wait_video").values())
    assert "Pausing task as DEFERRED" in task_log, task_log

    # the output asset is in XCom, and is the emulator's finished VIDEO asset
    job_id = client.xcom(dag_id, run_id, "create_video", key="job_id")
    single = client.xcom(dag_id, run_id, "wait_video")
    assert single["state"] == "SUCCEED" and single["ids"] == {"job_id": job_id}, single
    asset_id = single["response"]["output_asset_config"]["asset_id"]
    asset = _call(cluster_emulator, "ShowAsset", {"asset_id": asset_id})
    assert asset["asset_type"] == "VIDEO" and asset["asset_state"] == "ACTIVED", asset

    batch_ids = [client.xcom(dag_id, run_id, f"create_video_{name}", key="job_id") for name in "abc"]
    many = client.xcom(dag_id, run_id, "wait_videos")
    assert sorted(many) == sorted(batch_ids), many
    for job in many.values():
        assert job["state"] == "SUCCEED" and job["output_asset_id"], many
        assert _call(cluster_emulator, "ShowAsset", {"asset_id": job["output_asset_id"]})["asset_type"] == "VIDEO"


SENSORS = {  # task id → the state its XCom reports at the end
    "wait_asset": "ACTIVED",
    "wait_video": "SUCCEED",
    "wait_live": "PROCESSING",
    "wait_avatar": "JOB_SUCCESS",
    "wait_voice": "SUCCEED",
    "wait_tts": "TRUE",
}


def test_six_sensors_defer_and_resume_in_the_real_triggerer(
    airflow_cluster: AirflowCluster, cluster_emulator: Any, emulator_clock: EmulatorClock
) -> None:
    dag_id = "ms_six_sensors"
    client = airflow_cluster.client
    config = cluster_emulator.config

    def trigger_log(task_id: str) -> str:
        return "\n".join(airflow_cluster.trigger_logs(dag_id, run_id, task_id).values())

    longest = max(config.job_seconds, config.live_start_seconds, config.training_seconds, config.tts_seconds)
    began = time.monotonic()

    with emulator_clock.held():  # nothing finishes while the sensors defer
        run_id = client.trigger(dag_id)
        client.wait_for_states(dag_id, run_id, dict.fromkeys(SENSORS, "deferred"), timeout=RUN_TIMEOUT)
        airflow_cluster.wait_for_defer_exit(dag_id, run_id, SENSORS)
        wait_until(lambda: all("next check" in trigger_log(t) for t in SENSORS), 30,
                   what="every trigger polling its still-running resource")
        _upload_main_file(cluster_emulator, client.xcom(dag_id, run_id, "create_asset", key="asset_id"))
        emulator_clock.advance(longest + 1)

    state = client.wait_for_run(dag_id, run_id, timeout=RUN_TIMEOUT)
    _report(airflow_cluster, dag_id, run_id, began)
    history = client.ti_state_history(dag_id, run_id)
    assert state == "success", history
    for task_id, final_state in SENSORS.items():
        _assert_deferred_then_success(history, task_id)
        log = trigger_log(task_id)
        assert "next check" in log and "Trigger fired event" in log, (task_id, log)
        result = client.xcom(dag_id, run_id, task_id)
        assert result["state"] == final_state, (task_id, json.dumps(result)[:500])
    assert history["stop_live"][-1] == "success", history
