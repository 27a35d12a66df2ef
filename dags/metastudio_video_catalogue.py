"""Video catalogue: runs on every video the pipeline or the backfill announces, and appends it to a JSONL file."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.sdk import Variable, dag, task

from metastudio_provider.assets.videos import VIDEOS

log = logging.getLogger(__name__)
DEFAULT_DIR = Path(__file__).resolve().parent.parent / "include" / "catalogue"
DIR_VARIABLE = "metastudio_catalogue_dir"
FIELDS = ("delivered_uri", "title", "duration", "download_url", "asset_id", "row_id", "batch_date", "job_id",
          "asset_name")

DOC = f"""
### MetaStudio video catalogue

Scheduled on the asset alias **`metastudio-videos`**: every video that `metastudio_video_pipeline`
or `metastudio_video_backfill` makes (state SUCCEED) is announced there as an asset event
`metastudio://<region>/<project_id>/assets/<asset_id>`, and the scheduler starts a run of this DAG
with the new events. Unpause it to start cataloguing.

`add_to_catalogue` appends one JSON line per new video to `include/catalogue/<YYYY-MM-DD>.jsonl`
(the day the video was announced, UTC): {", ".join(FIELDS)}, the asset URI, and the run that made
it. A video already in the catalogue is not added again, so a retried or repeated run adds nothing
twice. The folder can be changed with the Airflow Variable `{DIR_VARIABLE}`.

Triggered by hand, it adds every video ever announced that the catalogue lacks. `delivered_uri` is
the video's delivered copy (where the pipeline or the backfill put it: a file:// or s3:// URI), the
file to use; the download URLs are MetaStudio's: valid for 24 hours (ShowAsset gives a fresh one).
"""


def catalogue_rows(events: Iterable[Any]) -> list[dict[str, Any]]:
    """One catalogue row per asset event (first event of each video), in event order."""
    rows: dict[str, dict[str, Any]] = {}
    for event in events:
        uri, extra = event.asset.uri, dict(event.extra or {})
        if uri not in rows:
            rows[uri] = {**{k: extra.get(k) for k in FIELDS}, "uri": uri,
                         "announced_at": event.timestamp.isoformat(), "source_dag_id": event.source_dag_id,
                         "source_run_id": event.source_run_id}
    return list(rows.values())


def add_rows(folder: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append the rows whose video is not in the catalogue yet (each to its day's file); return them."""
    folder.mkdir(parents=True, exist_ok=True)
    known = {json.loads(line)["uri"] for path in folder.glob("*.jsonl")
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}
    new = [row for row in rows if row["uri"] not in known]
    by_day: dict[str, list[dict[str, Any]]] = {}
    for row in new:
        by_day.setdefault(row["announced_at"][:10], []).append(row)
    for day, day_rows in by_day.items():
        path = folder / f"{day}.jsonl"
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        tmp = path.with_suffix(".jsonl.tmp")
        tmp.write_text(old + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in day_rows), encoding="utf-8")
        os.replace(tmp, path)  # whole file or nothing: a crash never leaves half a line
    return new


@dag(
    dag_id="metastudio_video_catalogue",
    description="Runs on each new MetaStudio video (asset alias metastudio-videos): appends it to include/catalogue",
    schedule=[VIDEOS],
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,  # one writer of the catalogue at a time
    tags=["metastudio", "video", "assets"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=10)},
)
def metastudio_video_catalogue():
    @task(inlets=[VIDEOS])
    def add_to_catalogue(triggering_asset_events=None, inlet_events=None) -> dict:
        """Append the run's new videos (a manual run: every announced video) to the catalogue."""
        events = list(triggering_asset_events.get(VIDEOS, [])) if triggering_asset_events else []
        if not events:  # triggered by hand: catch up with every video ever announced
            events = list(inlet_events[VIDEOS])
        folder = Path(Variable.get(DIR_VARIABLE, default=str(DEFAULT_DIR)))
        rows = catalogue_rows(events)
        new = add_rows(folder, rows)
        for row in new:  # logged, not printed: printed lines land after "Done. Returned value", folded away
            log.info("catalogued %r (%s s): asset %s%s", row["title"], row["duration"], row["asset_id"],
                     f", row {row['row_id']} of {row['batch_date']}" if row.get("row_id") else "")
        log.info("%d event(s), %d new video(s) added to %s", len(events), len(new), folder)
        return {"events": len(events), "added": [r["asset_id"] for r in new], "folder": str(folder)}

    add_to_catalogue()


metastudio_video_catalogue()
