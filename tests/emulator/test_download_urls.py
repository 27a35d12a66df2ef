"""Download URLs expire (24 h by default, configurable) like OBS's; a rendered video is a real, small MP4."""

from __future__ import annotations

import hashlib

import httpx

from metastudio_emulator.cli import build_parser
from metastudio_emulator.config import DEFAULT_DOWNLOAD_URL_SECONDS, EmulatorConfig
from metastudio_emulator.media import sample_video
from metastudio_emulator.testing import running_emulator

from .helpers import call, manual_clock, md5_b64, system_asset


def _video_asset(emu, clock) -> str:
    body = {"script_name": "dl", "model_asset_id": system_asset(emu, "HUMAN_MODEL_2D"),
            "voice_config": {"voice_asset_id": system_asset(emu, "VOICE_MODEL")},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": {"script_type": "TEXT",
                                                                  "text_config": {"text": "Hello"}}}]}
    script_id = call(emu, "CreateVideoScripts", json=body)["script_id"]
    job_id = call(emu, "Create2DDigitalHumanVideo", json={"script_id": script_id})["job_id"]
    clock.advance(1)
    return call(emu, "Show2DDigitalHumanVideo", {"job_id": job_id})["output_asset_config"]["asset_id"]


def _main(emu, asset_id: str) -> dict:
    files = call(emu, "ShowAsset", {"asset_id": asset_id})["files"]
    return next(f for f in files if f["asset_file_category"] == "MAIN")


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> list[tuple[bytes, int, int]]:
    """ISO BMFF boxes (type, offset, size) between start and end; each size must fit exactly."""
    out, i, end = [], start, len(data) if end is None else end
    while i < end:
        size = int.from_bytes(data[i:i + 4], "big")
        assert size >= 8 and i + size <= end, (i, size)
        out.append((data[i + 4:i + 8], i, size))
        i += size
    assert i == end
    return out


def test_a_rendered_video_is_a_small_valid_mp4_with_its_md5_and_size_in_the_file_info() -> None:
    with running_emulator(throttle=False, job_seconds=0.5) as emu, manual_clock(emu) as clock:
        asset_id = _video_asset(emu, clock)
        main = _main(emu, asset_id)
        data = httpx.get(main["download_url"]).content
    assert data == sample_video() and 1000 < len(data) < 10_000
    assert main["file_size"] == len(data) and main["file_md5"] == md5_b64(data)
    top = _boxes(data)
    assert [t for t, _, _ in top] == [b"ftyp", b"free", b"mdat", b"moov"] and data.startswith(b"\x00\x00\x00\x18ftyp")
    _, moov, moov_size = top[-1]
    inner = {t: (o, s) for t, o, s in _boxes(data, moov + 8, moov + moov_size)}
    assert b"mvhd" in inner and b"trak" in inner
    offset, _ = inner[b"mvhd"]
    timescale, duration = (int.from_bytes(data[offset + 20 + k:offset + 24 + k], "big") for k in (0, 4))
    assert duration / timescale == 10.0  # the emulated video_meta.duration
    assert hashlib.md5(data).hexdigest() == "e6f16d9bfce21cb8940575ddd124e65b"


def test_a_download_url_expires_after_the_configured_time_and_show_asset_renews_it() -> None:
    assert EmulatorConfig().download_url_seconds == DEFAULT_DOWNLOAD_URL_SECONDS == 24 * 3600
    assert build_parser().parse_args(["--download-url-seconds", "5"]).download_url_seconds == 5
    with running_emulator(throttle=False, job_seconds=0.5, download_url_seconds=5) as emu, manual_clock(emu) as clock:
        asset_id = _video_asset(emu, clock)
        old = _main(emu, asset_id)["download_url"]
        assert httpx.get(old).status_code == 200
        clock.advance(6)
        expired = httpx.get(old)
        assert expired.status_code == 403 and b"<Code>AccessDenied</Code>" in expired.content
        assert b"Request has expired." in expired.content
        fresh = _main(emu, asset_id)["download_url"]
        assert fresh != old and httpx.get(fresh).content == sample_video()
