"""A chunk lists what its batch made before once, instead of a look-up per row (batches.submission.existing_tokens).

Against the session emulator, counting the calls it answered: a first try makes one ListVideoScripts and
no per-row look-up; a re-run after a lost row (one row never submitted, one whose job was never made)
makes only what is missing and reuses the rest; a listing that fails falls back to a look-up per row.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from metastudio_provider.batches.submission import existing_tokens, submit_rows, video_bodies
from metastudio_provider.client import MetaStudioError
from metastudio_provider.hooks.metastudio import MetaStudioHook, identity_token

ROWS = [{"id": f"r{n}", "title": f"Video {n}", "script": f"Row {n} of the look-up test."} for n in range(4)]


def calls(emu: Any) -> dict[str, int]:
    apis = httpx.get(f"{emu.base_url}/_emulator/stats").json()["apis"]
    return {name: s["requests"] for name, s in apis.items()}


def delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {api: n - before.get(api, 0) for api, n in after.items() if n != before.get(api, 0)}


@pytest.fixture
def batch(metastudio_conn: Any) -> tuple[MetaStudioHook, str, dict[str, str]]:
    hook = MetaStudioHook()
    models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
              "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
    return hook, f"lookup-{uuid.uuid4().hex[:8]}", models


def test_a_first_try_lists_once_and_looks_up_no_row(batch, metastudio_conn):
    hook, prefix, models = batch
    before = calls(metastudio_conn)
    results = submit_rows(hook, ROWS[:3], prefix=prefix, models=models)
    assert [r["status"] for r in results] == ["submitted"] * 3
    assert delta(before, calls(metastudio_conn)) == {"ListVideoScripts": 1, "CreateVideoScripts": 3,
                                                      "Create2DDigitalHumanVideo": 3}


def test_a_rerun_after_a_lost_row_makes_only_what_is_missing(batch, metastudio_conn):
    hook, prefix, models = batch
    first = submit_rows(hook, ROWS[:2], prefix=prefix, models=models)  # r2 and r3 were lost before submitting
    script, _ = video_bodies(ROWS[2], prefix=prefix, models=models)  # r2: its script was made, its job never
    half = hook.create_or_resume("CreateVideoScripts", script, identity=identity_token(prefix, "r2"), look=False)
    before = calls(metastudio_conn)
    again = submit_rows(hook, ROWS, prefix=prefix, models=models)
    assert [r["status"] for r in again] == ["reused", "reused", "submitted", "submitted"]
    assert [r["job_id"] for r in again[:2]] == [r["job_id"] for r in first]
    assert again[2]["script_id"] == half["script_id"]
    # one listing + a look-up for each of the 3 rows it named; one script (r3) and two jobs (r2, r3) made
    assert delta(before, calls(metastudio_conn)) == {"ListVideoScripts": 4, "ListDigitalHumanVideo": 3,
                                                      "CreateVideoScripts": 1, "Create2DDigitalHumanVideo": 2}


def test_the_listing_pages_through_every_script_of_the_batch(batch):
    hook, prefix, models = batch
    submit_rows(hook, ROWS, prefix=prefix, models=models)
    expected = {identity_token(prefix, r["id"]) for r in ROWS}
    assert existing_tokens(hook, prefix, page_size=3) == expected
    assert existing_tokens(hook, prefix + "-nothing") == set()


def test_a_failed_listing_looks_up_every_row(batch, metastudio_conn, monkeypatch):
    hook, prefix, models = batch
    (made,) = submit_rows(hook, ROWS[:1], prefix=prefix, models=models)
    real = hook.call

    def call(api: str, *args: Any, **kwargs: Any) -> dict:
        if api == "ListVideoScripts" and (kwargs.get("query") or {}).get("offset") is not None:
            raise MetaStudioError("listing refused")
        return real(api, *args, **kwargs)

    monkeypatch.setattr(hook, "call", call)
    assert existing_tokens(hook, prefix) is None
    (again,) = submit_rows(hook, ROWS[:1], prefix=prefix, models=models)
    assert again["status"] == "reused" and again["job_id"] == made["job_id"]
