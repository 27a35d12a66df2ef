"""The project's video backfill DAG, backfilled over two dates by the real scheduler."""

from __future__ import annotations

import time

from metastudio_provider.hooks.metastudio import MetaStudioHook

DAG_ID = "metastudio_video_backfill"


def _videos(prefix: str) -> list[dict]:
    jobs = MetaStudioHook().call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]
    return [j for j in jobs if (j.get("output_asset_config") or {}).get("asset_name", "").startswith(prefix)]


def test_backfill_two_dates_through_the_scheduler(airflow_cluster, cluster_emulator, monkeypatch):
    from tests.conftest import connection_json

    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(cluster_emulator))
    client = airflow_cluster.client
    client.wait_for_dag(DAG_ID, timeout=120)
    for _ in range(5):  # the CLI writes to SQLite beside the running components: "database is locked" can happen
        done = airflow_cluster.airflow("backfill", "create", "--dag-id", DAG_ID,
                                       "--from-date", "2026-11-20", "--to-date", "2026-11-21")
        if done.returncode == 0 or "database is locked" not in done.stdout + done.stderr:
            break
        time.sleep(2)
    assert done.returncode == 0, done.stdout + done.stderr
    client.unpause(DAG_ID)  # paused DAGs' runs are not scheduled; catch-up dates without a manifest just skip
    deadline = time.monotonic() + 240
    while True:
        runs = [r for r in client.get(f"/api/v2/dags/{DAG_ID}/dagRuns")["dag_runs"] if r["run_type"] == "backfill"]
        if len(runs) == 2 and all(r["state"] in ("success", "failed") for r in runs):
            break
        assert time.monotonic() < deadline, [(r["dag_run_id"], r["state"]) for r in runs]
        time.sleep(2)
    by_date = {r["logical_date"][:10]: r for r in runs}
    assert set(by_date) == {"2026-11-20", "2026-11-21"}
    assert by_date["2026-11-20"]["state"] == "success"
    # 2026-11-21 holds a bad row: its chunk fails naming it, the run fails, the good rows' videos are made
    tis = {t["task_id"]: t["state"] for t in client.task_instances(DAG_ID, by_date["2026-11-21"]["dag_run_id"])}
    assert tis["submit_chunk"] == "failed" and tis["wait_for_videos"] == "success" and tis["report"] == "success"
    report = client.xcom(DAG_ID, by_date["2026-11-21"]["dag_run_id"], "report")
    assert report["failed_rows"] == ["broken-row"] and report["succeeded"] == 2
    assert len(_videos(f"{DAG_ID}-2026-11-20-")) == 3
    assert len(_videos(f"{DAG_ID}-2026-11-21-")) == 2
