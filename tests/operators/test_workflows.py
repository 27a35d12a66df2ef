"""Workflow operators and sensors in real DAG runs (``tests/dags/workflows.py``) against the emulator.

``dag.test()`` runs the triggers of deferred tasks inline; ``dag_run_env`` records each of those
deferrals, so the tests can tell a sensor that really waited in the triggerer from one whose
resource was already done at its first check.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from metastudio_provider.client.identity import identity_token

from .helpers import dag_run_env, emu_call, get_dag, task_states, try_numbers, xcoms

pytestmark = pytest.mark.airflow  # dag.test() runs (tier: tests/tiers.py)

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
# Long enough that every resource is still running at its sensor's first check, so the deferrable ones
# really defer; short, because the run waits for each in turn. A sensor runs right after its create (one
# task, ~0.3 s on a quiet machine); a busy CI machine took over 1.2 s once for video_deferrable and over 1 s
# for live_deferrable, hence 2.5 s for every kind.
FAST = {"job_seconds": 2.5, "live_start_seconds": 2.5, "training_seconds": 2.5, "tts_seconds": 2.5}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, object]:
    """The files the DAGs upload, written here and passed as run conf."""
    folder = tmp_path_factory.mktemp("workflow-inputs")
    data = {
        "image_path": b"\x89PNG\r\n\x1a\n a background written by the test",
        "second_image_path": b"\x89PNG\r\n\x1a\n a second image, read through ObjectStoragePath",
        "video_path": b"\x00\x00\x00\x18ftypmp42 a training video written by the test",
        "voice_zip_path": b"PK\x03\x04 voice training data written by the test",
    }
    names = {"image_path": "background.png", "second_image_path": "second.png", "video_path": "training.mp4",
             "voice_zip_path": "voice.zip"}
    conf = {}
    for key, content in data.items():
        path = folder / names[key]
        path.write_bytes(content)
        conf[key] = str(path)
    return {"conf": conf, "data": data}


def download(url: str) -> bytes:
    response = httpx.get(url, timeout=10)
    assert response.status_code == 200, response.text
    return response.content


# -- the happy paths ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def happy(dagbag, emulator, inputs):
    dag = get_dag(dagbag, "metastudio_workflows", "workflows.py")
    with dag_run_env(emulator, **FAST) as deferrals:
        dag_run = dag.test(run_conf=inputs["conf"])
    return dag, dag_run, xcoms(dag_run), deferrals


def result(happy, task_id: str):
    return happy[2][(task_id, "return_value")]


def test_every_workflow_task_succeeded(happy) -> None:
    dag, dag_run, _, _ = happy
    states = task_states(dag_run)
    assert set(states) == set(dag.task_ids)
    assert {t: s for t, s in states.items() if s != "success"} == {}


def test_upload_asset_from_a_path_and_an_object_storage_path(happy, emulator, inputs) -> None:
    values = happy[2]
    for task_id, key in [("upload_local", "image_path"), ("upload_object", "second_image_path")]:
        out = result(happy, task_id)
        assert out["asset_state"] == "ACTIVED" and HEX_ID.match(out["asset_id"])
        assert values[(task_id, "asset_id")] == out["asset_id"]
        console_url = f"{emulator.base_url}/_emulator/ui/assets/{out['asset_id']}"
        assert values[(task_id, "metastudio_console_url")] == console_url
        asset = emu_call(emulator, "ShowAsset", {"asset_id": out["asset_id"]})
        (main,) = [f for f in asset["files"] if f["asset_file_category"] == "MAIN"]
        assert main["file_name"] == inputs["conf"][key].rsplit("/", 1)[1]
        assert download(main["download_url"]) == inputs["data"][key]  # the bytes of the test's file
    local = emu_call(emulator, "ShowAsset", {"asset_id": result(happy, "upload_local")["asset_id"]})
    assert local["tags"][0] == "from-a-path" and local["asset_name"].startswith("asset-upload_local-")
    assert re.fullmatch(r"af-[0-9a-f]{13}", local["tags"][1])  # the task instance's identity token
    obj = emu_call(emulator, "ShowAsset", {"asset_id": result(happy, "upload_object")["asset_id"]})
    assert obj["asset_name"] == f"object-{happy[1].run_id}"
    assert result(happy, "asset_deferrable")["state"] == "ACTIVED"
    assert result(happy, "asset_poke")["state"] == "ACTIVED"


def test_create_video_waits_deferred_and_returns_the_output(happy, emulator) -> None:
    out = result(happy, "create_video")
    assert out["state"] == "SUCCEED"
    assert HEX_ID.match(out["output_asset_id"]) and out["download_url"].startswith("http")
    assert download(out["download_url"]).startswith(b"\x00\x00\x00\x18ftyp")
    job = emu_call(emulator, "Show2DDigitalHumanVideo", {"job_id": out["job_id"]})
    assert job["output_asset_config"]["asset_id"] == out["output_asset_id"]
    assert job["script_id"] == happy[2][("create_video", "script_id")]
    script = emu_call(emulator, "ShowVideoScript", {"script_id": job["script_id"]})
    background = script["shoot_scripts"][0]["shoot_script"]["background_config"][0]["background_asset_id"]
    assert background == result(happy, "upload_local")["asset_id"]


def test_video_sensors_and_the_many_jobs_sensor(happy) -> None:
    values = happy[2]
    for sensor, creator in [("video_deferrable", "more_video_1"), ("video_poke", "more_video_2")]:
        out = result(happy, sensor)
        assert out["state"] == "SUCCEED" and out["ids"] == {"job_id": values[(creator, "job_id")]}
        assert out["response"]["output_asset_config"]["asset_id"]
    assert result(happy, "more_video_2")["job_id"] != result(happy, "more_video_1")["job_id"]
    jobs = result(happy, "all_videos")
    expected = {values[("create_video", "job_id")], values[("more_video_1", "job_id")],
                values[("more_video_3", "job_id")]}
    assert set(jobs) == expected
    assert all(j["state"] == "SUCCEED" and HEX_ID.match(j["output_asset_id"]) for j in jobs.values())


def test_livestream_start_live_stop_ended(happy, emulator) -> None:
    values = happy[2]
    room_id, job_id = values[("create_room", "room_id")], values[("start_live", "job_id")]
    assert result(happy, "start_live") == {"room_id": room_id, "job_id": job_id}
    assert result(happy, "live_deferrable")["state"] == "PROCESSING"
    assert result(happy, "live_poke")["state"] == "PROCESSING"
    assert result(happy, "stop_live") == {"room_id": room_id, "job_id": job_id, "state": "SUCCEED"}
    assert result(happy, "live_ended")["state"] == "SUCCEED"
    second = result(happy, "start_live_and_wait")
    assert second["state"] == "PROCESSING" and second["job_id"] != job_id
    assert result(happy, "stop_live_again")["state"] == "SUCCEED"
    jobs = emu_call(emulator, "ListSmartLive", {"room_id": room_id})["smart_live_jobs"]
    assert sorted((j["job_id"], j["state"]) for j in jobs) == sorted(
        [(job_id, "SUCCEED"), (second["job_id"], "SUCCEED")])


def test_avatar_and_voice_training(happy, emulator, inputs) -> None:
    avatar = result(happy, "train_avatar")
    assert avatar["state"] == "JOB_SUCCESS" and happy[2][("train_avatar", "asset_id")] == avatar["asset_id"]
    assert emu_call(emulator, "ShowAsset", {"asset_id": avatar["asset_id"]})["asset_type"] == "HUMAN_MODEL_2D"
    job = emu_call(emulator, "Show2dModelTrainingJob", {"job_id": avatar["job_id"]})
    assert download(job["training_video_download_url"]) == inputs["data"]["video_path"]
    assert result(happy, "avatar_deferrable")["state"] == "JOB_SUCCESS"

    for task_id, job_type in [("train_voice", "MIDDLE"), ("train_voice_polling", "BASIC")]:
        voice = result(happy, task_id)
        assert voice["state"] == "SUCCEED" and HEX_ID.match(voice["asset_id"])
        assert emu_call(emulator, "ShowAsset", {"asset_id": voice["asset_id"]})["asset_type"] == "VOICE_MODEL"
        assert emu_call(emulator, "ShowVoiceTrainingJob", {"job_id": voice["job_id"]})["job_type"] == job_type
    assert result(happy, "voice_deferrable")["state"] == "SUCCEED"


def test_tts_audition_sensors(happy) -> None:
    for task_id in ("tts_deferrable", "tts_poke"):
        out = result(happy, task_id)
        assert out["state"] == "TRUE" and out["response"]["files"][0]["download_url"].startswith("http")
    assert download(result(happy, "tts_deferrable")["response"]["files"][0]["download_url"]).startswith(b"RIFF")


def test_the_sensors_and_waits_really_deferred(happy) -> None:
    deferred = {d["task_id"]: d for d in happy[3]}
    must_defer = {
        "create_video": "video_job", "video_deferrable": "video_job",
        "live_deferrable": "live_job_on_air", "start_live_and_wait": "live_job_on_air",
        "train_avatar": "avatar_training_job", "avatar_deferrable": "avatar_training_job",
        "train_voice": "voice_training_job", "voice_deferrable": "voice_training_job",
        "tts_deferrable": "tts_audition",
    }
    assert {t: deferred.get(t, {}).get("kind") for t in must_defer} == must_defer
    assert deferred["all_videos"]["trigger"] == "VideoJobsTrigger"
    assert all(d["event"]["status"] == "success" for d in happy[3])
    never = {"upload_object", "asset_poke", "video_poke", "live_poke", "live_ended", "stop_live_again",
             "train_voice_polling", "tts_poke",  # deferrable=False: they poll in the worker
             "upload_local", "stop_live"}  # already ACTIVED / SUCCEED when checked: nothing to wait for
    assert never.isdisjoint(deferred)


# -- failures -----------------------------------------------------------------------------------------


def test_failures_fail_with_clear_messages(dagbag, emulator, capfd, caplog) -> None:
    dag = get_dag(dagbag, "metastudio_workflow_failures", "workflows.py")
    with dag_run_env(emulator, **FAST, failure_rate=1.0) as deferrals:
        dag_run = dag.test()
    states = task_states(dag_run)
    out = capfd.readouterr()
    logs = out.out + out.err + caplog.text

    must_fail = ["failed_video_deferrable", "failed_video_poke", "failed_videos", "failing_video_waited",
                 "asset_timeout_deferrable", "asset_timeout_poke", "missing_video"]
    assert {t: states[t] for t in must_fail} == dict.fromkeys(must_fail, "failed")
    assert states["failing_video"] == states["never_uploaded"] == "success"
    job_id = xcoms(dag_run)[("failing_video", "job_id")]
    assert emu_call(emulator, "Show2DDigitalHumanVideo", {"job_id": job_id})["state"] == "FAILED"

    # MetaStudio's error_info reaches the message, for the sensor in both modes and the operator
    assert re.search(rf"video_job \{{'job_id': '{job_id}'\}} ended FAILED: .*MSS\.00010001.*Video rendering failed",
                     logs)
    assert re.search(r"1 video job\(s\) did not succeed: .*MSS\.00010001", logs)
    assert logs.count("MSS.00010001") >= 3
    # a timeout says what was awaited, its state and how long
    assert re.search(r"asset \{'asset_id': '[0-9a-f]{32}'\} still CREATING after 1 s", logs)
    assert re.search(r"Sensor has timed out; run duration of [\d.]+ seconds exceeds the specified timeout of 1\.0",
                     logs)
    # a job that does not exist fails at once with MetaStudio's 404, it is not waited for
    assert re.search(r"Show2DDigitalHumanVideo failed: HTTP 404", logs)
    kinds = {d["task_id"]: (d["kind"], d["event"]["status"]) for d in deferrals}
    assert kinds["asset_timeout_deferrable"] == ("asset", "timeout")
    assert kinds["failed_video_deferrable"] == ("video_job", "failure")


# -- retried creates do not duplicate ----------------------------------------------------------------


def test_retried_creates_carry_on_with_what_try_1_made(dagbag, emulator, inputs) -> None:
    dag = get_dag(dagbag, "metastudio_workflow_retries", "workflows.py")
    with dag_run_env(emulator, **FAST):
        dag_run = dag.test(run_conf=inputs["conf"])
    states, tries, values = task_states(dag_run), try_numbers(dag_run), xcoms(dag_run)
    assert {t: s for t, s in states.items() if s != "success"} == {}
    flaky = ("flaky_video", "flaky_upload", "flaky_asset", "flaky_avatar", "flaky_avatar_no_video")
    assert {t: tries[t] for t in flaky} == dict.fromkeys(flaky, 2)  # each failed once, then succeeded

    # exactly one video job and one script, the one the retry returned (and the sensor saw succeed)
    job_id = values[("flaky_video", "return_value")]["job_id"]
    job = emu_call(emulator, "Show2DDigitalHumanVideo", {"job_id": job_id})
    name = job["output_asset_config"]["asset_name"]
    listed = emu_call(emulator, "ListDigitalHumanVideo", query={"asset_name": name, "limit": 100})["jobs"]
    assert [j["job_id"] for j in listed if j["output_asset_config"]["asset_name"] == name] == [job_id]
    scripts = emu_call(emulator, "ListVideoScripts", query={"name": "script-flaky_video-", "limit": 100})
    mine = [s for s in scripts["video_scripts"] if s["script_id"] == job["script_id"]]
    same_name = [s for s in scripts["video_scripts"] if s["script_name"] == mine[0]["script_name"]]
    assert len(same_name) == 1
    assert values[("flaky_video_done", "return_value")]["ids"] == {"job_id": job_id}

    # exactly one asset for the upload, with one MAIN file; exactly one for the API operator's create
    for task_id in ("flaky_upload", "flaky_asset"):
        asset_id = values[(task_id, "return_value")]["asset_id"]
        asset = emu_call(emulator, "ShowAsset", {"asset_id": asset_id})
        same = emu_call(emulator, "ListAssets", query={"name": asset["asset_name"], "limit": 100})["assets"]
        assert [a["asset_id"] for a in same if a["asset_name"] == asset["asset_name"]] == [asset_id], task_id
    upload = emu_call(emulator, "ShowAsset", {"asset_id": values[("flaky_upload", "return_value")]["asset_id"]})
    assert [f["asset_file_category"] for f in upload["files"]] == ["MAIN"]
    assert values[("flaky_asset", "return_value")].get("found_existing") is True  # from the dedupe lookup

    # avatar training: try 1 made the job and uploaded its video, then died before submitting it. The retry
    # finds the job waiting for its video, sees the video arrived, submits it: one job, trained
    avatar = values[("flaky_avatar", "return_value")]
    assert avatar["state"] == "JOB_SUCCESS"
    job = emu_call(emulator, "Show2dModelTrainingJob", {"job_id": avatar["job_id"]})
    assert [log["log_type"] for log in job["operation_logs"]] == ["CREATE_JOB", "SUBMITVERIFYING"]
    assert download(job["training_video_download_url"]) == inputs["data"]["video_path"]
    # try 1 died before the upload: its job (whose upload URLs died with it) is deleted and made again
    again = values[("flaky_avatar_no_video", "return_value")]
    assert again["state"] == "JOB_SUCCESS"
    jobs = emu_call(emulator, "List2dModelTrainingJob", query={"limit": 100})["jobs"]
    for task_id, result in (("flaky_avatar", avatar), ("flaky_avatar_no_video", again)):
        token = identity_token(dag.dag_id, dag_run.run_id, task_id, -1)
        assert [j["job_id"] for j in jobs if token in (j.get("tags") or [])] == [result["job_id"]], task_id


def test_retried_avatar_training_finds_its_job_among_many(metastudio_conn) -> None:
    from metastudio_provider.client.identity import identity_token
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    hook = MetaStudioHook()
    name = f"avatar-retry-{uuid.uuid4().hex}"
    token = identity_token("dag", "run", "train", -1)
    mine = hook.create_or_resume("Create2dModelTrainingJob", {"name": name}, identity=token)["job_id"]
    for i in range(10):  # other jobs, made later by other task instances, some with the very same name
        hook.create_or_resume("Create2dModelTrainingJob", {"name": name if i % 2 else f"{name}-other-{i}"},
                             identity=identity_token("dag", f"run-{i}", "train", -1))
    found = hook.find_existing("Create2dModelTrainingJob", {"name": name}, identity=token)
    assert found is not None and found["job_id"] == mine
    assert hook.find_existing("Create2dModelTrainingJob", {"name": name}) is None  # a name alone identifies nothing
