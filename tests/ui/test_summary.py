"""The MetaStudio view's figures (``ui/summary.py``), computed from records and from real listings of an
emulator (over HTTP, through the client and its limiter), as the api-server computes them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import httpx
import pytest

from metastudio_provider.batches.submission import submit_row
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.steps import Plan, ShowState, StartAttempt, exit_hours, with_live_exit
from metastudio_provider.ui import sources, summary
from metastudio_provider.ui.records import Records, RowFailure, ShowTask, TaskRef, VideoJobRef
from tests.conftest import connection_json

DURATION = 600.0


@pytest.fixture(scope="module")
def emu():
    from metastudio_emulator.testing import running_emulator

    with running_emulator(job_seconds=60.0, live_start_seconds=0.2) as running:
        yield running


@pytest.fixture
def world(emu, tmp_path, monkeypatch):
    """A live show in a room and two video jobs of a backfill run (one failed by MetaStudio)."""
    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(emu))
    monkeypatch.setenv("METASTUDIO_USAGE_DIR", str(tmp_path))
    sources.LISTINGS.clear()
    sources.LIMITS.clear()
    with MetaStudioHook() as hook:
        room = hook.call("CreateSmartLiveRoom", body={"room_name": "evening-deals"})["room_id"]
        sent = time.time()
        job = hook.call("StartSmartLive", {"room_id": room}, body=with_live_exit({}, exit_hours(DURATION)))["job_id"]
        models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
                  "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
        rows = [submit_row(hook, {"id": r, "script": "Hello there."}, prefix=f"bf-{time.time_ns()}", models=models)
                for r in ("row-a", "row-b")]
    end = httpx.post(f"{emu.base_url}/_emulator/video-jobs/{rows[1]['job_id']}/end",
                     json={"state": "FAILED", "error_code": "MSS.00010002", "error_msg": "avatar not allowed"})
    assert end.status_code == 200, end.text
    time.sleep(0.4)  # the livestream goes live (live_start_seconds)
    show = ShowState(plan=Plan(room_id=room, starts_at=datetime.now(UTC).isoformat(), duration=DURATION),
                     restarts=1, job_ids=(job,), start_attempts=(StartAttempt(at=sent, job_id=job),))
    chunk = TaskRef("metastudio_video_backfill", "backfill__2026-11-20", "submit_chunk", 0)
    now = time.time()
    records = Records(
        shows=[ShowTask(TaskRef("metastudio_daily_livestream", "manual__1", "livestream.show", 0), "deferred",
                        show.to_json(), job)],
        video_jobs=[VideoJobRef(r["job_id"], chunk, "running", r["row"]) for r in rows],
        row_failures=[RowFailure(chunk, "broken-row", None, "row 3 (id 'broken-row'): 'script' is empty", now)],
        video_seconds=[("metastudio_video_pipeline", now - 86400, 90.0), ("metastudio_video_backfill", now, 30.0)],
        live_spans=[("metastudio_daily_livestream", now - 10, now - 5)],
    )
    return {"records": records, "room": room, "job": job, "rows": rows, "emu": emu}


def build(world, price=None):
    records = world["records"]
    tenant = sources.tenant("metastudio_default")
    live = sources.listing("metastudio_default", "ListSmartLiveJobs", "smart_live_jobs")
    videos = sources.listing("metastudio_default", "ListDigitalHumanVideo", "jobs")
    now = time.time()  # after the listings, so that their calls are counted (a second may turn meanwhile)
    states, counts = sources.limiter_state(tenant, now)
    return summary.build_summary(records, live_jobs=live, video_jobs=videos, tenant=tenant, states=states,
                                 counts=counts, now=now, price_per_minute=price, user="admin")


def test_live_now_shows_the_room_its_time_left_and_what_stops_it(world):
    (room,) = build(world)["live"]["rooms"]
    assert room["room_name"] == "evening-deals" and room["job_id"] == world["job"]
    assert room["metastudio_state"] == "PROCESSING"
    assert DURATION - 5 < room["seconds_left"] <= DURATION, room  # counted from MetaStudio's start time
    assert room["restarts"] == 1 and room["max_restarts"] == 2
    assert room["run_link"] == "/dags/metastudio_daily_livestream/runs/manual__1"
    assert room["task_link"].endswith("/tasks/livestream.show/mapped/0")
    watcher, server = room["stopped_by"]
    assert watcher["by"] == "watcher" and watcher["at"] == room["planned_end"]
    assert server["by"] == "server" and server["hours"] == 1  # 10 min + the 5-min margin, in whole hours


def test_a_show_whose_livestream_ended_is_not_live(world):
    with MetaStudioHook() as hook:
        hook.call("StopSmartLive", {"room_id": world["room"], "job_id": world["job"]})
    assert build(world)["live"]["rooms"] == []


def test_rendering_groups_jobs_by_run_with_states_and_the_latest_failures(world):
    rendering = build(world)["rendering"]
    (run,) = rendering["runs"]
    assert run["dag_id"] == "metastudio_video_backfill" and run["in_flight"] == 1
    assert sum(run["states"].values()) == 2 and run["states"]["FAILED"] == 1, run
    codes = {f["row"]: (f["error_code"], f["error_msg"]) for f in rendering["failures"]}
    assert codes["row-b"] == ("MSS.00010002", "avatar not allowed")
    assert "'script' is empty" in codes["broken-row"][1]
    assert all(f["task_link"].endswith("/tasks/submit_chunk/mapped/0") for f in rendering["failures"])


def test_usage_per_day_and_dag_with_an_estimated_cost(world):
    usage = build(world, price=0.5)["usage"]
    today, yesterday = usage["days"][-1], usage["days"][-2]
    assert len(usage["days"]) == 30 and today == datetime.now(UTC).date().isoformat()
    assert usage["dags"]["metastudio_video_pipeline"]["video"][-2] == 1.5, yesterday
    assert usage["dags"]["metastudio_video_backfill"]["video"][-1] == 0.5
    live = usage["dags"]["metastudio_daily_livestream"]["live"][-1]
    assert 5 / 60 < live < 1, live  # 5 s finished, plus the live show so far
    assert usage["estimated_cost"] == pytest.approx((usage["video_minutes"] + usage["live_minutes"]) * 0.5, abs=0.01)
    assert build(world)["usage"]["estimated_cost"] is None


def test_limits_count_every_call_made_and_chart_the_admitted_rate(world):
    limits = {row["api"]: row for row in build(world)["limits"]["apis"]}
    start = limits["StartSmartLive"]
    assert start["table"] > 0 and start["calls_last_minute"] == 1 and start["throttled_last_hour"] == 0
    assert len(start["series"]) == 90 and sum(start["series"]) == pytest.approx(0.1)  # 1 call in a 10-s bucket
    assert limits["Create2DDigitalHumanVideo"]["calls_last_minute"] == 2
    assert limits["ListDigitalHumanVideo"]["calls_last_minute"] >= 1  # the view's own list call counts too


def test_many_viewers_make_one_list_call_per_api_per_10_s(world):
    emu = world["emu"]
    before = emu.stats()["apis"].get("ListDigitalHumanVideo", {}).get("requests", 0)
    for _ in range(5):
        build(world)
    after = emu.stats()["apis"]["ListDigitalHumanVideo"]["requests"]
    assert after - before == 1, (before, after)


def test_a_listing_that_fails_says_why_and_is_not_retried_at_once(emu, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_BROKEN", json.dumps({"conn_type": "metastudio", "login": emu.ak, "password":
                       "very-secret-sk", "extra": {"region": emu.region, "project_id": emu.project_id,
                                                   "endpoint": emu.base_url}}))
    sources.LISTINGS.clear()
    failed = sources.listing("broken", "ListDigitalHumanVideo", "jobs")  # a wrong SK: refused
    assert failed.items == [] and failed.error and "ListDigitalHumanVideo" in failed.error
    assert "very-secret-sk" not in failed.error
    assert sources.listing("broken", "ListDigitalHumanVideo", "jobs") is failed  # cached for 10 s


def test_the_summary_never_holds_the_secret_key(world):
    text = json.dumps(build(world))
    assert world["emu"].sk not in text and world["emu"].ak not in text



@pytest.fixture(scope="module")
def quick_emu():
    """An emulator whose videos render in 1 s, so that one succeeds during the test."""
    from metastudio_emulator.testing import running_emulator

    with running_emulator(job_seconds=1.0) as running:
        yield running


def test_a_batch_s_finish_counts_its_rows_still_to_submit_at_the_submit_rate(quick_emu, tmp_path, monkeypatch):
    """A run with 40 rows not submitted yet: its estimated finish is now + those rows at the rate a row is
    submitted (the slower of its two creates; memory:// has no learned rate, so the table's) + the render time
    learned from a job that succeeded. Before any job succeeded there is no estimate, not a wrong one."""
    from metastudio_provider.catalog import all_apis
    from metastudio_provider.ui.records import RowsToSubmit

    monkeypatch.setenv("AIRFLOW_CONN_METASTUDIO_DEFAULT", connection_json(quick_emu))
    monkeypatch.setenv("METASTUDIO_USAGE_DIR", str(tmp_path))
    sources.LISTINGS.clear()
    sources.LIMITS.clear()
    batch = {"records": Records(to_submit=[
        RowsToSubmit("metastudio_video_backfill", "backfill__2026-11-21", "running", rows=40, chunks=1),
        RowsToSubmit("metastudio_video_backfill", "backfill__2026-11-22", "running", rows=10, chunks=1)])}
    before = {r["run_id"]: r for r in build(batch)["rendering"]["runs"]}
    assert before["backfill__2026-11-21"]["to_submit"] == 40 and before["backfill__2026-11-22"]["to_submit"] == 10
    assert all(r["in_flight"] == 0 and r["estimated_finish"] is None for r in before.values())

    with MetaStudioHook() as hook:  # a job that succeeds: a render time to learn from
        models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
                  "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
        done = submit_row(hook, {"id": "done", "script": "Hi."}, prefix=f"bf-{time.time_ns()}", models=models)
        deadline = time.monotonic() + 15
        while hook.show_video_job(done["job_id"])["state"] != "SUCCEED":
            assert time.monotonic() < deadline, "the 1-s render did not succeed"
            time.sleep(0.3)
    sources.LISTINGS.clear()
    now = time.time()
    rendering = build(batch)["rendering"]
    region = sources.tenant("metastudio_default").region
    rate = min(all_apis()[name].limit(region) for name in summary.ROW_CREATES)
    assert rendering["submit_rate"] == rate and rendering["render_seconds"] is not None, rendering
    runs = {r["run_id"]: r for r in rendering["runs"]}
    finish = {run: datetime.fromisoformat(r["estimated_finish"]).timestamp() - now for run, r in runs.items()}
    render = rendering["render_seconds"]
    # the two runs share the rate: the 10 rows go in 20 row-times (one of two), the 40 in 50 (all the rows)
    assert abs(finish["backfill__2026-11-22"] - (10 * 2 / rate + render)) < 3, (runs, rate, render)
    assert abs(finish["backfill__2026-11-21"] - (50 / rate + render)) < 3, (runs, rate, render)


def test_runs_submitting_at_once_share_the_rate() -> None:
    rows = {("d", "small"): 10, ("d", "big"): 40, ("d", "same"): 10}
    assert summary.submit_seconds(rows, 5.0) == {("d", "small"): 6.0, ("d", "same"): 6.0, ("d", "big"): 12.0}
    assert summary.submit_seconds(rows, None) == {} and summary.submit_seconds({}, 5.0) == {}
