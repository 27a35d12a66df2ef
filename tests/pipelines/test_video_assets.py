"""Videos as Airflow Assets, through `airflow dags test`: the events the pipeline and the backfill record
in Airflow's database (URI, alias, extra), once per video, and the catalogue DAG that reads them."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import httpx

from metastudio_emulator.media import sample_video
from metastudio_provider.assets.videos import VIDEOS, asset_uri

MANIFEST = """
- {id: intro, title: Introduction, script: Welcome to the catalogue test.}
- {id: broken, title: No script, script: ""}
- {id: outro, title: Goodbye, script: Thanks for watching the catalogue test.}
"""


def events(result, run_id: str | None = None) -> list[dict]:
    """The asset events a run recorded: URI, extra, and the aliases they went through."""
    with sqlite3.connect(result.db) as con:
        rows = con.execute(
            "SELECT e.id, a.uri, e.extra, e.source_task_id FROM asset_event e JOIN asset a ON a.id = e.asset_id "
            "WHERE e.source_dag_id=? AND e.source_run_id=? ORDER BY e.id",
            (result.dag_id, run_id or result.run_id)).fetchall()
        aliases = {eid: [name for (name,) in con.execute(
            "SELECT al.name FROM asset_alias_asset_event x JOIN asset_alias al ON al.id = x.alias_id "
            "WHERE x.event_id=?", (eid,))] for eid, *_ in rows}
    return [{"uri": uri, "extra": json.loads(extra), "task": task, "aliases": aliases[eid]}
            for eid, uri, extra, task in rows]


def test_pipeline_announces_its_video_and_the_catalogue_adds_it_once(run_dag, emulator, tmp_path):
    result = run_dag("metastudio_video_pipeline", conf={"title": "Asset test", "script_text": "Hello, assets."})
    assert result.returncode == 0 and result.state == "success", result.output[-3000:]
    (video,) = result.xcom("create_video")
    (event,) = events(result)
    assert event["uri"] == asset_uri(emulator.region, emulator.project_id, video["output_asset_id"])
    assert event["uri"].startswith(f"metastudio://{emulator.region}/{emulator.project_id}/assets/")
    assert event["task"] == "create_video" and event["aliases"] == [VIDEOS.name]
    extra = event["extra"]
    assert extra["title"] == "Asset test" and extra["asset_id"] == video["output_asset_id"]
    assert extra["job_id"] == video["job_id"] and extra["duration"] == video["duration"] > 0
    assert extra["download_url"] == video["download_url"] and httpx.get(extra["download_url"]).status_code == 200
    assert extra["asset_name"] and emulator.sk not in json.dumps(extra)
    # the video was delivered before it was announced, and the event points at the copy
    assert extra["delivered_uri"] == video["delivered_uri"] and video["delivery"] == "delivered"
    delivered = Path(video["delivered_uri"].removeprefix("file://"))
    assert delivered.name == f"{video['output_asset_id']}.mp4" and delivered.parts[-3] == "metastudio_video_pipeline"
    assert delivered.stat().st_size == len(sample_video()) == video["delivered_size"]
    assert hashlib.md5(delivered.read_bytes()).hexdigest() == hashlib.md5(sample_video()).hexdigest() \
        == video["delivered_md5"]
    assert [p.name for p in delivered.parent.iterdir()] == [delivered.name]  # no .partial left behind

    # the catalogue, triggered by hand, catches up with every announced video; a second run adds nothing
    env = {"AIRFLOW_VAR_METASTUDIO_CATALOGUE_DIR": str(tmp_path)}
    first = run_dag("metastudio_video_catalogue", extra_env=env)
    assert first.returncode == 0 and first.state == "success", first.output[-3000:]
    lines = [json.loads(line) for path in tmp_path.glob("*.jsonl") for line in path.read_text().splitlines()]
    (row,) = [r for r in lines if r["asset_id"] == video["output_asset_id"]]
    assert row["uri"] == event["uri"] and row["title"] == "Asset test" and row["duration"] == video["duration"]
    assert row["download_url"] == video["download_url"] and row["source_dag_id"] == "metastudio_video_pipeline"
    assert next(iter(row)) == "delivered_uri" and row["delivered_uri"] == video["delivered_uri"]  # first in the line
    assert len({r["uri"] for r in lines}) == len(lines)
    second = run_dag("metastudio_video_catalogue", extra_env=env)
    assert second.returncode == 0 and second.xcom("add_to_catalogue")[0]["added"] == [], second.output[-3000:]
    again = [line for path in tmp_path.glob("*.jsonl") for line in path.read_text().splitlines()]
    assert len(again) == len(lines)


def test_backfill_announces_only_succeed_rows_and_a_rerun_does_not_repeat_them(run_dag, emulator, tmp_path):
    (tmp_path / "2026-11-26.yaml").write_text(MANIFEST)
    env = {"METASTUDIO_BATCHES_DIR": str(tmp_path)}
    planned = httpx.post(f"{emulator.base_url}/_emulator/video-jobs/end-next",
                         json={"error_code": "MSS.00000778", "error_msg": "no render today", "count": 1})
    assert planned.status_code == 200, planned.text
    first = run_dag("metastudio_video_backfill", logical_date="2026-11-26", extra_env=env)
    assert first.task_states()["report"] == ["success"] and first.state == "failed", first.output[-3000:]
    (report,) = first.xcom("report")
    assert "details" not in report  # the report's XCom is sized by need: each row's result is in the chunks'
    jobs = {r["row"]: r.get("job_id") for rows in first.xcom("submit_chunk", key="rows") for r in rows}
    (delivered_videos,) = first.xcom("deliver_videos")
    made = {d["row_id"]: d for d in delivered_videos}
    assert len(made) == 1 and report["announced"] == 1  # one row ended FAILED, one was refused: no events
    (event,) = events(first)
    (row_id, detail), = made.items()
    assert event["task"] == "report" and event["aliases"] == [VIDEOS.name]
    assert event["uri"] == asset_uri(emulator.region, emulator.project_id, detail["asset_id"])
    extra = event["extra"]
    assert extra["row_id"] == row_id and extra["batch_date"] == "2026-11-26" and extra["job_id"] == jobs[row_id]
    assert extra["title"] == {"intro": "Introduction", "outro": "Goodbye"}[row_id]
    assert extra["duration"] > 0 and httpx.get(extra["download_url"]).status_code == 200
    # the file details come from the delivery's own ShowAsset: the report makes no call per video
    assert extra["download_url"] == detail["download_url"] and extra["asset_name"] == detail["asset_name"]
    delivered = Path(extra["delivered_uri"].removeprefix("file://"))
    assert delivered.parts[-3:] == ("metastudio_video_backfill", "2026-11-26", f"{row_id}.mp4")
    assert delivered.read_bytes() == sample_video() and detail["delivered_uri"] == extra["delivered_uri"]
    assert report["delivered"] == 1 and detail["status"] == "delivered"

    # re-run the date: the row made before is reused and not announced again; the re-made one is
    again = run_dag("metastudio_video_backfill", logical_date="2026-11-26", extra_env=env)
    (report,) = again.xcom("report")
    assert report["succeeded"] == 2 and report["announced"] == 1, again.output[-3000:]
    (new,) = events(again)
    assert new["extra"]["row_id"] != row_id and new["uri"] != event["uri"]
    statuses = {r["row_id"]: r["status"] for r in again.xcom("deliver_videos")[0]}
    assert statuses == {row_id: "already_there", new["extra"]["row_id"]: "delivered"}  # copied once
    assert Path(new["extra"]["delivered_uri"].removeprefix("file://")).read_bytes() == sample_video()
