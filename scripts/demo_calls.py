"""Signed calls against a running emulator: upload an image, write a script, render a video."""

from __future__ import annotations

import argparse
import json
import os
import struct
import time
import zlib

import httpx


def tiny_png() -> bytes:
    """A valid 1x1 PNG, made here so the demo needs no files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x20\x60\xa0")) + chunk(b"IEND", b""))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default="http://127.0.0.1:8765")
    args = parser.parse_args()

    from metastudio_provider.emulator.config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK

    os.environ["AIRFLOW_CONN_METASTUDIO_DEFAULT"] = json.dumps({
        "conn_type": "metastudio", "login": DEFAULT_AK, "password": DEFAULT_SK,
        "extra": {"region": "cn-north-4", "project_id": DEFAULT_PROJECT_ID, "endpoint": args.endpoint},
    })
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    started = time.monotonic()
    hook = MetaStudioHook()
    avatar = hook.list_assets(asset_type="HUMAN_MODEL_2D", asset_source="SYSTEM", limit=1)["assets"][0]
    voice = hook.list_assets(asset_type="VOICE_MODEL", asset_source="SYSTEM", limit=1)["assets"][0]
    background = hook.upload_asset(asset_name=f"demo-background-{int(time.time())}", file_name="background.png",
                                   content=tiny_png(), asset_type="IMAGE",
                                   system_properties=[{"key": "BACKGROUND_IMG", "value": "Yes"}])
    while hook.show_asset(background)["asset_state"] != "ACTIVED":
        time.sleep(0.2)
    script = hook.call("CreateVideoScripts", body={
        "script_name": f"demo-script-{int(time.time())}",
        "model_asset_id": avatar["asset_id"],
        "voice_config": {"voice_asset_id": voice["asset_id"]},
        "video_config": {"width": 1920, "height": 1080},
        "shoot_scripts": [{"sequence_no": 0, "shoot_script": {
            "script_type": "TEXT", "text_config": {"text": "Hello from Airflow and MetaStudio."},
            "background_config": [{"background_type": "IMAGE", "background_asset_id": background}]}}],
    })["script_id"]
    job_id = hook.create_video_job({"script_id": script, "output_asset_config": {"asset_name": f"demo-video-{int(time.time())}"}})
    while (job := hook.show_video_job(job_id))["state"] not in ("SUCCEED", "FAILED", "CANCELED", "BLOCK"):
        time.sleep(0.5)
    output = job.get("output_asset_config") or {}
    video = hook.show_asset(output["asset_id"]) if output.get("asset_id") else {}
    url = next((f.get("download_url") for f in video.get("files") or [] if f.get("asset_file_category") == "MAIN"), None)
    stats = httpx.get(f"{args.endpoint}/_emulator/stats").json()["apis"]
    print(f"\nvideo job {job_id}: {job['state']} in {time.monotonic() - started:.1f} s")
    print(f"output asset: {output.get('asset_id')}\ndownload URL: {url}")
    print("calls made per API:", {k: v["requests"] for k, v in stats.items() if v["requests"]})
    if job["state"] != "SUCCEED":
        raise SystemExit(f"the video job ended {job['state']}: {job.get('error_info')}")


if __name__ == "__main__":
    main()
