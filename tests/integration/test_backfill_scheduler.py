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
    done = airflow_cluster.airflow("backfill", "create", "--dag-id", DAG_ID,  # run again if SQLite was locked
                                   "--from-date", "2026-11-20", "--to-date", "2026-11-21")
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


LOST_DATE = "2026-11-23"  # after the DAG's start_date (a run before it has no tasks), no manifest in include/batches


def test_a_chunk_lost_for_good_fails_its_rows_and_the_run(airflow_cluster, cluster_emulator, monkeypatch):
    """The chunk's process is SIGKILLed inside its first create, on each of its two tries (a worker lost
    after its last retry): it records nothing, yet the run's report counts the manifest's rows, fails
    each of them naming the lost chunk, and the run ends failed with that in its note."""
    import os
    import signal
    from pathlib import Path

    import metastudio_emulator.runtime as emulator_runtime
    from tests.conftest import connection_json
    from tests.integration.airflow_cluster import AirflowClient

    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(cluster_emulator))
    manifest = Path(__file__).resolve().parents[2] / "include" / "batches" / f"{LOST_DATE}.yaml"
    manifest.write_text("- {id: one, title: One, script: First video.}\n- {id: two, title: Two, script: Second.}\n")
    client = airflow_cluster.client
    killer = AirflowClient(airflow_cluster.url, airflow_cluster.username, airflow_cluster.password)
    original = emulator_runtime.HANDLERS
    killed: list[int] = []
    run: dict[str, str] = {}

    seen: list[str] = []

    def create_script(ctx):
        name = (ctx.body or {}).get("script_name") or ""
        seen.append(name)
        if run and name.startswith(f"{DAG_ID}-{LOST_DATE}-"):
            ti = killer.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run['run_id']}/taskInstances/submit_chunk/0")
            if ti.get("pid") and ti["pid"] not in killed:
                killed.append(ti["pid"])
                os.kill(ti["pid"], signal.SIGKILL)
        return original["CreateVideoScripts"](ctx)

    monkeypatch.setattr(emulator_runtime, "HANDLERS", {**original, "CreateVideoScripts": create_script})
    try:
        client.wait_for_dag(DAG_ID, timeout=120)
        client.unpause(DAG_ID)
        run["run_id"] = client.request("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={
            "logical_date": f"{LOST_DATE}T00:00:00+00:00", "dag_run_id": f"lost-chunk-{time.time_ns()}"}
        ).json()["dag_run_id"]
        state = client.wait_for_run(DAG_ID, run["run_id"], timeout=180)
        tis = {t["task_id"]: (t["state"], t["try_number"]) for t in client.task_instances(DAG_ID, run["run_id"])}
        assert state == "failed", (tis, killed, seen)
        assert tis["submit_chunk"] == ("failed", 2) and len(killed) == 2, (tis, killed)  # both tries lost
        report = client.xcom(DAG_ID, run["run_id"], "report")
        assert report["rows"] == 2 and report["succeeded"] == 0 and sorted(report["failed_rows"]) == ["one", "two"]
        (group,) = report["failure_groups"]
        assert "submit_chunk[0]" in group["error"] and "lost" in group["error"], group
        note = client.get(f"/api/v2/dags/{DAG_ID}/dagRuns/{run['run_id']}")["note"]
        assert note.startswith("Failed: 2 of 2 row(s) made no video") and "submit_chunk[0]" in note, note
    finally:
        manifest.unlink(missing_ok=True)
        killer.close()
