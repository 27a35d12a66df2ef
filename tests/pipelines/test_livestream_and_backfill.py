"""The daily livestream (short duration) and the video backfill, end to end against the emulator."""

from __future__ import annotations

import httpx

from metastudio_provider.hooks.metastudio import MetaStudioHook


def _videos_named(prefix: str) -> list[dict]:
    jobs = MetaStudioHook().call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]
    return [j for j in jobs if (j.get("output_asset_config") or {}).get("asset_name", "").startswith(prefix)]


def test_daily_livestream_goes_live_stops_and_records(run_dag, metastudio_conn):
    result = run_dag("metastudio_daily_livestream", conf={"duration_minutes": 0.05}, logical_date="2026-11-22")
    assert result.returncode == 0, result.output[-3000:]
    states = result.task_states()
    assert all(s == ["success"] for s in states.values()), states
    (outcome,) = result.xcom("record_outcome")
    assert outcome["went_live"] and outcome["final_state"] == "SUCCEED" and outcome["success"]
    room = MetaStudioHook().call("ShowSmartLiveRoom", {"room_id": outcome["room_id"]})
    assert room["room_name"] == "airflow-daily-showcase"
    assert len(room["scene_scripts"][0]["shoot_scripts"]) == 3


def test_livestream_refuses_a_room_that_is_already_live(run_dag, metastudio_conn):
    first = run_dag("metastudio_daily_livestream", conf={"duration_minutes": 0.05}, logical_date="2026-11-23")
    assert first.returncode == 0, first.output[-3000:]
    (outcome,) = first.xcom("record_outcome")
    hook = MetaStudioHook()
    other = hook.call("StartSmartLive", {"room_id": outcome["room_id"]}, body={})["job_id"]  # someone else's stream
    try:
        second = run_dag("metastudio_daily_livestream", conf={"duration_minutes": 0.05}, logical_date="2026-11-24")
        states = second.task_states()
        assert states["start_livestream"] == ["failed"], states
        assert "already live" in second.output
        assert states["stop_livestream"] == ["skipped"]  # the other livestream is left alone
        assert hook.show_live_job(outcome["room_id"], other)["state"] in ("WAITING", "PROCESSING")
    finally:
        hook.call("StopSmartLive", {"room_id": outcome["room_id"], "job_id": other})


def test_backfill_date_with_a_bad_row_makes_the_good_ones_once(run_dag, metastudio_conn):
    first = run_dag("metastudio_video_backfill", logical_date="2026-11-21")
    states = first.task_states()
    assert states["submit_chunk"] == ["failed"], states  # the bad row fails its chunk, by name
    assert "broken-row" in first.output and "'script' is empty" in first.output
    assert states["wait_for_videos"] == ["success"] and states["report"] == ["success"], first.output[-4000:]
    (report,) = first.xcom("report")
    assert report["succeeded"] == 2 and report["failed_rows"] == ["broken-row"]
    made = _videos_named("metastudio_video_backfill-2026-11-21-")
    assert sorted(j["output_asset_config"]["asset_name"].rsplit("-", 1)[-1] for j in made) == ["thanks", "weekend"]

    again = run_dag("metastudio_video_backfill", logical_date="2026-11-21")  # re-run the same date
    (rows,) = again.xcom("submit_chunk", key="rows")
    assert {r["row"]: r["status"] for r in rows} == {"weekend": "reused", "broken-row": "failed", "thanks": "reused"}
    assert len(_videos_named("metastudio_video_backfill-2026-11-21-")) == 2


def test_date_without_manifest_is_skipped(run_dag, metastudio_conn):
    result = run_dag("metastudio_video_backfill", logical_date="2026-11-25")
    assert result.task_states()["load_manifest"] == ["skipped"]
    assert httpx.get(f"{metastudio_conn.base_url}/_emulator/health").status_code == 200
