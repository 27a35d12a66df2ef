"""Benchmark twin of dags/metastudio_video_backfill.py: the batched design, the same wiring and provider code.

The tasks after the manifest (mapped ``submit_chunk`` on a thread pool through the shared (Redis) limiter,
``collect_jobs``, the ONE deferred ``VideoJobsSensor``) come from ``batches.wiring.submit_and_wait``, as in the
production DAG. What differs is how the benchmark drives it: no schedule (bench/run.py triggers it over
REST), the manifest path, the name prefix and the chunking come from the run's conf instead of
``include/batches/<ds>.yaml``, the poll interval from the environment (BENCH_POLL_INTERVAL), and the
report only counts (no asset events, no verdict task).

Two DAGs: ``bench_batched`` (the connection ``metastudio_default``) and ``bench_batched_tenant2`` (the
connection ``metastudio_tenant2``, another tenant in ``BENCH_TENANT2_REGION``, cn-east-3 by default: its
sensor in that region's pool), for the two-tenant scenario (``make bench SCENARIO=tenants``).
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import dag, task

from metastudio_provider.batches.submission import MAX_CHUNKS
from metastudio_provider.batches.wiring import submit_and_wait

CHUNK_SIZE = int(os.environ.get("BENCH_CHUNK_SIZE", os.environ.get("METASTUDIO_BATCH_CHUNK_SIZE", "50")))
POLL_INTERVAL = float(os.environ.get("BENCH_POLL_INTERVAL", "5"))


TENANT2_REGION = os.environ.get("BENCH_TENANT2_REGION", "cn-east-3")


def bench_batched(dag_id: str, conn_id: str, region: str | None):  # noqa: ANN201 - a DAG
    @dag(
        dag_id=dag_id,
        schedule=None,
        start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
        catchup=False,
        max_active_runs=1,
        tags=["metastudio", "bench"],
        default_args={"retries": 1, "retry_delay": timedelta(seconds=15)},
    )
    def batched():
        @task
        def load_manifest(dag_run=None) -> list[list[dict]]:
            from pathlib import Path

            import yaml

            from metastudio_provider.batches.submission import chunked
            from metastudio_provider.checks.manifests import validate_rows

            path = Path(dag_run.conf["manifest"])
            rows = validate_rows(yaml.safe_load(path.read_text()) or [], path.name)
            conf = dag_run.conf
            return chunked(rows, int(conf.get("chunk_size") or CHUNK_SIZE), conf.get("max_chunks", MAX_CHUNKS) or None)

        @task(trigger_rule="none_skipped")
        def report(jobs: dict | None, ti=None) -> dict:
            from metastudio_provider.batches.report import report_xcom, row_results, summarize

            summary = summarize(row_results(ti), jobs)
            print(f"Batch: {summary['succeeded']} of {summary['rows']} videos made")
            return report_xcom(summary)

        jobs = submit_and_wait(load_manifest(), prefix="{{ dag_run.conf['prefix'] }}", poll_interval=POLL_INTERVAL,
                               conn_id=conn_id, region=region)
        report(jobs)

    return batched()


bench_batched("bench_batched", "metastudio_default", None)
bench_batched("bench_batched_tenant2", "metastudio_tenant2", TENANT2_REGION)
