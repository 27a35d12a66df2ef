"""Live rooms, interaction rule libraries and livestream jobs (16 APIs)."""

from __future__ import annotations

import copy
from typing import Any

from .. import lifecycles
from ..errors import bad_state, invalid, not_found
from ..records import LiveJob, new_id
from .assets import require_usable_asset
from .base import Ctx, Handler, Reply, Result, compact, contains, iso, page, pick

ROOM_FIELDS = ("room_name", "room_description", "room_type", "scene_scripts", "interaction_config",
               "interaction_rules", "play_policy", "video_config", "output_urls", "stream_keys",
               "backup_model_asset_ids", "live_event_callback_config", "rtc_callback_config", "review_config",
               "shared_config", "view_mode", "co_streamer_config", "priv_data", "cover_url")
LIVE_LIMIT_HOURS = 24
LIVE_EXIT_MAX_HOURS = 168  # LiveExitConfig.max_live_duration: hours, at most a week, 0 = no limit
AUTO_STOP_MODES = ("FORCE_EXIT", "SEGMENT_END", "SCENE_END", "SCRIPT_END")
LIVE_FAILURE = {"error_code": "MSS.00020001", "error_msg": "Livestream failed (failure injected by the emulator)"}
LIVE_BLOCK_REASON = "Livestream blocked by the platform (block injected by the emulator)"

# -- rooms ---------------------------------------------------------------------------------------


def _check_room(ctx: Ctx, body: dict[str, Any]) -> None:
    scenes = body.get("scene_scripts")
    if scenes is None:
        return
    if not isinstance(scenes, list):
        raise invalid("parameter 'scene_scripts' must be an array")
    for i, scene in enumerate(scenes):
        if not isinstance(scene, dict) or not scene.get("script_name"):
            raise invalid(f"parameter 'scene_scripts[{i}].script_name' is required")
        if scene.get("model_asset_id"):
            require_usable_asset(ctx, scene["model_asset_id"], f"scene_scripts[{i}].model_asset_id", "HUMAN_MODEL_2D")
        voice = (scene.get("voice_config") or {}).get("voice_asset_id")
        if voice:
            require_usable_asset(ctx, voice, f"scene_scripts[{i}].voice_config.voice_asset_id", "VOICE_MODEL")


def _store_room(ctx: Ctx, room: dict[str, Any], body: dict[str, Any]) -> None:
    room.update(copy.deepcopy(pick(body, ROOM_FIELDS)))
    for scene in room.get("scene_scripts") or []:
        scene.setdefault("script_id", new_id())
    for rule in room.get("interaction_rules") or []:
        if isinstance(rule, dict):
            rule.setdefault("rule_index", new_id())
    room["_updated"] = ctx.now
    room["_version"] = room.get("_version", 0) + 1


def _room_jobs(ctx: Ctx, room_id: str) -> list[LiveJob]:
    return sorted((j for j in ctx.store.live_jobs.values() if j.room_id == room_id), key=lambda j: j.created)


def room_view(ctx: Ctx, room: dict[str, Any]) -> dict[str, Any]:
    return {
        **pick(room, ROOM_FIELDS), "room_id": room["room_id"], "room_state": "ENABLE",
        "create_time": iso(room["_created"]), "update_time": iso(room["_updated"]),
        "script_version": str(room["_version"]), "room_type": room.get("room_type", "NORMAL"),
    }


def create_smart_live_room(ctx: Ctx) -> Result:
    _check_room(ctx, ctx.body)
    room: dict[str, Any] = {"room_id": new_id(), "_created": ctx.now}
    _store_room(ctx, room, ctx.body)
    ctx.store.rooms[room["room_id"]] = room
    return {"room_id": room["room_id"]}


def list_smart_live_rooms(ctx: Ctx) -> Result:
    name, room_type = ctx.q("room_name"), ctx.q("room_type")
    live_states = {"SUCCEED" if s == "SUCCESS" else s for s in ctx.q_list("live_state")}
    out = []
    for room in sorted(ctx.store.rooms.values(), key=lambda r: r["_created"], reverse=True):
        jobs = _room_jobs(ctx, room["room_id"])
        last = jobs[-1] if jobs else None
        status = lifecycles.live_state(last, ctx.now, ctx.config) if last else None
        if not contains(room.get("room_name"), name) or (room_type and room.get("room_type", "NORMAL") != room_type):
            continue
        if live_states and (status or "NULL") not in live_states:
            continue
        out.append(compact({
            "room_id": room["room_id"], "project_id": ctx.config.project_id, "room_name": room.get("room_name"),
            "room_type": room.get("room_type", "NORMAL"), "room_state": "ENABLE", "view_mode": room.get("view_mode"),
            "room_description": room.get("room_description"), "cover_url": room.get("cover_url"),
            "priv_data": room.get("priv_data"),
            "create_time": iso(room["_created"]), "update_time": iso(room["_updated"]),
            "last_job_start_time": iso(lifecycles.live_start_time(last, ctx.config)) if last else None,
            "last_job_end_time": iso(lifecycles.live_end_time(last, ctx.now)) if last else None,
            "last_job_status": status,
        }))
    return {"count": len(out), "smart_live_rooms": page(ctx, out)}


def show_smart_live_room(ctx: Ctx) -> Result:
    return room_view(ctx, ctx.get(ctx.store.rooms, "live room", "room_id"))


def update_smart_live_room(ctx: Ctx) -> Result:
    room = ctx.get(ctx.store.rooms, "live room", "room_id")
    _check_room(ctx, ctx.body)
    _store_room(ctx, room, ctx.body)
    return room_view(ctx, room)


def delete_smart_live_room(ctx: Ctx) -> Result:
    room = ctx.get(ctx.store.rooms, "live room", "room_id")
    active = _active_job(ctx, room["room_id"])
    if active is not None:
        raise bad_state(f"live room {room['room_id']} has a running livestream job {active.job_id}; stop it first")
    del ctx.store.rooms[room["room_id"]]
    return Reply(status=204)


# -- interaction rule libraries ------------------------------------------------------------------


def _store_group(ctx: Ctx, group: dict[str, Any]) -> None:
    group["group_name"] = ctx.body["group_name"]
    rules = ctx.body.get("interaction_rules") or []
    group["interaction_rules"] = [{**copy.deepcopy(r), "rule_id": new_id(), "create_time": iso(ctx.now),
                                   "update_time": iso(ctx.now)} for r in rules if isinstance(r, dict)]
    group["_updated"] = ctx.now


def group_view(group: dict[str, Any], *, rules: bool) -> dict[str, Any]:
    view = {"group_id": group["group_id"], "group_name": group["group_name"],
            "create_time": iso(group["_created"]), "update_time": iso(group["_updated"])}
    if rules:
        view["interaction_rules"] = group["interaction_rules"]
    return view


def create_interaction_rule_group(ctx: Ctx) -> Result:
    group: dict[str, Any] = {"group_id": new_id(), "_created": ctx.now}
    _store_group(ctx, group)
    ctx.store.rule_groups[group["group_id"]] = group
    return {"group_id": group["group_id"]}


def list_interaction_rule_groups(ctx: Ctx) -> Result:
    name = ctx.q("group_name")
    groups = sorted((g for g in ctx.store.rule_groups.values() if contains(g["group_name"], name)),
                    key=lambda g: g["_created"], reverse=True)
    return {"count": len(groups), "interaction_rule_groups": [group_view(g, rules=False) for g in page(ctx, groups)]}


def update_interaction_rule_group(ctx: Ctx) -> Result:
    group = ctx.get(ctx.store.rule_groups, "interaction rule group", "group_id")
    _store_group(ctx, group)
    return group_view(group, rules=True)


def delete_interaction_rule_group(ctx: Ctx) -> Result:
    group = ctx.get(ctx.store.rule_groups, "interaction rule group", "group_id")
    del ctx.store.rule_groups[group["group_id"]]
    return Reply(status=204)


# -- livestream jobs -----------------------------------------------------------------------------


def _active_job(ctx: Ctx, room_id: str) -> LiveJob | None:
    for job in _room_jobs(ctx, room_id):
        if lifecycles.live_state(job, ctx.now, ctx.config) in lifecycles.LIVE_ACTIVE:
            return job
    return None


def _report_url(ctx: Ctx, job: LiveJob) -> str:
    path = f"/v1/{ctx.config.project_id}/smart-live-rooms/{job.room_id}/smart-live-jobs/{job.job_id}/live-event-report"
    return f"{ctx.base_url.rstrip('/')}{path}?auth_key={job.job_id[:16]}&expires_time={int(ctx.now) + 86400}"


def _rtc_info(job: LiveJob) -> dict[str, Any]:
    return {"app_id": "emulator-rtc-app", "room_id": job.job_id, "users": []}


def live_job_view(ctx: Ctx, job: LiveJob) -> dict[str, Any]:
    state = lifecycles.live_state(job, ctx.now, ctx.config)
    start = lifecycles.live_start_time(job, ctx.config)
    end = lifecycles.live_end_time(job, ctx.now)
    started = ctx.now >= start and (end is None or end > start)
    duration = max(0.0, (end or ctx.now) - start) if started else 0.0
    room = ctx.store.rooms.get(job.room_id) or {}
    return compact({
        "job_id": job.job_id, "room_id": job.room_id, "room_name": room.get("room_name"), "state": state,
        "duration": round(duration, 3), "start_time": iso(start) if started else None, "end_time": iso(end),
        "create_time": iso(job.created), "lastupdate_time": iso(end or (start if started else job.created)),
        "rtc_room_info": _rtc_info(job), "live_event_report_url": _report_url(ctx, job),
        "stream_duration": round(duration, 3), "used_resource_type": "SHARED_RESOURCE",
        "error_info": lifecycles.ending_error(job, state, LIVE_FAILURE),
        "block_reason": block_reason(job, state),
    })


def block_reason(job: LiveJob, state: str) -> str | None:
    """``block_reason`` of a BLOCKED job: the scripted one (admin API), else a default."""
    if state != "BLOCKED":
        return None
    scripted = (job.ending.error_info or {}).get("block_reason") if job.ending is not None else None
    return scripted or LIVE_BLOCK_REASON


def start_smart_live(ctx: Ctx) -> Result:
    room = ctx.get(ctx.store.rooms, "live room", "room_id")
    exit_config = ((ctx.body.get("play_policy") or {}).get("live_exit_config")) or {}
    hours = exit_config.get("max_live_duration")
    if hours is not None and not 0 <= hours <= LIVE_EXIT_MAX_HOURS:
        raise invalid(f"play_policy.live_exit_config.max_live_duration must be 0-{LIVE_EXIT_MAX_HOURS} hours "
                      f"(0: no limit), not {hours}")
    if exit_config.get("auto_stop_mode") not in (None, *AUTO_STOP_MODES):
        raise invalid(f"play_policy.live_exit_config.auto_stop_mode must be one of {', '.join(AUTO_STOP_MODES)}")
    active = _active_job(ctx, room["room_id"])
    if active is not None:
        state = lifecycles.live_state(active, ctx.now, ctx.config)
        raise bad_state(f"live room {room['room_id']} already has a {state} livestream job {active.job_id}; "
                        "stop it before starting another")
    job = LiveJob(job_id=new_id(), room_id=room["room_id"], created=ctx.now, body=copy.deepcopy(ctx.body))
    job.ending = ctx.store.take_planned_ending("live", ctx.now + ctx.config.live_start_seconds)
    if (seconds := lifecycles.live_exit_seconds(ctx.body, ctx.config)) is not None:
        job.exit_at = lifecycles.live_start_time(job, ctx.config) + seconds
    ctx.store.live_jobs[job.job_id] = job
    return {"job_id": job.job_id, "rtc_room_info": _rtc_info(job), "live_event_report_url": _report_url(ctx, job),
            "live_warning_info": [], "limit_duration": LIVE_LIMIT_HOURS}


def _room_job(ctx: Ctx) -> LiveJob:
    ctx.get(ctx.store.rooms, "live room", "room_id")
    job = ctx.get(ctx.store.live_jobs, "livestream job", "job_id")
    if job.room_id != ctx.path["room_id"]:
        raise not_found("livestream job", job.job_id)
    return job


def _filter_jobs(ctx: Ctx, jobs: list[LiveJob]) -> dict[str, Any]:
    states = set(ctx.q_list("state"))
    room_name = ctx.q("room_name")
    views = [live_job_view(ctx, j) for j in sorted(jobs, key=lambda j: j.created,
                                                   reverse=(ctx.q("sort_dir") or "DESC").upper() != "ASC")]
    views = [v for v in views if (not states or v["state"] in states) and contains(v.get("room_name"), room_name)]
    return {"count": len(views), "smart_live_jobs": page(ctx, views)}


def list_smart_live(ctx: Ctx) -> Result:
    room = ctx.get(ctx.store.rooms, "live room", "room_id")
    return _filter_jobs(ctx, _room_jobs(ctx, room["room_id"]))


def list_smart_live_jobs(ctx: Ctx) -> Result:
    return _filter_jobs(ctx, list(ctx.store.live_jobs.values()))


def show_smart_live(ctx: Ctx) -> Result:
    return live_job_view(ctx, _room_job(ctx))


def stop_smart_live(ctx: Ctx) -> Result:
    job = _room_job(ctx)
    state = lifecycles.live_state(job, ctx.now, ctx.config)
    if state not in lifecycles.LIVE_ACTIVE:
        raise bad_state(f"livestream job {job.job_id} is {state}; only a WAITING or PROCESSING job can be stopped")
    job.stopped_at = ctx.now
    return {}


def execute_smart_live_command(ctx: Ctx) -> Result:
    job = _room_job(ctx)
    state = lifecycles.live_state(job, ctx.now, ctx.config)
    if state != "PROCESSING":
        raise bad_state(f"livestream job {job.job_id} is {state}; commands need a PROCESSING job")
    command = {"command_id": new_id(), "command": ctx.body["command"], "result": "SUCCESS"}
    job.commands.append({**command, "params": ctx.body.get("params")})
    return command


def live_event_report(ctx: Ctx) -> Result:
    job = _room_job(ctx)
    if lifecycles.live_state(job, ctx.now, ctx.config) not in lifecycles.LIVE_ACTIVE:
        raise bad_state(f"livestream job {job.job_id} has ended")
    if ctx.body["total"] < 0 or not isinstance(ctx.body.get("events", []), list):
        raise invalid("parameter 'total' must not be negative")
    return {"live_event_report_url": _report_url(ctx, job)}


HANDLERS: dict[str, Handler] = {
    "CreateSmartLiveRoom": create_smart_live_room,
    "ListSmartLiveRooms": list_smart_live_rooms,
    "ShowSmartLiveRoom": show_smart_live_room,
    "UpdateSmartLiveRoom": update_smart_live_room,
    "DeleteSmartLiveRoom": delete_smart_live_room,
    "CreateInteractionRuleGroup": create_interaction_rule_group,
    "ListInteractionRuleGroups": list_interaction_rule_groups,
    "UpdateInteractionRuleGroup": update_interaction_rule_group,
    "DeleteInteractionRuleGroup": delete_interaction_rule_group,
    "StartSmartLive": start_smart_live,
    "ListSmartLive": list_smart_live,
    "ShowSmartLive": show_smart_live,
    "StopSmartLive": stop_smart_live,
    "ExecuteSmartLiveCommand": execute_smart_live_command,
    "ListSmartLiveJobs": list_smart_live_jobs,
    "LiveEventReport": live_event_report,
}
