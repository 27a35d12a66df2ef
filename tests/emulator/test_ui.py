"""The emulator's own HTML: the root page says what it is; one page per resource (the extra link's target)."""

from __future__ import annotations

import re

import httpx

from metastudio_emulator.ui import PAGES

from .helpers import call, system_asset, upload_asset
from .test_live import _room
from .test_videos import _job


def test_root_page_says_what_it_is_and_links_its_docs(emu) -> None:
    resp = httpx.get(f"{emu.base_url}/")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = resp.text
    assert "<h1>MetaStudio emulator</h1>" in page
    assert emu.region in page and emu.project_id in page and emu.sk not in page
    links = set(re.findall(r'href="([^"]+)"', page))
    assert {"/_emulator/docs", "/_emulator/health", "/_emulator/stats", "/_emulator/faults"} <= links
    for link in ("/_emulator/docs", "/_emulator/openapi.json", "/_emulator/health", "/_emulator/end-next", "/docs"):
        assert httpx.get(f"{emu.base_url}{link}", follow_redirects=True).status_code == 200, link


def test_routes_and_signature_checks_are_unchanged(emu) -> None:
    assert "count" in call(emu, "ListAssets", query={"limit": 1})  # signed: still served
    unsigned = httpx.get(f"{emu.base_url}/v1/{emu.project_id}/digital-assets")
    assert unsigned.status_code == 401 and unsigned.json()["error_code"] == "APIGW.0301"
    unknown = httpx.get(f"{emu.base_url}/v1/{emu.project_id}/no-such-api")
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "APIGW.0101"
    assert httpx.post(f"{emu.base_url}/").json()["error_code"] == "APIGW.0101"  # only GET /


def test_a_page_per_resource_shows_its_state(emu) -> None:
    room_id = _room(emu, "ui room")
    video_job = _job(emu, "ui video")
    resources = {
        "assets": upload_asset(emu, name="ui picture"),
        "video-jobs": video_job,
        "rooms": room_id,
        "live-jobs": call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"],
        "avatar-training-jobs": call(emu, "Create2dModelTrainingJob", json={"name": "ui avatar"})["job_id"],
        "voice-training-jobs": call(emu, "CreateTrainingBasicJob", json={"voice_name": "ui voice"})["job_id"],
        "tts-jobs": call(emu, "CreateTtsAudition", json={"text": "Hi", "emotion": system_asset(emu, "VOICE_MODEL")}
                         )["job_id"],
    }
    assert set(resources) == set(PAGES)
    root = httpx.get(f"{emu.base_url}/").text
    for kind, ident in resources.items():
        resp = httpx.get(f"{emu.base_url}/_emulator/ui/{kind}/{ident}")
        assert resp.status_code == 200, f"{kind}: {resp.text}"
        assert f"<h1>{PAGES[kind].title} {ident}</h1>" in resp.text
        assert re.search(r"<strong>(state|asset_state|room_state|is_file_complete): \w+</strong>", resp.text), kind
        assert f'href="/_emulator/ui/{kind}/{ident}"' in root
    live = httpx.get(f"{emu.base_url}/_emulator/ui/live-jobs/{resources['live-jobs']}").text
    assert f'href="/_emulator/ui/rooms/{room_id}"' in live
    video = httpx.get(f"{emu.base_url}/_emulator/ui/video-jobs/{video_job}").text
    assert "&quot;output_asset_config&quot;" in video  # the Show2DDigitalHumanVideo JSON, escaped
    assert httpx.get(f"{emu.base_url}/_emulator/ui/video-jobs/nope").status_code == 404
    assert httpx.get(f"{emu.base_url}/_emulator/ui/nothing/nope").status_code == 404


def test_docs_page_works_offline_with_its_assets_served_by_the_emulator(emu) -> None:
    """Swagger UI's JS, CSS and favicon come from the emulator itself, not a CDN: the page works with no internet."""
    resp = httpx.get(f"{emu.base_url}/_emulator/docs")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/html")
    page = resp.text
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page)
    links = re.findall(r'<link[^>]*\shref="([^"]+)"', page)
    assert scripts and links, page
    assert not re.search(r"https?://|//[\w.-]+\.\w", page), "the docs page names another host"
    for url in scripts + links:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = httpx.get(f"{emu.base_url}{url}")
        assert asset.status_code == 200, url
        assert len(asset.content) > (100_000 if url.endswith((".js", ".css")) else 100), url
    openapi = re.search(r"url: '([^']+)'", page)
    assert openapi and httpx.get(f"{emu.base_url}{openapi.group(1)}").json()["openapi"].startswith("3.")
