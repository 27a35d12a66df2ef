"""Signed calls to a running emulator by catalog API name, with SDK-shape checks on success."""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from metastudio_emulator.testing import RunningEmulator
from metastudio_provider.catalog import get_api

from .sdk_shapes import assert_sdk_shape


def call_raw(emu: RunningEmulator, name: str, path_params: Mapping[str, str] | None = None, *,
             query: Any = None, json: Any = None, client: httpx.Client | None = None) -> httpx.Response:
    api = get_api(name)
    path = api.format_path(emu.project_id, path_params)
    if json is None and api.has_body and api.method in ("POST", "PUT"):
        json = {}
    return emu.request(api.method, path, query=query, json=json, client=client)


def call(emu: RunningEmulator, name: str, path_params: Mapping[str, str] | None = None, *,
         query: Any = None, json: Any = None, expect: int = 200) -> dict[str, Any]:
    """Call ``name``; assert the status, the X-Request-Id header and, on 2xx, the SDK shape."""
    resp = call_raw(emu, name, path_params, query=query, json=json)
    assert resp.status_code == expect, f"{name}: {resp.status_code} {resp.text}"
    assert resp.headers.get("X-Request-Id")
    body = resp.json() if resp.content else {}
    if resp.status_code < 300:
        assert_sdk_shape(name, body)
    return body


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def wait_for(predicate: Callable[[], Any], timeout: float = 5.0, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(interval)


def system_asset(emu: RunningEmulator, asset_type: str) -> str:
    body = call(emu, "ListAssets", query={"asset_type": asset_type, "asset_source": "SYSTEM"})
    return body["assets"][0]["asset_id"]


def upload_asset(emu: RunningEmulator, data: bytes = b"hello image", asset_type: str = "IMAGE",
                 name: str = "picture") -> str:
    """CreateDigitalAsset → CreateFile → PUT → ConfirmFileUpload; returns the asset id."""
    asset_id = call(emu, "CreateDigitalAsset", json={"asset_name": name, "asset_type": asset_type})["asset_id"]
    created = call(emu, "CreateFile", json={"file_name": "a.png", "file_md5": md5_b64(data), "file_size": len(data),
                                            "file_type": "png", "asset_id": asset_id, "asset_file_category": "MAIN"})
    put = httpx.put(created["upload_url"], content=data,
                    headers={"Content-MD5": md5_b64(data), "Content-Type": "image/png"})
    assert put.status_code == 200, put.text
    call(emu, "ConfirmFileUpload", {"file_id": created["file_id"]}, json={"state": "CREATED"})
    return asset_id


class ManualClock:
    """A clock for the emulator's lifecycles that moves only when told (``advance``)."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@contextmanager
def manual_clock(emu: RunningEmulator) -> Iterator[ManualClock]:
    """Run the emulator on a ``ManualClock`` inside the block: states change only on ``advance``,
    however slow the machine (close to real time, so X-Sdk-Date checks still pass)."""
    clock, real = ManualClock(), emu.config.clock
    emu.config.clock = clock
    try:
        yield clock
    finally:
        emu.config.clock = real
