"""Benchmark twin of dags/metastudio_video_backfill.py: the batched design, same tasks, same provider code.

Differences from the production DAG, all about how the benchmark drives it: no schedule (bench/run.py
triggers it over REST), the manifest path and the name prefix come from the run's conf instead of
``include/batches/<ds>.yaml``, and the chunk size and poll interval from the environment
(BENCH_CHUNK_SIZE, BENCH_POLL_INTERVAL). Task ids, the chunked ``submit_rows`` on a thread pool through the
shared (Redis) limiter, and the ONE deferred ``VideoJobsSensor`` are the production design's.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowException

from metastudio_provider.sensors.metastudio import VideoJobsSensor

CHUNK_SIZE = int(os.environ.get("BENCH_CHUNK_SIZE", os.environ.get("METASTUDIO_BATCH_CHUNK_SIZE", "50")))
POLL_INTERVAL = float(os.environ.get("BENCH_POLL_INTERVAL", "5"))


def _row_results(ti) -> list[dict]:
    chunks = ti.xcom_pull(task_ids="load_manifest") or []
    per_chunk = ti.xcom_pull(task_ids="submit_chunk", key="rows", map_indexes=list(range(len(chunks)))) or []
    return [row for rows in per_chunk if rows for row in rows]


@dag(
    dag_id="bench_batched",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["metastudio", "bench"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=15)},
)
def bench_batched():
    @task
    def load_manifest(dag_run=None) -> list[list[dict]]:
        from pathlib import Path

        import yaml

        from metastudio_provider.batches import validate_rows

        path = Path(dag_run.conf["manifest"])
        rows = validate_rows(yaml.safe_load(path.read_text()) or [], path.name)
        size = int(dag_run.conf.get("chunk_size") or CHUNK_SIZE)
        return [rows[i : i + size] for i in range(0, len(rows), size)]

    @task(map_index_template="{{ task.op_kwargs['chunk'][0]['id'] if task.op_kwargs['chunk'] else 'empty' }}")
    def submit_chunk(chunk: list[dict], dag_run=None, ti=None) -> list[dict]:
        from metastudio_provider.batches import submit_rows
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        hook = MetaStudioHook()
        models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
                  "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
        results = submit_rows(hook, chunk, prefix=dag_run.conf["prefix"], models=models)
        ti.xcom_push(key="rows", value=results)
        failed = [r for r in results if r["status"] == "failed"]
        if failed:
            raise AirflowException(f"{len(failed)} of {len(results)} row(s) failed: "
                                   + "; ".join(r["error"] for r in failed))
        return results

    @task(trigger_rule="all_done")
    def collect_jobs(ti=None) -> list[str]:
        return [r["job_id"] for r in _row_results(ti) if r.get("job_id")]

    @task(trigger_rule="all_done")
    def report(jobs: dict | None, ti=None) -> dict:
        rows = _row_results(ti)
        jobs = jobs or {}
        ok = sum((jobs.get(r.get("job_id")) or {}).get("state") == "SUCCEED" for r in rows)
        print(f"Batch: {ok} of {len(rows)} videos made")
        return {"rows": len(rows), "succeeded": ok}

    submitted = submit_chunk.expand(chunk=load_manifest())
    job_ids = collect_jobs()
    submitted >> job_ids
    wait = VideoJobsSensor(task_id="wait_for_videos", job_ids=job_ids, poll_interval=POLL_INTERVAL,
                           trigger_rule="all_done")
    report(wait.output)


bench_batched()
