"""Exactly-once on the run identity, never on the user's names (``tests/dags/run_identity.py``).

Two runs of one DAG with the same ``output_name``; every create of the second run fails once with
a 5xx before anything is made. A lookup by name would adopt the first run's resources; a lookup
by the run identity must find nothing and make the second run its own.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from .helpers import dag_run_env, emu_call, get_dag, task_states, xcoms

pytestmark = pytest.mark.airflow  # dag.test() runs (tier: tests/tiers.py)

CREATES = ("CreateDigitalAsset", "CreateVideoScripts", "Create2DDigitalHumanVideo", "Create2dModelTrainingJob",
           "CreateTrainingBasicJob")
IDS = (("upload", "asset_id"), ("video", "script_id"), ("video", "job_id"), ("avatar_job", "job_id"),
       ("voice_job", "job_id"))


def test_two_runs_with_the_same_output_name_make_two_of_everything(dagbag, emulator, tmp_path) -> None:
    image = tmp_path / "same.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n exactly once")
    name = f"same-name-{uuid.uuid4().hex[:8]}"
    conf = {"output_name": name, "image_path": str(image)}
    dag = get_dag(dagbag, "metastudio_exactly_once", "run_identity.py")
    with dag_run_env(emulator, job_seconds=1.0, training_seconds=1.0):
        first = dag.test(run_conf=conf)
        for api in CREATES:  # nothing is made: a retry that finds "its" resource by name adopts run 1's
            httpx.post(f"{emulator.base_url}/_emulator/faults",
                       json={"api": api, "mode": "error_before_commit", "status": 500, "count": 1}).raise_for_status()
        second = dag.test(run_conf=conf)
    pending = httpx.get(f"{emulator.base_url}/_emulator/faults").json()["pending"]
    assert pending == [], f"a create of run 2 never went out: {pending}"

    assert set(task_states(first).values()) == set(task_states(second).values()) == {"success"}
    one, two = xcoms(first), xcoms(second)
    for key in IDS:
        assert one[key] and two[key] and one[key] != two[key], f"{key}: run 2 reported run 1's {one[key]}"
    # each run reports its own job: the job of run 2 renders run 2's script
    job = emu_call(emulator, "Show2DDigitalHumanVideo", {"job_id": two[("video", "job_id")]})
    assert job["script_id"] == two[("video", "script_id")]
    # and MetaStudio holds two of each under the one name
    videos = emu_call(emulator, "ListDigitalHumanVideo", query={"asset_name": name, "limit": 10})
    assert sorted(j["job_id"] for j in videos["jobs"]) == sorted([one[("video", "job_id")], two[("video", "job_id")]])
    assets = emu_call(emulator, "ListAssets", query={"name": name, "accurate_query_field": "name",
                                                     "asset_type": "IMAGE", "limit": 10})
    assert assets["count"] == 2
    assert emu_call(emulator, "ListVideoScripts", query={"name": name, "limit": 10})["count"] == 2
    assert emu_call(emulator, "List2dModelTrainingJob", query={"name": name, "limit": 10})["count"] == 2
    assert emu_call(emulator, "ListVoiceTrainingJob", query={"voice_name": name, "limit": 10})["count"] == 2
