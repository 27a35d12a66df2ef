"""Permanent errors fail at once, naming what to fix; secrets never show; a FAILED job says why.

One real run of ``metastudio_permanent_errors`` (``tests/dags/run_identity.py``) with retries=2
on every task: the permanent failures must end at try 1, the transient fault must be ridden out.
"""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

from tests.conftest import connection_json

from .helpers import dag_run_env, get_dag, task_states, try_numbers, xcoms

pytestmark = pytest.mark.airflow  # dag.test() runs (tier: tests/tiers.py)

STORAGE_PASSWORD = "st0rage-pw-" + uuid.uuid4().hex[:12]
PERMANENT = ("not_found", "bad_request", "forbidden", "bad_scheme", "bad_extra", "missing_sk", "bad_storage",
             "nowhere", "no_suffix")


def _post(emu, path: str, body: dict) -> None:
    httpx.post(f"{emu.base_url}/_emulator/{path}", json=body).raise_for_status()


def _run(dagbag, emu, folder):
    no_suffix = folder / "background"
    no_suffix.write_bytes(b"\x89PNG\r\n\x1a\n a png without a suffix")
    good = json.loads(connection_json(emu))
    conns = {
        "BAD_SCHEME": connection_json(emu, endpoint=emu.base_url.replace("http://", "htps://")),
        "BAD_EXTRA": json.dumps({**good, "extra": '{"project_id": "' + emu.project_id + '", region'}),
        "MISSING_SK": json.dumps({k: v for k, v in good.items() if k != "password"}),
        "BAD_STORAGE": connection_json(emu, rate_limit_storage=f"mongodb://user:{STORAGE_PASSWORD}@db:27017/x"),
    }
    dag = get_dag(dagbag, "metastudio_permanent_errors", "run_identity.py")
    httpx.delete(f"{emu.base_url}/_emulator/faults").raise_for_status()
    for api, status, count in (("ListVideoScripts", 400, 3), ("ListProducts", 403, 3), ("ListSmartLiveRooms", 503, 2)):
        _post(emu, "faults", {"api": api, "mode": "error_before_commit", "status": status, "count": count})
    _post(emu, "video-jobs/end-next", {"count": 1, "error_code": "MSS.TEST.4242", "error_msg": "the avatar melted",
                                       "after_seconds": 4.0})  # still running when the task defers
    try:
        with pytest.MonkeyPatch.context() as mp, dag_run_env(emu, job_seconds=1.0) as deferrals:
            for name, value in conns.items():
                mp.setenv(f"AIRFLOW_CONN_METASTUDIO_{name}", value)
            dag_run = dag.test(run_conf={"no_suffix_path": str(no_suffix)})
        return dag_run, httpx.get(f"{emu.base_url}/_emulator/faults").json()["pending"], deferrals
    finally:
        httpx.delete(f"{emu.base_url}/_emulator/faults").raise_for_status()


def test_one_run_fails_fast_says_why_and_never_shows_secrets(dagbag, emulator, tmp_path, capfd, caplog) -> None:
    dag_run, pending, deferrals = _run(dagbag, emulator, tmp_path)
    out = capfd.readouterr()
    logs = out.out + out.err + caplog.text
    states, tries = task_states(dag_run), try_numbers(dag_run)

    # -- permanent errors: failed at try 1 though retries=2; the transient one was ridden out -------------
    assert {t: (states[t], tries[t]) for t in PERMANENT} == dict.fromkeys(PERMANENT, ("failed", 1))
    assert (states["transient"], tries["transient"]) == ("success", 1)  # two 503s, retried by the client
    # the 400 and the 403 were each sent once: no client retry loop, no Airflow retry
    assert sorted((f["api"], f["count"]) for f in pending) == [("ListProducts", 2), ("ListVideoScripts", 2)]
    # the bad scheme failed at once, not after 36 network retries over 50 s (a loaded machine took 7.9 s
    # from the task's start to its end, most of it Airflow's own work)
    ti = next(ti for ti in dag_run.get_task_instances() if ti.task_id == "bad_scheme")
    assert (ti.end_date - ti.start_date).total_seconds() < 25

    # -- ... each naming what to fix: the connection field, the API, MetaStudio's code and message --------
    assert re.search(r"ShowAsset failed: HTTP 404 \S+: .*not found.*Not retried: something the request names", logs)
    assert re.search(r"ListVideoScripts failed: HTTP 400 \S+: .*Not retried", logs)
    assert re.search(r"ListProducts failed: HTTP 403 \S+: .*Not retried: check the connection's login/password", logs)
    assert re.search(r"extra endpoint \(or host\): 'htps://127\.0\.0\.1:\d+' has scheme htps://: use https://", logs)
    assert "MetaStudio connection: extra: is not valid JSON" in logs
    assert "MetaStudio connection: login/password: password (SK) not set" in logs
    assert "MetaStudio connection: metastudio_conn_id: no connection 'metastudio_nowhere'" in logs
    assert re.search(r"file name 'background' has no suffix", logs)
    assert "ListAssets" not in " ".join(line for line in logs.splitlines() if "htps://" in line)

    # -- nothing half-made: the file without a suffix created no asset ----------------------------------
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emulator))
        named = MetaStudioHook().list_assets(name=f"no-suffix-{dag_run.run_id}", accurate_query_field="name")
    assert named["count"] == 0

    # -- the storage URI's password: not in the exception text, the task logs or XCom -------------------
    values = xcoms(dag_run)
    error = values[("storage_error_as_xcom", "return_value")]["error"]
    assert "rate_limit_storage" in error and "'mongodb://user:***@db:27017/x'" in error
    assert STORAGE_PASSWORD not in logs
    assert STORAGE_PASSWORD not in json.dumps({f"{t}/{k}": v for (t, k), v in values.items()}, default=str)

    # -- a video job that ends FAILED says what MetaStudio said -----------------------------------------
    job_id = values[("failing_video", "job_id")]
    assert states["failing_video"] == "failed"
    logged_job = logs.index(f"Video job {job_id}")
    assert logged_job < logs.index("deferring to the triggerer", logged_job)  # the id is logged before deferring
    assert re.search(rf"video_job \{{'job_id': '{job_id}'\}} is (WAITING|PROCESSING)", logs)  # state changes
    assert re.search(rf"video_job \{{'job_id': '{job_id}'\}} ended FAILED: MSS\.TEST\.4242: the avatar melted", logs)
    [event] = [d["event"] for d in deferrals if d["task_id"] == "failing_video"]
    assert event["status"] == "failure" and event["response"]["error_info"]["error_code"] == "MSS.TEST.4242"
    assert set(event["response"]) <= {"job_id", "state", "error_info", "output_asset_config", "script_id", "duration"}
    assert len(json.dumps(event)) < 600  # a summary, not the whole job
