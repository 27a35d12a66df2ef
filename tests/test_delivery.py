"""Delivery of rendered videos (metastudio_provider.delivery, DeliverVideosOperator) into file:// and a real
S3-compatible server over HTTP (moto's, started here): streamed, verified, exactly once, resumed after a cut
connection, an expired download URL renewed through ShowAsset."""

from __future__ import annotations

import hashlib
import os
import time

import pytest
from airflow.sdk import ObjectStoragePath

from metastudio_emulator.media import sample_video
from metastudio_emulator.testing import running_emulator
from metastudio_provider.delivery import DeliveryError, deliver_video, deliver_videos, storage_path
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.operators.delivery import DeliverVideosOperator
from tests.conftest import connection_json
from tests.emulator.helpers import call, system_asset
from tests.s3_server import SECRET_KEY, CuttingProxy, s3_server

URL_SECONDS = 4  # short, to test renewal; 2 s expired before use once when the machine was very busy


@pytest.fixture(scope="module")
def emu():
    with running_emulator(throttle=False, job_seconds=0.3, download_url_seconds=URL_SECONDS) as running:
        yield running


@pytest.fixture(scope="module")
def s3():
    with s3_server() as server:
        yield server


@pytest.fixture
def hook(emu, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emu))
    return MetaStudioHook()


@pytest.fixture
def bucket(s3, monkeypatch, request):
    name = f"dest-{request.node.name[-20:].replace('_', '-').lower()}-{os.getpid()}"
    s3.client().create_bucket(Bucket=name)
    monkeypatch.setenv("AIRFLOW_CONN_DELIVERY_S3", s3.connection_json())
    return name


def make_video(emu) -> dict:
    body = {"script_name": "delivery", "model_asset_id": system_asset(emu, "HUMAN_MODEL_2D"),
            "voice_config": {"voice_asset_id": system_asset(emu, "VOICE_MODEL")},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT",
                                                                  "text_config": {"text": "Deliver me"}}}]}
    script_id = call(emu, "CreateVideoScripts", json=body)["script_id"]
    job_id = call(emu, "Create2DDigitalHumanVideo", json={"script_id": script_id})["job_id"]
    time.sleep(0.4)
    asset_id = call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})["output_asset_config"]["asset_id"]
    files = call(emu, "ShowAsset", {"asset_id": asset_id})["files"]
    main = next(f for f in files if f["asset_file_category"] == "MAIN")
    return {"asset_id": asset_id, "download_url": main["download_url"], "file_size": main["file_size"],
            "file_md5": main["file_md5"]}


def test_local_delivery_is_verified_atomic_and_done_once(emu, hook, tmp_path) -> None:
    video = make_video(emu)
    root = storage_path(f"file://{tmp_path}/out")
    first = deliver_videos(hook, [{"asset_id": video["asset_id"], "row_id": "intro", "title": "Intro"}], root,
                           "metastudio_video_backfill/2026-11-20")
    target = tmp_path / "out" / "metastudio_video_backfill" / "2026-11-20" / "intro.mp4"
    assert first == [{"asset_id": video["asset_id"], "row_id": "intro", "title": "Intro",
                      "delivered_uri": f"file://{target}", "size": len(sample_video()),
                      "md5": hashlib.md5(sample_video()).hexdigest(), "status": "delivered", "renewed_urls": 0}]
    assert target.read_bytes() == sample_video() and sorted(p.name for p in target.parent.iterdir()) == ["intro.mp4"]
    again = deliver_videos(hook, [{"asset_id": video["asset_id"], "row_id": "intro"}], root,
                           "metastudio_video_backfill/2026-11-20")
    assert again[0]["status"] == "already_there" and again[0]["delivered_uri"] == first[0]["delivered_uri"]
    target.write_bytes(b"half a file")  # not what MetaStudio has: copied again
    assert deliver_videos(hook, [{"asset_id": video["asset_id"], "row_id": "intro"}], root,
                          "metastudio_video_backfill/2026-11-20")[0]["status"] == "delivered"
    assert target.read_bytes() == sample_video()


def test_an_expired_download_url_is_renewed_through_show_asset(emu, hook, tmp_path) -> None:
    video = make_video(emu)
    time.sleep(URL_SECONDS + 1.2)  # the URL the video came with has expired (403, as OBS)
    result = deliver_video(hook, video, storage_path(f"file://{tmp_path}") / "v.mp4", wait_max=0.1)
    assert result["status"] == "delivered" and result["renewed_urls"] == 1
    assert (tmp_path / "v.mp4").read_bytes() == sample_video()


def test_s3_delivery_through_an_airflow_connection_and_md5_check(emu, hook, s3, bucket) -> None:
    video = make_video(emu)
    root = ObjectStoragePath(f"s3://{bucket}/videos", conn_id="delivery_s3")
    (result,) = deliver_videos(hook, [video], root, "pipeline/manual__2026-12-01T10:00:00+00:00")
    key = f"videos/pipeline/manual__2026-12-01T10_00_00_00_00/{video['asset_id']}.mp4"
    assert result["status"] == "delivered" and result["delivered_uri"] == f"s3://{bucket}/{key}"
    assert s3.client().get_object(Bucket=bucket, Key=key)["Body"].read() == sample_video()
    (again,) = deliver_videos(hook, [video], root, "pipeline/manual__2026-12-01T10:00:00+00:00")
    assert again["status"] == "already_there" and again["md5"] == hashlib.md5(sample_video()).hexdigest()
    corrupt = {**video, "file_md5": "AAAAAAAAAAAAAAAAAAAAAA=="}  # a wrong MD5: never committed, fails in the end
    # one try: a second could meet the fixture's short-lived download URL expired, and its renewal brings the
    # right MD5 from ShowAsset (seen on a loaded machine)
    with pytest.raises(DeliveryError, match="MD5") as failed:
        deliver_video(hook, corrupt, root / "corrupt.mp4", attempts=1, wait_max=0.1)
    assert not failed.value.permanent
    assert "Contents" not in s3.client().list_objects_v2(Bucket=bucket, Prefix="videos/corrupt")


def test_a_missing_bucket_fails_at_once_naming_it_and_never_the_secret(emu, hook, s3, bucket) -> None:
    video = make_video(emu)
    started = time.monotonic()
    (result,) = deliver_videos(hook, [video], ObjectStoragePath("s3://no-such-bucket/x", conn_id="delivery_s3"), "d")
    assert result["status"] == "failed" and result["permanent"] and "s3://no-such-bucket/x/d/" in result["error"]
    assert time.monotonic() - started < 10 and SECRET_KEY not in str(result)


def test_a_copy_cut_mid_way_leaves_nothing_visible_and_the_retry_completes(s3, bucket, hook) -> None:
    data = os.urandom(6 * 1024 * 1024 + 1234)  # two parts of a multipart upload (5 MiB + the rest)
    source = s3.client()
    source.put_object(Bucket=bucket, Key="source/big.mp4", Body=data)
    url = source.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "source/big.mp4"})
    port = s3.endpoint.rsplit(":", 1)[1]
    target = ObjectStoragePath(f"s3://{bucket}/out/big.mp4", conn_id="delivery_s3")
    # the download is reset after 5.5 MiB: the first part is already uploaded, the upload is not complete
    cut_download = CuttingProxy(int(port), cut_after=5 * 1024 * 1024 + 512 * 1024, downstream=True)
    video = {"asset_id": "big", "download_url": url.replace(f":{port}/", f":{cut_download.port}/"),
             "file_size": len(data), "file_md5": hashlib.md5(data).hexdigest()}
    try:
        with pytest.raises(DeliveryError, match="1 tries failed") as cut:
            deliver_video(hook, video, target, attempts=1, part_size=5 * 1024 * 1024)
        assert cut_download.cuts == 1 and not cut.value.permanent
        assert "Contents" not in source.list_objects_v2(Bucket=bucket, Prefix="out/")  # no half file visible
        result = deliver_video(hook, video, target, part_size=5 * 1024 * 1024)  # the task's retry
        assert result["status"] == "delivered" and result["size"] == len(data)
        assert source.get_object(Bucket=bucket, Key="out/big.mp4")["Body"].read() == data
    finally:
        cut_download.close()
    # the store's connection reset mid-upload: retried (botocore, then the delivery's own tries), completes
    cut_upload = CuttingProxy(int(port), cut_after=3 * 1024 * 1024)
    os.environ["AIRFLOW_CONN_DELIVERY_PROXY"] = s3.connection_json(endpoint=f"http://127.0.0.1:{cut_upload.port}")
    try:
        proxied = ObjectStoragePath(f"s3://{bucket}/out/again.mp4", conn_id="delivery_proxy")
        result = deliver_video(hook, {**video, "download_url": url}, proxied, part_size=5 * 1024 * 1024,
                               wait_max=0.2)
        assert cut_upload.cuts == 1 and result["status"] == "delivered"
        assert source.get_object(Bucket=bucket, Key="out/again.mp4")["Body"].read() == data
    finally:
        os.environ.pop("AIRFLOW_CONN_DELIVERY_PROXY", None)
        cut_upload.close()


def test_the_operator_returns_json_results_and_fails_at_once_on_a_bad_destination(emu, hook, tmp_path) -> None:
    video = make_video(emu)
    op = DeliverVideosOperator(task_id="deliver", videos=[{"asset_id": video["asset_id"], "row_id": "r1"}],
                               destination=f"file://{tmp_path}", subfolder="dag/2026-11-20")
    (result,) = op.execute({"ti": None})
    assert result["status"] == "delivered" and result["delivered_uri"] == f"file://{tmp_path}/dag/2026-11-20/r1.mp4"
    from airflow.sdk.exceptions import AirflowFailException

    bad = DeliverVideosOperator(task_id="bad", videos=[video], destination="nowhere/relative", subfolder="x")
    with pytest.raises(AirflowFailException, match="not a URI"):
        bad.execute({"ti": None})
