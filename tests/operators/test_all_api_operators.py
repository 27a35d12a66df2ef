"""The DAG ``tests/dags/all_api_operators.py``, run with ``dag.test()`` against the session emulator.

It uses each of the 66 generated API operators; every task must succeed, the ids must reach
XCom, and the emulator must have served each of the 66 APIs at least once during the run.
"""

from __future__ import annotations

import json
import re

import pytest

from metastudio_provider.catalog import all_apis, get_api, pool_name
from metastudio_provider.operators.api import API_OPERATORS, MetaStudioApiOperator

from .helpers import counters_per_api, dag_run_env, emu_call, get_dag, task_states, xcoms

pytestmark = pytest.mark.airflow  # a dag.test() run (tier: tests/tiers.py)

DAG_ID = "metastudio_all_api_operators"
HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def dag(dagbag):
    return get_dag(dagbag, DAG_ID, "all_api_operators.py")


def test_dag_uses_each_of_the_66_api_operators(dag) -> None:
    used = {type(task) for task in dag.tasks if isinstance(task, MetaStudioApiOperator)}
    assert len(API_OPERATORS) == 66 == len(all_apis())
    assert used == set(API_OPERATORS.values()), {
        "missing": sorted(c.__name__ for c in set(API_OPERATORS.values()) - used),
        "extra": sorted(c.__name__ for c in used - set(API_OPERATORS.values())),
    }
    for task in dag.tasks:
        if isinstance(task, MetaStudioApiOperator):
            assert task.pool == pool_name(task.api_name, "cn-north-4"), task.task_id


@pytest.fixture(scope="module")
def run(dag, emulator):
    """One run of the DAG; the emulator's request counts before and after."""
    before = counters_per_api(emulator)
    # Cancel2DDigitalHumanVideo needs its job WAITING: the first fifth of job_seconds. The
    # session emulator's 1 s leaves 0.2 s between two tasks; 30 s makes that 6 s.
    with dag_run_env(emulator, job_seconds=30.0, live_start_seconds=0.5):  # wait_live: live after 0.5 s
        dag_run = dag.test()
    return dag_run, before, counters_per_api(emulator)


def test_every_task_instance_succeeded(dag, run) -> None:
    dag_run, _, _ = run
    states = task_states(dag_run)
    assert set(states) == set(dag.task_ids)
    assert {t: s for t, s in states.items() if s != "success"} == {}
    assert str(dag_run.state) in ("success", "DagRunState.SUCCESS")


def test_each_of_the_66_apis_was_served(run) -> None:
    _, before, after = run

    def delta(name: str, counter: str) -> int:
        return after[name][counter] - before[name][counter]

    assert sorted(name for name in all_apis() if delta(name, "requests") < 1) == []
    assert sorted(name for name in all_apis() if delta(name, "admitted") < 1) == []
    # the provider's own rate limiter kept every call under the gateway's limit
    assert {name: delta(name, "throttled") for name in all_apis() if delta(name, "throttled")} == {}


def test_ids_land_in_xcom_and_results_are_json(dag, run) -> None:
    dag_run, _, _ = run
    values = xcoms(dag_run)
    for task in dag.tasks:
        if not isinstance(task, MetaStudioApiOperator):
            continue
        result = values[(task.task_id, "return_value")]
        assert isinstance(result, dict), task.task_id
        json.dumps(result)  # JSON-serializable
        for key in task.api.top_level_xcom_fields:
            if key in result:
                assert values[(task.task_id, key)] == result[key], (task.task_id, key)
    for task_id, key in [("create_asset", "asset_id"), ("create_asset", "produce_id"), ("create_file", "file_id"),
                         ("create_script", "script_id"), ("create_video", "job_id"),
                         ("create_room", "room_id"), ("create_rule_group", "group_id"),
                         ("create_product", "product_id"), ("start_live", "job_id"),
                         ("create_avatar_job", "job_id"), ("create_voice_basic", "job_id"),
                         ("create_voice_middle", "job_id"), ("create_voice_advance", "job_id"),
                         ("create_tts", "job_id"), ("live_command", "command_id")]:
        assert HEX_ID.match(values[(task_id, key)]), (task_id, key, values.get((task_id, key)))
    copied = values[("copy_script", "return_value")]["script_id"]
    assert HEX_ID.match(copied) and copied != values[("create_script", "script_id")]
    assert values[("create_file", "upload_url")].startswith("http")


def test_results_chain_through_the_run(run, emulator) -> None:
    """What the run left in the emulator, and what its calls returned, agree with the chain."""
    dag_run, _, _ = run
    v = xcoms(dag_run)
    asset_id = v[("create_asset", "asset_id")]
    result = lambda task_id: v[(task_id, "return_value")]  # noqa: E731

    assert result("show_asset")["asset_state"] == "ACTIVED"
    assert [f["state"] for f in result("show_asset")["files"]] == ["CREATED"]
    assert [a["asset_id"] for a in result("list_assets")["assets"]] == [asset_id]
    assert result("update_asset")["asset_description"] == "updated by the all-API DAG"
    assert result("asset_summary")["asset_list"][0]["asset_id"] == asset_id
    assert result("list_scripts")["count"] == 1
    voice_id = result("list_system_voices")["assets"][0]["asset_id"]
    assert result("show_script")["voice_config"]["voice_asset_id"] == voice_id
    script = emu_call(emulator, "ShowVideoScript", {"script_id": v[("create_script", "script_id")]})
    assert script["script_description"] == "updated" and script["model_asset_id"] == result("show_script")[
        "model_asset_id"]
    assert {j["job_id"] for j in result("list_videos")["jobs"]} == {
        v[("create_video", "job_id")], v[("create_video_to_cancel", "job_id")]}
    cancelled = emu_call(emulator, "Show2DDigitalHumanVideo", {"job_id": v[("create_video_to_cancel", "job_id")]})
    assert cancelled["state"] == "CANCELED"
    assert result("show_room")["room_id"] == v[("create_room", "room_id")]
    assert result("update_room")["room_description"] == "updated"
    assert result("show_product")["asset_list"][0]["asset_id"] == asset_id
    assert result("wait_live")["state"] == "PROCESSING"
    assert result("live_command")["result"] == "SUCCESS"
    assert result("list_live")["smart_live_jobs"][0]["job_id"] == v[("start_live", "job_id")]
    assert len(result("avatar_command")["multipart_data"]) == 1  # the PUT of the training video arrived
    assert result("show_segments")["confirmed_index"] == [3]
    assert [op["action"] for op in result("op_logs")["operations"]][:2] == ["CREATE_JOB", "COMMIT_JOB"]
    assert result("list_voice_jobs")["count"] == 3
    assert "is_file_complete" in result("show_tts")

    # the end state: room, product, group, copy script and two voice jobs gone; the asset restored
    # by RestoreAsset, then deactivated by the batch action; the live job ended
    assert emu_call(emulator, "ShowAsset", {"asset_id": asset_id})["asset_state"] == "UNACTIVED"
    live_jobs = emu_call(emulator, "ListSmartLiveJobs", query={"limit": 100})["smart_live_jobs"]
    assert [j["state"] for j in live_jobs if j["job_id"] == v[("start_live", "job_id")]] == ["SUCCEED"]
    copies = emu_call(emulator, "ListAssets", query={"name": result("show_asset")["asset_name"],
                                                         "accurate_query_field": "name", "limit": 100})
    assert len({a["asset_id"] for a in copies["assets"]} - {asset_id}) == 1  # CreateAssetByReplicationInfo
    groups = emu_call(emulator, "ListInteractionRuleGroups", query={"limit": 100})["interaction_rule_groups"]
    assert v[("create_rule_group", "group_id")] not in {g["group_id"] for g in groups}
    for api, params in [("ShowSmartLiveRoom", {"room_id": v[("create_room", "room_id")]}),
                        ("ShowProduct", {"product_id": v[("create_product", "product_id")]}),
                        ("ShowVideoScript", {"script_id": result("copy_script")["script_id"]}),
                        ("ShowVoiceTrainingJob", {"job_id": v[("create_voice_middle", "job_id")]}),
                        ("Show2dModelTrainingJob", {"job_id": v[("create_avatar_job", "job_id")]})]:
        spec = get_api(api)
        assert emulator.request("GET", spec.format_path(emulator.project_id, params)).status_code == 404, api
    assert result("batch_action")["results"] == [{"ret_status": "SUCCESS", "asset_ids": [asset_id]}]


def test_copy_script_pushes_the_new_script_id_key(run) -> None:
    dag_run, _, _ = run
    values = xcoms(dag_run)
    assert values.get(("copy_script", "script_id")) == values[("copy_script", "return_value")]["script_id"]
