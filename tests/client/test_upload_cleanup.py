"""``hook.upload_asset``: inputs checked before any create; a permanent failure half-way deletes the asset."""

from __future__ import annotations

import uuid

import httpx
import pytest

from metastudio_provider.checks.problems import InvalidInputError
from metastudio_provider.hooks.metastudio import MetaStudioHook, MetaStudioPermanentError, identity_token

PNG = b"\x89PNG\r\n\x1a\n upload cleanup"


def _named(hook: MetaStudioHook, name: str) -> list[dict]:
    return hook.list_assets(name=name, accurate_query_field="name").get("assets") or []


def test_bad_file_creates_nothing(metastudio_conn) -> None:
    hook, name = MetaStudioHook(), f"bad-{uuid.uuid4().hex[:8]}"
    for file_name, content, message in (("background", PNG, "no suffix"), ("bg.png", b"GIF89a", "not a PNG or JPEG"),
                                        ("bg.png", b"", "empty")):
        with pytest.raises(InvalidInputError, match=message):
            hook.upload_asset(asset_name=name, file_name=file_name, content=content)
    with pytest.raises(InvalidInputError, match="asset_name contains a control character"):
        hook.upload_asset(asset_name="a\nb", file_name="bg.png", content=PNG)
    assert _named(hook, name) == []


def test_permanent_failure_half_way_deletes_the_asset(metastudio_conn) -> None:
    emu, hook, name = metastudio_conn, MetaStudioHook(), f"half-{uuid.uuid4().hex[:8]}"
    httpx.post(f"{emu.base_url}/_emulator/faults", json={"api": "ConfirmFileUpload", "mode": "error_before_commit",
                                                         "status": 400, "count": 1}).raise_for_status()
    token = identity_token("dag", name, "upload", -1)
    with pytest.raises(MetaStudioPermanentError, match="ConfirmFileUpload failed: HTTP 400"):
        hook.upload_asset(asset_name=name, file_name="bg.png", content=PNG, identity=token)
    assert [a["asset_state"] for a in _named(hook, name)] in ([], ["DELETING"], ["DELETED"])
    # the next try (same identity, as a retried task) starts clean and succeeds
    asset_id = hook.upload_asset(asset_name=name, file_name="bg.png", content=PNG, reuse_existing=True,
                                 identity=token)
    assert [a["asset_id"] for a in _named(hook, name) if a["asset_state"] not in ("DELETING", "DELETED")] == [asset_id]
