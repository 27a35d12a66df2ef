"""After a lost create response the client finds what that very call made, by its identity token.

One case per create with an identity field: the emulator creates the resource, then answers 500
(``error_after_commit``); the retry must find it (so the field round-trips through the list API),
and a same-named resource made by someone else must not be taken for it.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from metastudio_provider.catalog import get_api, get_path
from metastudio_provider.client.identity import identity_token
from metastudio_provider.hooks.metastudio import MetaStudioHook

CASES = {
    "CreateDigitalAsset": lambda name: {"asset_name": name, "asset_type": "IMAGE"},
    "CreateVideoScripts": lambda name: {"script_name": name},
    "CreateSmartLiveRoom": lambda name: {"room_name": name},
    "CreateProduct": lambda name: {"name": name},
    "Create2dModelTrainingJob": lambda name: {"name": name},
    "CreateTrainingBasicJob": lambda name: {"voice_name": name},
}


@pytest.mark.parametrize("api", sorted(CASES))
def test_lost_response_finds_only_what_this_call_made(metastudio_conn, api) -> None:
    emu, hook = metastudio_conn, MetaStudioHook()
    rule, id_key = get_api(api).dedupe, get_api(api).top_level_xcom_fields[0]
    name = f"lost-{uuid.uuid4().hex[:8]}"
    other = hook.call(api, body=CASES[api](name))[id_key]  # same name, made by someone else
    httpx.post(f"{emu.base_url}/_emulator/faults",
               json={"api": api, "mode": "error_after_commit", "status": 500, "count": 1}).raise_for_status()
    token = identity_token("dag", uuid.uuid4().hex, "task", -1)
    made = hook.create_or_resume(api, CASES[api](name), identity=token, look=False)
    assert made.get("found_existing") is True and made[id_key] != other
    listing = hook.call(rule.list, query={"limit": 100})
    same_name = [i for i in listing[rule.items] if get_path(i, rule.match) == name]
    assert sorted(i[id_key] for i in same_name) == sorted([other, made[id_key]])  # no duplicate
    assert hook.find_existing(api, CASES[api](name), identity=token)[id_key] == made[id_key]


@pytest.mark.parametrize("look", [False, True])
def test_what_a_lost_answer_or_a_lookup_finds_goes_through_resume(metastudio_conn, look) -> None:
    """Found by the client after a lost answer (``look=False``) or by looking first, a resource is handed
    to ``resume`` either way; ``resume`` returning None (it deleted the resource) makes it once more."""
    emu, hook = metastudio_conn, MetaStudioHook()
    api, name = "Create2dModelTrainingJob", f"resume-{uuid.uuid4().hex[:8]}"
    token = identity_token("dag", uuid.uuid4().hex, "train", -1)
    if look:
        first = hook.call(api, body={"name": name, "tags": [token]})["job_id"]  # an earlier try made it
    else:
        httpx.post(f"{emu.base_url}/_emulator/faults",
                   json={"api": api, "mode": "error_after_commit", "status": 500, "count": 1}).raise_for_status()
    handed: list[dict] = []

    def resume(found: dict) -> None:
        handed.append(found)
        hook.call("Delete2dModelTrainingJob", {"job_id": found["job_id"]})
        return None

    made = hook.create_or_resume(api, {"name": name}, identity=token, look=look, resume=resume)
    assert [f["state"] for f in handed] == ["WAIT_FILE_UPLOAD"] and handed[0]["found_existing"] is True
    if look:
        assert handed[0]["job_id"] == first
    assert made["job_id"] != handed[0]["job_id"] and made.get("training_video_upload_url")  # a fresh create
    jobs = hook.call("List2dModelTrainingJob", query={"tag": token, "limit": 100})["jobs"]
    assert [j["job_id"] for j in jobs] == [made["job_id"]]
