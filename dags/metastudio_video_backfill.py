"""Video backfill: one manifest of videos per date (<batches folder>/<date>.yaml, .csv or .jsonl), submitted at the
API limit, each video delivered to the delivery folder."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import dag, get_current_context, task

from metastudio_provider.assets.videos import VIDEOS
from metastudio_provider.batches.wiring import submit_and_wait
from metastudio_provider.operators.delivery import DeliverBatchVideosOperator
from metastudio_provider.timetables import local_cron_schedule

log = logging.getLogger(__name__)
INCLUDE = Path(__file__).resolve().parent.parent / "include"
BATCHES = INCLUDE / "batches"  # the default; METASTUDIO_BATCHES_DIR, the Variable metastudio_batches_uri win
DELIVERIES = f"file://{INCLUDE / 'deliveries'}"  # the default; the Variable metastudio_delivery_uri wins
CHUNK_SIZE = int(os.environ.get("METASTUDIO_BATCH_CHUNK_SIZE", "50"))
POLL_SECONDS = float(os.environ.get("METASTUDIO_POLL_SECONDS", "5"))  # how often the render wait looks

DOC = """
### MetaStudio video backfill

One batch per day: `<YYYY-MM-DD>.yaml` (or `.yml`), `.csv` (a header row: `id,title,script,avatar,voice,background`;
an empty cell is an absent value) or `.jsonl` (one JSON object per line) lists rows; each row has an explicit
`id` (unique in its manifest: it names the row's video, so inserting a row never remaps videos), a
`title`, a `script`, and optional `avatar`, `voice`, `background` asset ids. Two manifests for one date
are refused, naming both.

**Where manifests are read**: the checkout's `include/batches/`, or any ObjectStoragePath folder set in
the Airflow Variable `metastudio_batches_uri` (or `[metastudio] batches_uri`), e.g.
`s3://batches/metastudio`, with the store's connection in the Variable `metastudio_batches_conn_id`.

**Delivery**: `deliver_videos` copies every SUCCEED row's video to
`<destination>/metastudio_video_backfill/<date>/<row id>.mp4` (verified size and MD5, exactly once:
a re-run copies nothing again). The destination: the Variable `metastudio_delivery_uri` (or
`[metastudio] delivery_uri`), default `include/deliveries/`; its store's connection: the Variable
`metastudio_delivery_conn_id`. A row whose video could not be delivered is a failed row.

**Catch-up is explicit.** Unpausing the DAG starts no run for a past date, today's midnight included
(`catchup=False` and the project's timetable): the first is the next midnight (UTC). Make past dates
with a backfill, from the DAG page (**Trigger** ▸ *Backfill* ▸ **Run Backfill**) or the CLI:

    airflow backfill create --dag-id metastudio_video_backfill --from-date 2026-11-20 --to-date 2026-11-20

(2026-11-21's manifest holds a deliberately broken row: a backfill of that date fails, and `report`
names the row and why.) The DAG is on from its creation, so a backfill runs at once; each midnight
(UTC) it also makes that day's batch, when `include/batches/<that day>.yaml` exists (skipped otherwise).

Rows are submitted in chunks; each chunk task submits its rows concurrently and the client
limiter keeps the calls at MetaStudio's per-second limits. A bad row fails its chunk with a message
naming it, after the good rows were submitted; retrying only re-does what is missing (videos are
named `<dag>-<date>-<row id>` and what exists is reused, so a re-run never makes a video twice).
The render wait is one deferred sensor listing all jobs per call.

**Run states.** `report` always summarises the date, counting the manifest's rows (rows, videos
made and delivered, and the rows that made none grouped by cause, with error codes and messages). The
run then ends **failed** if any row did not produce a SUCCEED, delivered video (bad manifest, a row
refused by MetaStudio, a video that ended FAILED, a video that could not be delivered, or a chunk that
failed as a whole: a wrong AK/SK, a missing connection, a lost worker; each of its rows counts as
failed), and the last task,
`all_videos_made`, says which. A date without a manifest is **skipped** (every task shows skipped
and `load_manifest` says why).
"""


@dag(
    dag_id="metastudio_video_backfill",
    description="One batch of avatar videos per date from include/batches/<date>.yaml|.csv|.jsonl (or a store), "
    "delivered to include/deliveries (or a store); past dates only via airflow backfill create",
    schedule=local_cron_schedule("0 0 * * *", "UTC"),  # daily; unpausing never makes a run for a past date
    start_date=pendulum.datetime(2026, 11, 20, tz="UTC"),
    catchup=False,
    # on from the start, so that `airflow backfill create` runs at once (a paused DAG's backfill runs wait,
    # queued, with no word of why); unpausing or starting never makes a run for a past date (the timetable)
    is_paused_upon_creation=False,
    max_active_runs=2,
    tags=["metastudio", "video", "backfill"],
    doc_md=DOC,
    default_args={"retries": 1, "retry_delay": timedelta(seconds=15)},
)
def metastudio_video_backfill():
    @task
    def load_manifest(ds: str | None = None, ti=None) -> list[list[dict]]:
        """Read and check the date's manifest and cut it into chunks; skip the run when there is none.
        Any failure is kept in XCom ``error``, so the report fails the run with it."""
        from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

        from metastudio_provider.batches.manifest import EXTENSIONS, batches_folder, find_manifest, read_manifest
        from metastudio_provider.batches.submission import chunk_error_text, chunked
        from metastudio_provider.checks.manifests import ManifestError
        from metastudio_provider.checks.run_conf import check_run_conf
        from metastudio_provider.listeners.run_notes import note_for_run

        try:
            check_run_conf(get_current_context())
            if not ds:
                raise AirflowFailException("this run has no logical date: run dates with "
                                           "`airflow backfill create` or trigger with a logical date")
            try:
                folder = batches_folder(BATCHES)
                path = find_manifest(folder, ds)
                if path is None:
                    raise AirflowSkipException(f"no batch manifest for {ds} ({folder}/{ds}"
                                               f"{{{','.join(EXTENSIONS)}}}): nothing to make, the run is skipped")
                rows = read_manifest(path)
            except ManifestError as exc:
                raise AirflowFailException(str(exc)) from None
            if not rows:
                raise AirflowSkipException(f"{path.name} has no rows: nothing to make, the run is skipped")
        except AirflowSkipException as skip:
            log.warning("%s", note_for_run(ti, str(skip)))  # in the log's main lines and the run's note
            raise
        except Exception as exc:
            ti.xcom_push(key="error", value=str(exc) if isinstance(exc, AirflowFailException)
                         else chunk_error_text(exc))  # for the report
            raise
        log.info("%s: %d row(s): %s", path.name, len(rows), ", ".join(r["id"] for r in rows))
        return chunked(rows, CHUNK_SIZE)

    @task(trigger_rule="none_skipped", outlets=[VIDEOS])
    def report(jobs: dict | None, ds: str | None = None, ti=None) -> dict:
        """Every row of the manifest and its outcome (a row of a chunk that failed is a failed row, so is a
        video that was not delivered); which rows made no video, grouped by cause. Each SUCCEED, delivered
        video is announced as an asset event through the alias metastudio-videos (assets/videos.py), its
        extra naming the delivered copy (delivered_uri), with no call per video. Returns counts, causes
        and at most 100 failed rows (batches.report.report_xcom); each row's result stays in the chunks' XComs."""
        from metastudio_provider.assets.videos import announce_batch
        from metastudio_provider.batches.report import (
            delivery_results,
            report_lines,
            report_xcom,
            row_results,
            summarize,
        )

        deliveries = delivery_results(ti)
        summary = summarize(row_results(ti), jobs, deliveries)
        if manifest_error := ti.xcom_pull(task_ids="load_manifest", key="error"):
            summary["manifest_error"] = manifest_error
            log.error("Batch: the manifest was refused: %s", manifest_error)
        for line in report_lines(summary):
            log.info("%s", line)
        summary["announced"] = len(announce_batch(get_current_context(), summary, batch_date=ds,
                                                  deliveries=deliveries))
        log.info("Batch: %d video(s) announced as new asset events (metastudio-videos)", summary["announced"])
        if summary["succeeded"]:
            from metastudio_provider.batches.report import report_lineage
            from metastudio_provider.hooks.metastudio import MetaStudioHook

            report_lineage(MetaStudioHook(), summary)  # inputs → video, for OpenLineage
        return report_xcom(summary)

    @task(trigger_rule="none_skipped")
    def all_videos_made(ti=None) -> None:
        """The run's verdict, after the report: fail the run unless every row of the manifest made its video."""
        from airflow.sdk.exceptions import AirflowFailException

        from metastudio_provider.batches.report import verdict
        from metastudio_provider.listeners.run_notes import note_for_run

        summary = ti.xcom_pull(task_ids="report")
        if reason := verdict(summary):
            raise AirflowFailException(note_for_run(ti, reason))
        note_for_run(ti, f"All {summary['rows']} row(s) made their video")
        log.info("All %d row(s) made their video", summary["rows"])

    jobs = submit_and_wait(load_manifest(), prefix="{{ dag.dag_id }}-{{ ds }}", poll_interval=POLL_SECONDS)
    # every SUCCEED row's video to <destination>/<dag_id>/<ds>/<row id>.mp4; runs whatever the chunks did
    deliver = DeliverBatchVideosOperator(task_id="deliver_videos", trigger_rule="none_skipped",
                                         fallback_destination=DELIVERIES,
                                         subfolder="{{ dag.dag_id }}/{{ ds }}")
    jobs >> deliver
    deliver >> report(jobs) >> all_videos_made()


metastudio_video_backfill()
