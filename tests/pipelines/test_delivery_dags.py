"""The backfill reads its manifest from a bucket and delivers its videos to another one, through `airflow dags
test`: a CSV manifest in a real S3-compatible server over HTTP (moto's), the store's connection given as
AIRFLOW_CONN_<ID> and the folders as Airflow Variables, as a user would point them at OBS or MinIO."""

from __future__ import annotations

import hashlib
import os

import pytest

from metastudio_emulator.media import sample_video
from tests.pipelines.test_video_assets import events
from tests.s3_server import SECRET_KEY, s3_server

DATE = "2026-12-05"
CSV = ("id,title,script,avatar,voice,background\n"
       "welcome,Welcome,\"Hello, and welcome to the store.\",,,\n"
       "deals,Today's deals,Everything is ten percent off today.,,,\n")


@pytest.fixture(scope="module")
def s3():
    with s3_server() as server:
        yield server


def test_backfill_reads_a_csv_from_a_bucket_and_delivers_to_another_once(run_dag, emulator, s3):
    source, target = f"batches-{os.getpid()}", f"videos-{os.getpid()}"
    client = s3.client()
    for bucket in (source, target):
        client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=source, Key=f"daily/{DATE}.csv", Body=CSV.encode())
    env = {"AIRFLOW_CONN_STORE_S3": s3.connection_json(),
           "AIRFLOW_VAR_METASTUDIO_BATCHES_URI": f"s3://{source}/daily",
           "AIRFLOW_VAR_METASTUDIO_BATCHES_CONN_ID": "store_s3",
           "AIRFLOW_VAR_METASTUDIO_DELIVERY_URI": f"s3://{target}/videos",
           "AIRFLOW_VAR_METASTUDIO_DELIVERY_CONN_ID": "store_s3",
           "METASTUDIO_BATCHES_DIR": None}
    first = run_dag("metastudio_video_backfill", logical_date=DATE, extra_env=env)
    states = first.task_states()
    assert first.state == "success" and states["deliver_videos"] == ["success"], first.output[-4000:]
    (delivered,) = first.xcom("deliver_videos")
    assert sorted(r["row_id"] for r in delivered) == ["deals", "welcome"]
    assert {r["status"] for r in delivered} == {"delivered"}
    data = sample_video()
    for row in ("welcome", "deals"):
        key = f"videos/metastudio_video_backfill/{DATE}/{row}.mp4"
        head = client.head_object(Bucket=target, Key=key)
        assert head["ContentLength"] == len(data) and head["ETag"].strip('"') == hashlib.md5(data).hexdigest()
        assert client.get_object(Bucket=target, Key=key)["Body"].read() == data
    (report,) = first.xcom("report")
    assert report["delivered"] == 2 and report["failed_rows"] == [] and report["announced"] == 2
    by_row = {e["extra"]["row_id"]: e["extra"] for e in events(first)}
    assert set(by_row) == {"welcome", "deals"}
    for row, extra in by_row.items():
        assert extra["delivered_uri"] == f"s3://{target}/videos/metastudio_video_backfill/{DATE}/{row}.mp4"
        assert extra["asset_id"] and extra["download_url"] and extra["batch_date"] == DATE
    assert "Batch: 2 of 2 videos made, 2 delivered" in first.output and SECRET_KEY not in first.output

    # re-run the date: the videos are reused, and nothing is copied again
    again = run_dag("metastudio_video_backfill", logical_date=DATE, extra_env=env)
    assert again.state == "success", again.output[-4000:]
    (redelivered,) = again.xcom("deliver_videos")
    assert {r["row_id"]: r["status"] for r in redelivered} == {"welcome": "already_there", "deals": "already_there"}
    assert {r["delivered_uri"] for r in redelivered} == set(by_row[r]["delivered_uri"] for r in by_row)
    listed = client.list_objects_v2(Bucket=target)["Contents"]
    assert len(listed) == 2 and events(again) == []  # announced once, by the run that made them


def test_backfill_whose_delivery_is_refused_ends_failed_naming_the_rows(run_dag, emulator, s3, tmp_path):
    """The destination bucket does not exist: the videos are made, the delivery fails at once (no retry),
    the report still runs and counts each row as failed, naming why; no event announces them."""
    (tmp_path / "2026-12-06.jsonl").write_text('{"id": "lonely", "title": "Lonely", "script": "Nobody keeps me."}\n')
    env = {"METASTUDIO_BATCHES_DIR": str(tmp_path), "AIRFLOW_CONN_STORE_S3": s3.connection_json(),
           "AIRFLOW_VAR_METASTUDIO_DELIVERY_URI": "s3://no-such-bucket/videos",
           "AIRFLOW_VAR_METASTUDIO_DELIVERY_CONN_ID": "store_s3"}
    result = run_dag("metastudio_video_backfill", logical_date="2026-12-06", extra_env=env)
    states = result.task_states()
    assert states["deliver_videos"] == ["failed"] and result.tries("deliver_videos") == 1, result.output[-4000:]
    assert states["report"] == ["success"] and states["all_videos_made"] == ["failed"] and result.state == "failed"
    (report,) = result.xcom("report")
    assert report["succeeded"] == 1 and report["delivered"] == 0 and report["failed_rows"] == ["lonely"]
    assert "not delivered" in report["failures"][0]["error"] and "no-such-bucket" in report["failures"][0]["error"]
    assert report["announced"] == 0 and events(result) == []
    assert result.note.startswith("Failed: 1 of 1 row(s) made no video or were not delivered"), result.note
    assert SECRET_KEY not in result.output
