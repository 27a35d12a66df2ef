"""The batch's tasks after the manifest, shared by every DAG that makes a batch (dags/ and bench/dags)."""

from __future__ import annotations

from typing import Any

from metastudio_provider.batches.report import row_results
from metastudio_provider.batches.submission import CHUNK_TASK, submit_chunk
from metastudio_provider.hooks.metastudio import MetaStudioHook


def submit_and_wait(chunks: Any, *, prefix: str, poll_interval: float, trigger_rule: str = "none_skipped",
                    conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None) -> Any:
    """The batch's tasks after the manifest, for every DAG that makes a batch (the backfill, the benchmark):
    ``submit_chunk`` mapped over ``chunks`` → ``collect_jobs`` (the jobs of every chunk, failed ones
    included) → ``wait_for_videos``, ONE deferred sensor listing all jobs per call. Returns the wait's
    output (the final jobs by id) for the DAG's report. ``prefix`` (templated, e.g. ``{{ dag.dag_id }}-{{ ds }}``)
    names the videos and keys the rows' identities. ``conn_id`` and ``region``: the tenant's connection and
    region (the sensor's pool is that region's)."""
    from airflow.sdk import task

    from metastudio_provider.sensors.metastudio import VideoJobsSensor

    @task(task_id=CHUNK_TASK,
          map_index_template="{{ task.op_kwargs['chunk'][0]['id'] if task.op_kwargs['chunk'] else 'empty' }}")
    def submit(chunk: list[dict], prefix: str, ti: Any = None) -> dict[str, int]:
        """Submit a chunk of rows; fail (after the good rows went in) naming each bad row. Returns the rows
        per status: each row's result is in XCom ``rows`` (returning it too would store it twice)."""
        results = submit_chunk(chunk, prefix=prefix, ti=ti, conn_id=conn_id, region=region)
        return {status: sum(r["status"] == status for r in results) for status in ("submitted", "reused")}

    @task(task_id="collect_jobs", trigger_rule=trigger_rule)
    def collect_jobs(ti: Any = None) -> list[str]:
        """The jobs every chunk made, failed chunks included."""
        return [r["job_id"] for r in row_results(ti) if r.get("job_id")]

    submitted = submit.partial(prefix=prefix).expand(chunk=chunks)
    job_ids = collect_jobs()
    submitted >> job_ids
    wait = VideoJobsSensor(task_id="wait_for_videos", job_ids=job_ids, poll_interval=poll_interval,
                           fail_on_failed_jobs=False, trigger_rule=trigger_rule, metastudio_conn_id=conn_id,
                           region=region)
    return wait.output
