"""Trigger the video pipeline through Airflow's REST API, wait for it, and print a summary."""

from __future__ import annotations

import argparse
import time

import httpx

DAG_ID = "metastudio_video_pipeline"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--airflow", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--started", type=float, default=time.time(), help="when `make demo` started (epoch s)")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()

    token = httpx.post(f"{args.airflow}/auth/token", json={"username": args.user, "password": args.password})
    token.raise_for_status()
    api = httpx.Client(base_url=f"{args.airflow}/api/v2", timeout=30,
                       headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    httpx.post(f"{args.emulator}/_emulator/reset-stats").raise_for_status()

    deadline = time.monotonic() + 120
    while api.get(f"/dags/{DAG_ID}").status_code != 200:  # the dag-processor has not parsed it yet
        if time.monotonic() > deadline:
            raise SystemExit(f"{DAG_ID} did not appear in Airflow within 120 s")
        time.sleep(1)
    api.patch(f"/dags/{DAG_ID}", json={"is_paused": False}).raise_for_status()
    run = api.post(f"/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": {}})
    run.raise_for_status()
    run_id = run.json()["dag_run_id"]
    triggered = time.monotonic()
    print(f"Triggered {DAG_ID} run {run_id}; waiting...")
    state = "queued"
    while state not in ("success", "failed"):
        if time.monotonic() - triggered > args.timeout:
            raise SystemExit(f"run {run_id} still {state} after {args.timeout:.0f} s")
        time.sleep(2)
        state = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
    run_seconds = time.monotonic() - triggered

    tis = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
    report = api.get(f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/report/xcomEntries/return_value")
    summary = report.json().get("value") if report.status_code == 200 else {}
    stats = httpx.get(f"{args.emulator}/_emulator/stats").json()["apis"]
    calls = {name: s["requests"] for name, s in stats.items() if s["requests"]}

    print(f"\n=== {DAG_ID} run {run_id}: {state.upper()} ===")
    print("tasks:", ", ".join(f"{t['task_id']}={t['state']}" for t in tis))
    if isinstance(summary, dict):
        print(f"output video asset: {summary.get('output_asset_id')}")
        print(f"download URL:       {summary.get('download_url')}")
        print(f"delivered to:       {summary.get('delivered_uri')}")
    print(f"pipeline run took {run_seconds:.1f} s; `make demo` took {time.time() - args.started:.1f} s so far")
    print(f"MetaStudio calls per API ({sum(calls.values())} in all, throttled "
          f"{sum(s['throttled'] for s in stats.values())}): {calls}")
    print(f"connection metastudio_default, tested as the UI's Test button does: {test_connection(api)}")
    if state != "success":
        raise SystemExit(f"the pipeline run ended {state}")


def test_connection(api: httpx.Client) -> str:
    """What Admin ▸ Connections ▸ Test shows: the UI posts the stored connection, secrets masked, port 0."""
    conn = api.get("/connections/metastudio_default").json()
    body = {**{k: conn.get(k) or "" for k in ("conn_type", "connection_id", "description", "extra", "host",
                                               "login", "password", "schema")}, "port": conn.get("port") or 0}
    resp = api.post("/connections/test", json=body)
    if resp.status_code != 200:
        return f"refused ({resp.status_code}: {resp.json().get('detail')})"
    result = resp.json()
    return f"{'OK' if result['status'] else 'FAILED'}: {result['message']}"


if __name__ == "__main__":
    main()
