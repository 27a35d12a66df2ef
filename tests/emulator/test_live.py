"""Live rooms, rule libraries, products and livestream jobs."""

from __future__ import annotations

from contextlib import contextmanager

from .helpers import call, manual_clock, system_asset, upload_asset, wait_for


def _room(emu, name: str = "room") -> str:
    scene = {"script_name": "scene 1", "model_asset_id": system_asset(emu, "HUMAN_MODEL_2D"),
             "voice_config": {"voice_asset_id": system_asset(emu, "VOICE_MODEL")},
             "shoot_scripts": [{"sequence_no": 0, "title": "intro", "text_config": {"text": "Welcome"}}]}
    return call(emu, "CreateSmartLiveRoom", json={"room_name": name, "scene_scripts": [scene]})["room_id"]


def test_room_crud(emu) -> None:
    room_id = _room(emu, "crud room")
    shown = call(emu, "ShowSmartLiveRoom", {"room_id": room_id})
    assert shown["room_state"] == "ENABLE" and shown["scene_scripts"][0]["script_id"]
    updated = call(emu, "UpdateSmartLiveRoom", {"room_id": room_id}, json={"room_name": "crud room 2"})
    assert updated["room_name"] == "crud room 2" and updated["script_version"] == "2"
    assert call(emu, "ListSmartLiveRooms", query={"room_name": "crud room 2"})["count"] == 1
    call(emu, "DeleteSmartLiveRoom", {"room_id": room_id}, expect=204)
    call(emu, "ShowSmartLiveRoom", {"room_id": room_id}, expect=404)


def test_livestream_lifecycle_and_single_job_per_room(emu) -> None:
    room_id = _room(emu, "live room")
    with manual_clock(emu):  # WAITING lasts 0.2 s of real time: hold the clock while checking it
        started = call(emu, "StartSmartLive", {"room_id": room_id}, json={})
        job_id = started["job_id"]
        assert started["live_event_report_url"]
        ids = {"room_id": room_id, "job_id": job_id}
        assert call(emu, "ShowSmartLive", ids)["state"] == "WAITING"
    refused = call(emu, "StartSmartLive", {"room_id": room_id}, json={}, expect=400)
    assert job_id in refused["error_msg"] and "already" in refused["error_msg"]
    wait_for(lambda: call(emu, "ShowSmartLive", ids)["state"] == "PROCESSING")
    assert call(emu, "ExecuteSmartLiveCommand", ids, json={"command": "INSERT_PLAY_SCRIPT",
                                                           "params": {"text": "hi"}})["result"] == "SUCCESS"
    call(emu, "LiveEventReport", ids, json={"total": 1, "events": [{"timestamp": 1, "type": 1, "content": "x"}]})
    assert call(emu, "ListSmartLive", {"room_id": room_id}, query={"state": "PROCESSING"})["count"] == 1
    assert call(emu, "ListSmartLiveRooms", query={"live_state": "PROCESSING", "room_name": "live room"})["count"] == 1
    call(emu, "StopSmartLive", ids)
    final = call(emu, "ShowSmartLive", ids)
    assert final["state"] == "SUCCEED" and final["end_time"]
    call(emu, "StopSmartLive", ids, expect=400)
    second = call(emu, "StartSmartLive", {"room_id": room_id}, json={})["job_id"]
    jobs = call(emu, "ListSmartLiveJobs", query={"room_name": "live room"})
    assert {j["job_id"] for j in jobs["smart_live_jobs"]} >= {job_id, second}


def test_rule_groups_and_products(emu) -> None:
    group_id = call(emu, "CreateInteractionRuleGroup", json={"group_name": "rules"})["group_id"]
    updated = call(emu, "UpdateInteractionRuleGroup", {"group_id": group_id},
                   json={"group_name": "rules2", "interaction_rules": [{"rule_name": "hello", "event_type": 1}]})
    assert updated["interaction_rules"][0]["rule_id"]
    assert call(emu, "ListInteractionRuleGroups", query={"group_name": "rules2"})["count"] == 1
    call(emu, "DeleteInteractionRuleGroup", {"group_id": group_id}, expect=204)

    asset_id = upload_asset(emu, name="product image")
    product_id = call(emu, "CreateProduct", json={"name": "Tea", "tags": ["drink"]})["product_id"]
    call(emu, "SetProductAsset", {"product_id": product_id},
         json={"action": "LINK", "asset_item": {"asset_id": asset_id, "asset_type": "IMAGE", "order": 1}})
    call(emu, "UpdateProduct", {"product_id": product_id}, json={"name": "Green tea"})
    shown = call(emu, "ShowProduct", {"product_id": product_id})
    assert shown["name"] == "Green tea" and shown["asset_list"][0]["main_url"]
    assert call(emu, "ListProducts", query={"name": "green"})["count"] == 1
    call(emu, "DeleteProduct", {"product_id": product_id}, expect=204)


def test_metastudio_stops_a_livestream_at_its_live_exit_config(emu) -> None:
    """play_policy.live_exit_config.max_live_duration (hours): MetaStudio itself ends the job that long after
    it went live, however long nobody stops it (SUCCEED, end_time at that moment); 0 is no limit."""
    room_id = _room(emu, "exit room")
    exit_in_two_hours = {"play_policy": {"live_exit_config": {"max_live_duration": 2, "auto_stop_mode": "FORCE_EXIT"}}}
    hour = 60.0  # an emulator "hour" of max_live_duration, so the clock stays within X-Sdk-Date's 15 minutes
    emu.config.live_exit_hour_seconds = hour
    with manual_clock(emu) as clock, _restored(emu):
        job_id = call(emu, "StartSmartLive", {"room_id": room_id}, json=exit_in_two_hours)["job_id"]
        ids = {"room_id": room_id, "job_id": job_id}
        clock.advance(emu.config.live_start_seconds + 2 * hour - 1)
        live = call(emu, "ShowSmartLive", ids)
        assert live["state"] == "PROCESSING" and not live.get("end_time")
        clock.advance(2)
        ended = call(emu, "ShowSmartLive", ids)
        assert ended["state"] == "SUCCEED", ended
        assert abs(emu_seconds(ended["end_time"]) - emu_seconds(ended["start_time"]) - 2 * hour) < 1, ended
        unlimited = call(emu, "StartSmartLive", {"room_id": room_id},
                         json={"play_policy": {"live_exit_config": {"max_live_duration": 0}}})["job_id"]
        clock.advance(5 * hour)
        assert call(emu, "ShowSmartLive", {"room_id": room_id, "job_id": unlimited})["state"] == "PROCESSING"
        call(emu, "StopSmartLive", {"room_id": room_id, "job_id": unlimited})
    for bad in ({"max_live_duration": 169}, {"max_live_duration": -1}, {"auto_stop_mode": "WHENEVER"}):
        refused = call(emu, "StartSmartLive", {"room_id": room_id},
                       json={"play_policy": {"live_exit_config": bad}}, expect=400)
        assert "live_exit_config" in refused["error_msg"], refused


def emu_seconds(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


@contextmanager
def _restored(emu):
    try:
        yield
    finally:
        emu.config.live_exit_hour_seconds = 3600.0
