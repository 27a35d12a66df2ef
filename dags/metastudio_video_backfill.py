"""Video backfill: one manifest of videos per date (include/batches/<date>.yaml), submitted at the API limit."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import dag, task
from airflow.sdk.exceptions import AirflowSkipException

from metastudio_provider.sensors.metastudio import VideoJobsSensor

BATCHES = Path(os.environ.get("METASTUDIO_BATCHES_DIR", Path(__file__).resolve().parent.parent / "include" / "batches"))
CHUNK_SIZE = int(os.environ.get("METASTUDIO_BATCH_CHUNK_SIZE", "50"))

DOC = """
### MetaStudio video backfill

One batch per day: `include/batches/<YYYY-MM-DD>.yaml` lists rows (`id`, `title`, `script`, optional
`avatar`, `voice`, `background`). Backfill a range with
`airflow backfill create --dag-id metastudio_video_backfill --from-date 2026-11-20 --to-date 2026-11-21`.

Rows are submitted in chunks; each chunk task submits its rows concurrently and the client
limiter keeps the calls at MetaStudio's per-second limits. Every row's outcome is in the
`submit_chunk` XCom (`rows`). A bad row fails its chunk with a message naming it, after the good
rows were submitted; retrying the chunk only re-does what is missing (videos are named
`<dag>-<date>-<row id>`, and what exists is reused, so a re-run never makes a video twice).
The render wait is one deferred sensor listing all jobs per call.
"""


@dag(
    dag_id="metastudio_video_backfill",
    schedule="@daily",
    start_date=pendulum.datetime(2026, 11, 20, tz="UTC"),
    catchup=True,
    max_active_runs=2,
    tags=["metastudio", "video", "backfill"],
    doc_md=DOC,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=15)},
)
def metastudio_video_backfill():
    @task
    def load_manifest(ds: str | None = None) -> list[list[dict]]:
        """Read the date's manifest and cut it into chunks; skip the run when there is none."""
        import yaml

        from metastudio_provider.batches import chunked, validate_rows

        path = BATCHES / f"{ds}.yaml"
        if not path.is_file():
            raise AirflowSkipException(f"no batch manifest for {ds} ({path})")
        return chunked(validate_rows(yaml.safe_load(path.read_text()) or [], path.name), CHUNK_SIZE)

    @task(map_index_template="{{ task.op_kwargs['chunk'][0]['id'] if task.op_kwargs['chunk'] else 'empty' }}")
    def submit_chunk(chunk: list[dict], ds: str | None = None, dag=None, ti=None) -> list[dict]:
        """Submit a chunk of rows; fail (after the good rows went in) naming each bad row."""
        from metastudio_provider import batches

        return batches.submit_chunk(chunk, prefix=f"{dag.dag_id}-{ds}", ti=ti)

    @task(trigger_rule="all_done")
    def collect_jobs(ti=None) -> list[str]:
        """The jobs every chunk made, failed chunks included."""
        from metastudio_provider.batches import row_results

        return [r["job_id"] for r in row_results(ti) if r.get("job_id")]

    @task(trigger_rule="all_done")
    def report(jobs: dict | None, ti=None) -> dict:
        from metastudio_provider.batches import row_results, summarize

        summary = summarize(row_results(ti), jobs)
        print(f"Batch: {summary['succeeded']} of {summary['rows']} videos made; failed: {summary['failed_rows']}")
        return summary

    submitted = submit_chunk.expand(chunk=load_manifest())
    job_ids = collect_jobs()
    submitted >> job_ids
    wait = VideoJobsSensor(task_id="wait_for_videos", job_ids=job_ids, poll_interval=5.0, trigger_rule="all_done")
    report(wait.output)


metastudio_video_backfill()
