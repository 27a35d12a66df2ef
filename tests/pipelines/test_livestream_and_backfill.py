"""The daily livestream (every room, short shows) and the video backfill, end to end against the emulator."""

from __future__ import annotations

import json
import time

import httpx

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.claims import Claim
from metastudio_provider.utils.time import service_time
from tests.conftest import connection_json


def _videos_named(prefix: str) -> list[dict]:
    jobs = MetaStudioHook().call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]
    return [j for j in jobs if (j.get("output_asset_config") or {}).get("asset_name", "").startswith(prefix)]


def test_daily_livestream_shows_every_room_for_its_duration_and_records(run_dag, metastudio_conn):
    result = run_dag("metastudio_daily_livestream", conf={"duration_minutes": 0.05}, logical_date="2026-11-22")
    assert result.returncode == 0, result.output[-3000:]
    states = result.task_states()
    assert states["livestream.show"] == ["success", "success"], states  # one show per include/livestream/*.yaml
    assert all(set(s) == {"success"} for s in states.values()), states
    for task_id in ("livestream.plan_show", "livestream.prepare_room", "livestream.show"):  # rooms by name, not 0/1
        assert result.map_labels(task_id) == ["evening-deals", "room"], task_id
    (outcome,) = result.xcom("record_outcome", key="outcome")
    assert outcome["success"] and result.state == "success"
    assert result.note == "2 show(s) ran to their end"
    rooms = {r["room_definition"]: r for r in outcome["rooms"]}
    assert set(rooms) == {"livestream/room.yaml", "livestream/evening-deals.yaml"}
    hook = MetaStudioHook()
    for room in rooms.values():
        assert room["status"] == "success" and room["went_live"] and room["final_state"] == "SUCCEED", room
        (job_id,) = room["job_ids"]
        shown = hook.show_live_job(room["room_id"], job_id)
        assert -1.0 <= shown["duration"] - 3.0 <= 5.0, shown  # live 3 s, counted from MetaStudio's start_time
        claim = Claim.of_room(hook.call("ShowSmartLiveRoom", {"room_id": room["room_id"]}))
        assert claim is not None and claim.run_id == result.run_id and claim.task_id == "livestream.show"
    showcase = hook.call("ShowSmartLiveRoom", {"room_id": rooms["livestream/room.yaml"]["room_id"]})
    assert showcase["room_name"] == "airflow-daily-showcase"
    assert len(showcase["scene_scripts"][0]["shoot_scripts"]) == 3


def test_livestream_refuses_a_room_that_is_live_with_a_stream_it_did_not_start(run_dag, metastudio_conn):
    one_room = {"duration_minutes": 0.05, "room_definitions": ["livestream/room.yaml"]}
    first = run_dag("metastudio_daily_livestream", conf=one_room, logical_date="2026-11-23")
    assert first.returncode == 0, first.output[-3000:]
    (outcome,) = first.xcom("record_outcome", key="outcome")
    room_id = outcome["rooms"][0]["room_id"]
    hook = MetaStudioHook()
    other = hook.call("StartSmartLive", {"room_id": room_id}, body={})["job_id"]  # someone else's stream
    try:
        second = run_dag("metastudio_daily_livestream", conf=one_room, logical_date="2026-11-24")
        states = second.task_states()
        assert states["livestream.prepare_room"] == ["failed"], states
        assert second.tries("livestream.prepare_room") == 1  # not transient: no retry
        assert f"job {other}" in second.output and "this DAG did not start" in second.output
        assert states["livestream.show"] == ["upstream_failed"]  # nothing started, nothing stopped
        assert hook.show_live_job(room_id, other)["state"] in ("WAITING", "PROCESSING")  # left alone
        # the run says so and fails: record_outcome is not a green leaf over a failure
        assert states["record_outcome"] == ["failed"] and second.state == "failed"
        (recorded,) = second.xcom("record_outcome", key="outcome")
        assert recorded["success"] is False and recorded["rooms"][0]["status"] == "failed", recorded
        assert second.note.startswith("Failed: 1 of 1 show(s) did not run to their end"), second.note
    finally:
        hook.call("StopSmartLive", {"room_id": room_id, "job_id": other})


def test_the_janitor_leaves_a_livestream_no_run_started(run_dag, metastudio_conn):
    hook = MetaStudioHook()
    room_id = hook.call("CreateSmartLiveRoom", body={"room_name": "started-by-hand"})["room_id"]
    job_id = hook.call("StartSmartLive", {"room_id": room_id}, body={})["job_id"]
    try:
        result = run_dag("metastudio_livestream_janitor")
        assert result.returncode == 0 and result.state == "success", result.output[-3000:]
        assert result.xcom("stop_orphaned_livestreams") == [[]]
        assert hook.show_live_job(room_id, job_id)["state"] in ("WAITING", "PROCESSING")
    finally:
        hook.call("StopSmartLive", {"room_id": room_id, "job_id": job_id})


MANIFEST = """
- {id: weekend, title: Weekend deals, script: Everything is ten percent off this weekend.}
- {id: broken-row, title: A row with no script, script: ""}
- {id: thanks, title: Thank you, script: Thanks for watching.}
- {id: refused, title: An avatar that does not exist, script: Hello., avatar: no-such-avatar}
"""


def test_backfill_fails_after_reporting_rows_that_made_no_video(run_dag, metastudio_conn, tmp_path):
    """A row refused locally, one refused by MetaStudio, one whose video ends FAILED: the report (green)
    names each with its error code and message, then the run ends failed. A re-run makes only what is missing."""
    (tmp_path / "2026-11-21.yaml").write_text(MANIFEST)
    env = {"METASTUDIO_BATCHES_DIR": str(tmp_path)}
    planned = httpx.post(f"{metastudio_conn.base_url}/_emulator/video-jobs/end-next",
                         json={"error_code": "MSS.00000777", "error_msg": "render farm on fire", "count": 1})
    assert planned.status_code == 200, planned.text
    first = run_dag("metastudio_video_backfill", logical_date="2026-11-21", extra_env=env)
    states = first.task_states()
    assert states["submit_chunk"] == ["failed"] and first.tries("submit_chunk") == 1, states  # permanent: no retry
    assert "broken-row" in first.output and "'script' is empty" in first.output
    assert states["wait_for_videos"] == ["success"] and states["report"] == ["success"], first.output[-4000:]
    assert states["all_videos_made"] == ["failed"] and first.state == "failed"
    (report,) = first.xcom("report")
    failures = {f["row"]: f for f in report["failures"]}
    doomed = next(r for r in failures if r in ("weekend", "thanks"))  # the job that ended FAILED
    assert set(failures) == {"broken-row", "refused", doomed} and report["succeeded"] == 1
    assert failures["refused"]["error_code"] == "MSS.00000001" and "no-such-avatar" in failures["refused"]["error"]
    assert failures[doomed]["error_code"] == "MSS.00000777" and "render farm on fire" in failures[doomed]["error"]
    assert "3 of 4 row(s) made no video" in first.output

    again = run_dag("metastudio_video_backfill", logical_date="2026-11-21", extra_env=env)  # re-run the date
    (rows,) = again.xcom("submit_chunk", key="rows")
    ok = "thanks" if doomed == "weekend" else "weekend"
    assert {r["row"]: r["status"] for r in rows} == {ok: "reused", doomed: "submitted", "broken-row": "failed",
                                                     "refused": "failed"}
    (report,) = again.xcom("report")
    assert report["succeeded"] == 2 and sorted(report["failed_rows"]) == ["broken-row", "refused"]
    assert again.state == "failed"


GOOD_MANIFEST = """
- {id: weekend, title: Weekend deals, script: Everything is ten percent off this weekend.}
- {id: thanks, title: Thank you, script: Thanks for watching.}
- {id: outro, title: See you, script: See you tomorrow.}
"""


def _with_wrong_sk(emulator) -> str:
    conn = json.loads(connection_json(emulator))
    return json.dumps({**conn, "password": "not-the-sk-of-this-tenant"})


def test_backfill_whose_every_chunk_fails_ends_failed_counting_the_manifest(run_dag, metastudio_conn, tmp_path):
    """A wrong SK: every chunk fails at once (permanent 401). The rows still count: the report says 0 of 3
    made, names the cause once for all three, and the run ends failed (it was green with "0 of 0")."""
    (tmp_path / "2026-11-26.yaml").write_text(GOOD_MANIFEST)
    env = {"METASTUDIO_BATCHES_DIR": str(tmp_path), "METASTUDIO_BATCH_CHUNK_SIZE": "2",
           "AIRFLOW_CONN_METASTUDIO_DEFAULT": _with_wrong_sk(metastudio_conn)}
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-26", extra_env=env)
    states = result.task_states()
    assert states["submit_chunk"] == ["failed", "failed"], states
    assert states["report"] == ["success"] and states["all_videos_made"] == ["failed"], result.output[-4000:]
    assert result.state == "failed"
    (report,) = result.xcom("report")
    assert report["rows"] == 3 and report["succeeded"] == 0
    assert sorted(report["failed_rows"]) == ["outro", "thanks", "weekend"]
    causes = {g["error"]: g["rows"] for g in report["failure_groups"]}
    assert len(causes) == 2 and all("login/password (AK/SK)" in cause for cause in causes), causes  # one per chunk
    assert sorted(r for rows in causes.values() for r in rows) == ["outro", "thanks", "weekend"]
    assert "Batch: 0 of 3 videos made" in result.output
    assert "3 of 3 row(s) made no video" in result.output and "not-the-sk-of-this-tenant" not in result.output
    assert result.note.startswith("Failed: 3 of 3 row(s) made no video") and "AK/SK" in result.note, result.note


def test_backfill_without_its_connection_ends_failed_naming_it(run_dag, metastudio_conn, tmp_path):
    (tmp_path / "2026-11-27.yaml").write_text(GOOD_MANIFEST)
    env = {"METASTUDIO_BATCHES_DIR": str(tmp_path), "AIRFLOW_CONN_METASTUDIO_DEFAULT": None}
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-27", extra_env=env)
    assert result.task_states()["all_videos_made"] == ["failed"] and result.state == "failed", result.output[-4000:]
    (report,) = result.xcom("report")
    assert report["rows"] == 3 and report["succeeded"] == 0
    (group,) = report["failure_groups"]
    assert "metastudio_default" in group["error"] and sorted(group["rows"]) == ["outro", "thanks", "weekend"]


def test_backfill_whose_manifest_task_fails_for_another_reason_ends_failed(run_dag, metastudio_conn, tmp_path):
    """load_manifest refuses the run's conf: nothing counted, and no green "0 of 0" either."""
    (tmp_path / "2026-11-29.yaml").write_text(GOOD_MANIFEST)
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-29", conf={"chunk_sise": 3},
                     extra_env={"METASTUDIO_BATCHES_DIR": str(tmp_path)})
    states = result.task_states()
    assert states["load_manifest"] == ["failed"] and states["all_videos_made"] == ["failed"], states
    assert result.state == "failed" and "chunk_sise" in result.output
    (report,) = result.xcom("report")
    assert "chunk_sise" in report["manifest_error"]


def test_manifest_rows_need_explicit_unique_ids(run_dag, metastudio_conn, tmp_path):
    (tmp_path / "2026-11-28.yaml").write_text(
        "- {id: intro, script: Hello.}\n- {title: No id here, script: Hi.}\n- {id: intro, script: Again.}\n"
        "- {id: outro, script: Bye.}\n- {id: outro, script: Bye again.}\n")
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-28",
                     extra_env={"METASTUDIO_BATCHES_DIR": str(tmp_path)})
    states = result.task_states()
    assert states["load_manifest"] == ["failed"] and result.tries("load_manifest") == 1, states
    assert "row 2 (title 'No id here') has no id" in result.output
    assert "rows 1, 3 share the id 'intro'" in result.output and "rows 4, 5 share the id 'outro'" in result.output
    assert states["report"] == ["success"] and states["all_videos_made"] == ["failed"] and result.state == "failed"
    assert _videos_named("metastudio_video_backfill-2026-11-28-") == []  # nothing was submitted


def test_date_without_manifest_is_skipped(run_dag, metastudio_conn):
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-25")
    states = result.task_states()
    assert states["load_manifest"] == ["skipped"] and "no batch manifest for 2026-11-25" in result.output
    assert result.note.startswith("no batch manifest for 2026-11-25"), result.note  # the reason on the run
    assert all(s == ["skipped"] for s in states.values()), states  # skipped, not a green report of nothing
    assert result.state == "success"
    assert httpx.get(f"{metastudio_conn.base_url}/_emulator/health").status_code == 200


def test_daily_livestream_goes_live_once_per_room_through_a_faulty_network(run_dag, metastudio_conn):
    """Issue 19: every MetaStudio call through a seeded faulty proxy (20 % 5xx, before or after processing;
    10 % resets; 5 % lost responses). Each room goes live once (no second job for one start), the run succeeds."""
    from tests.faulty_proxy import FaultyProxy

    emu, started = metastudio_conn, time.time()
    with FaultyProxy(emu.base_url, seed=19, error_rate=0.20, reset_rate=0.10, lost_rate=0.05) as proxy:
        faulty = json.loads(connection_json(emu))
        faulty["extra"].update(endpoint=proxy.url, max_backoff=2)  # a streak of faults costs seconds, not minutes
        result = run_dag("metastudio_daily_livestream", conf={"duration_minutes": 0.05}, logical_date="2026-11-24",
                         extra_env={"AIRFLOW_CONN_METASTUDIO_DEFAULT": json.dumps(faulty)}, timeout=400)
    print(f"faults injected: {dict(proxy.counts)}")
    assert proxy.counts["error_before"] + proxy.counts["error_after"] >= 3 and proxy.counts["reset"] >= 2
    assert proxy.counts["lost"] >= 1
    assert result.returncode == 0, result.output[-3000:]
    assert result.state == "success", result.task_states()
    (outcome,) = result.xcom("record_outcome", key="outcome")
    hook = MetaStudioHook()
    for room in outcome["rooms"]:
        assert room["status"] == "success" and room["went_live"] and room["final_state"] == "SUCCEED", room
        jobs = hook.call("ListSmartLive", {"room_id": room["room_id"]}, query={"limit": 100})["smart_live_jobs"]
        started_since = [j["job_id"] for j in jobs if (service_time(j.get("create_time")) or 0) >= started - 1]
        assert started_since == room["job_ids"] and len(room["job_ids"]) == 1, (room, jobs)  # one start, once
