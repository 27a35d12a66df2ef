"""System assets, the upload flow, validation and asset management."""

from __future__ import annotations

import httpx

from .helpers import call, md5_b64, upload_asset


def test_system_avatars_and_voices(emu) -> None:
    system_ids = set()
    for asset_type in ("HUMAN_MODEL_2D", "VOICE_MODEL"):
        body = call(emu, "ListAssets", query={"asset_type": asset_type, "asset_source": "SYSTEM"})
        assert body["count"] >= 2
        for asset in body["assets"]:
            assert asset["asset_state"] == "ACTIVED" and asset["asset_type"] == asset_type
            main = [f for f in asset["files"] if f["asset_file_category"] == "MAIN"]
            assert main and httpx.get(main[0]["download_url"]).status_code == 200
            system_ids.add(asset["asset_id"])
    # tenant assets are listed by default, system ones only on request
    tenant = call(emu, "ListAssets", query={"asset_type": "HUMAN_MODEL_2D,VOICE_MODEL"})
    assert not system_ids & {a["asset_id"] for a in tenant["assets"]}
    everything = call(emu, "ListAssets", query={"asset_type": "HUMAN_MODEL_2D,VOICE_MODEL", "asset_source": "ALL",
                                                "limit": 100})
    assert system_ids <= {a["asset_id"] for a in everything["assets"]}


def test_validation_names_the_field(emu) -> None:
    body = call(emu, "CreateDigitalAsset", json={"asset_type": "IMAGE"}, expect=400)
    assert body["error_code"] == "MSS.00000001" and "asset_name" in body["error_msg"]
    body = call(emu, "CreateFile", json={"file_name": "a", "file_md5": md5_b64(b"x"), "file_size": "big",
                                         "file_type": "png", "asset_id": "x", "asset_file_category": "MAIN"},
                expect=400)
    assert "file_size" in body["error_msg"]
    body = call(emu, "CreateDigitalAsset", json={"asset_name": "a", "asset_type": "BOGUS"}, expect=400)
    assert "asset_type" in body["error_msg"]


def test_unknown_ids_are_404(emu) -> None:
    body = call(emu, "ShowAsset", {"asset_id": "nope"}, expect=404)
    assert body["error_code"] == "MSS.00000004"


def test_upload_flow(emu) -> None:
    data = b"\x89PNG fake image bytes"
    asset_id = call(emu, "CreateDigitalAsset", json={"asset_name": "logo", "asset_type": "IMAGE"})["asset_id"]
    assert call(emu, "ShowAsset", {"asset_id": asset_id})["asset_state"] == "CREATING"
    created = call(emu, "CreateFile", json={"file_name": "logo.png", "file_md5": md5_b64(data), "file_size": len(data),
                                            "file_type": "png", "asset_id": asset_id, "asset_file_category": "MAIN"})
    url = created["upload_url"]
    assert url.startswith(emu.base_url + "/_obs/")
    # confirming before the PUT is refused
    call(emu, "ConfirmFileUpload", {"file_id": created["file_id"]}, json={"state": "CREATED"}, expect=400)
    wrong = httpx.put(url, content=data, headers={"Content-MD5": md5_b64(b"other"), "Content-Type": "image/png"})
    assert wrong.status_code == 400 and "<Code>BadDigest</Code>" in wrong.text
    tampered = httpx.put(url, content=data + b"!", headers={"Content-MD5": md5_b64(data)})
    assert tampered.status_code == 400 and "BadDigest" in tampered.text
    missing = httpx.put(url, content=data)
    assert missing.status_code == 400 and "InvalidDigest" in missing.text
    unsigned = httpx.put(url.split("?")[0], content=data, headers={"Content-MD5": md5_b64(data)})
    assert unsigned.status_code == 403
    ok = httpx.put(url, content=data, headers={"Content-MD5": md5_b64(data), "Content-Type": "image/png"})
    assert ok.status_code == 200, ok.text
    call(emu, "ConfirmFileUpload", {"file_id": created["file_id"]}, json={"state": "CREATED"})
    shown = call(emu, "ShowAsset", {"asset_id": asset_id})
    assert shown["asset_state"] == "ACTIVED"
    (main,) = shown["files"]
    assert main["state"] == "CREATED" and main["file_md5"] == md5_b64(data)
    assert httpx.get(main["download_url"]).content == data


def test_asset_management(emu) -> None:
    asset_id = upload_asset(emu, name="managed")
    listed = call(emu, "ListAssets", query={"name": "managed", "asset_type": "IMAGE,VIDEO"})
    assert [a["asset_id"] for a in listed["assets"]] == [asset_id] and listed["count"] == 1
    updated = call(emu, "UpdateDigitalAsset", {"asset_id": asset_id}, json={"asset_state": "UNACTIVED",
                                                                         "asset_name": "renamed"})
    assert updated["asset_state"] == "UNACTIVED" and updated["asset_name"] == "renamed"
    summary = call(emu, "ListAssetSummary", json={"asset_ids": [asset_id]})
    assert summary["asset_list"][0]["asset_state"] == "UNACTIVED"
    info = call(emu, "ShowAssetReplicationInfo", {"asset_id": asset_id})
    call(emu, "CreateAssetByReplicationInfo", json={"asset_id": asset_id, "asset_info": info["asset_info"]})
    call(emu, "DeleteAsset", {"asset_id": asset_id}, expect=204)
    assert call(emu, "ShowAsset", {"asset_id": asset_id})["asset_state"] == "DELETING"
    call(emu, "RestoreAsset", {"asset_id": asset_id})
    assert call(emu, "ShowAsset", {"asset_id": asset_id})["asset_state"] == "UNACTIVED"
    batch = call(emu, "BatchExecuteAssetAction", json={"action": "ACTIVE", "asset_ids": [asset_id, "missing"]})
    assert {r["ret_status"] for r in batch["results"]} == {"SUCCESS", "FAILED"}


def test_large_file_and_delete_file(emu) -> None:
    asset_id = call(emu, "CreateDigitalAsset", json={"asset_name": "big", "asset_type": "VIDEO"})["asset_id"]
    created = call(emu, "CreateLargeFile", json={"file_name": "big.mp4", "file_type": "mp4", "asset_id": asset_id,
                                                 "asset_file_category": "MAIN", "file_multipart_count": 2})
    assert len(created["upload_urls"]) == 2
    for i, url in enumerate(created["upload_urls"]):
        assert httpx.put(url, content=f"part{i}".encode()).status_code == 200
    call(emu, "ConfirmFileUpload", {"file_id": created["file_id"]}, json={"state": "CREATED"})
    shown = call(emu, "ShowAsset", {"asset_id": asset_id})
    assert shown["asset_state"] == "ACTIVED"
    assert httpx.get(shown["files"][0]["download_url"]).content == b"part0part1"
    call(emu, "DeleteFile", {"file_id": created["file_id"]}, expect=204)
    assert call(emu, "ShowAsset", {"asset_id": asset_id}).get("files", []) == []
