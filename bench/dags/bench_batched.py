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

from metastudio_provider.sensors.metastudio import VideoJobsSensor

CHUNK_SIZE = int(os.environ.get("BENCH_CHUNK_SIZE", os.environ.get("METASTUDIO_BATCH_CHUNK_SIZE", "50")))
POLL_INTERVAL = float(os.environ.get("BENCH_POLL_INTERVAL", "5"))


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

        from metastudio_provider.batches import chunked, validate_rows

        path = Path(dag_run.conf["manifest"])
        rows = validate_rows(yaml.safe_load(path.read_text()) or [], path.name)
        return chunked(rows, int(dag_run.conf.get("chunk_size") or CHUNK_SIZE))

    @task(map_index_template="{{ task.op_kwargs['chunk'][0]['id'] if task.op_kwargs['chunk'] else 'empty' }}")
    def submit_chunk(chunk: list[dict], dag_run=None, ti=None) -> list[dict]:
        from metastudio_provider import batches

        return batches.submit_chunk(chunk, prefix=dag_run.conf["prefix"], ti=ti)

    @task(trigger_rule="all_done")
    def collect_jobs(ti=None) -> list[str]:
        from metastudio_provider.batches import row_results

        return [r["job_id"] for r in row_results(ti) if r.get("job_id")]

    @task(trigger_rule="all_done")
    def report(jobs: dict | None, ti=None) -> dict:
        from metastudio_provider.batches import row_results, summarize

        summary = summarize(row_results(ti), jobs)
        print(f"Batch: {summary['succeeded']} of {summary['rows']} videos made")
        return summary

    submitted = submit_chunk.expand(chunk=load_manifest())
    job_ids = collect_jobs()
    submitted >> job_ids
    wait = VideoJobsSensor(task_id="wait_for_videos", job_ids=job_ids, poll_interval=POLL_INTERVAL,
                           trigger_rule="all_done")
    report(wait.output)


bench_batched()
