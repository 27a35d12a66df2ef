"""Video production: Create2DDigitalHumanVideo, Show/Cancel, ListDigitalHumanVideo (4 APIs)."""

from __future__ import annotations

from typing import Any

from .. import lifecycles
from ..errors import bad_state, invalid, not_found
from ..records import VideoJob, new_id
from .base import Ctx, Handler, Result, compact, contains, iso, page, pick
from .scripts import check_references

JOB_TYPE = "2D_DIGITAL_HUMAN_VIDEO"
FROM_SCRIPT = ("model_asset_id", "voice_config", "video_config", "shoot_scripts", "background_music_config")
FAILURE = {"error_code": "MSS.00010001", "error_msg": "Video rendering failed (failure injected by the emulator)"}
VIDEO_SECONDS = 10.0


def create_2d_digital_human_video(ctx: Ctx) -> Result:
    body = dict(ctx.body)
    script_id = body.get("script_id")
    if script_id:
        script = ctx.store.scripts.get(script_id)
        if script is None:
            raise not_found("video script", script_id)
        body = {**pick(script, FROM_SCRIPT), **{k: v for k, v in body.items() if v is not None}}
    if not body.get("model_asset_id"):
        raise invalid("parameter 'model_asset_id' is required (directly or through script_id)")
    if not body.get("shoot_scripts"):
        raise invalid("parameter 'shoot_scripts' is required (directly or through script_id)")
    if not body.get("voice_config"):
        raise invalid("parameter 'voice_config' is required (directly or through script_id)")
    check_references(ctx, body)
    output = body.get("output_asset_config")
    if output is not None and not isinstance(output, dict):
        raise invalid("parameter 'output_asset_config' must be an object")
    job = VideoJob(job_id=new_id(), created=ctx.now, body=body,
                   fails=ctx.store.rng.random() < ctx.config.failure_rate, output_asset_id=new_id())
    job.ending = ctx.store.take_planned_ending("video", ctx.now)
    ctx.store.video_jobs[job.job_id] = job
    return {"job_id": job.job_id}


def video_view(ctx: Ctx, job: VideoJob, *, detail: bool, show_script: bool = False) -> dict[str, Any]:
    state = lifecycles.video_state(job, ctx.now, ctx.config)
    start, end = lifecycles.video_times(job, ctx.now, ctx.config)
    output = dict(job.body.get("output_asset_config") or {})
    output.setdefault("asset_name", f"video-{job.job_id}")
    if state == "SUCCEED":
        output["asset_id"] = job.output_asset_id
    view = compact({
        "job_id": job.job_id, "state": state, "job_type": JOB_TYPE, "start_time": iso(start), "end_time": iso(end),
        "duration": VIDEO_SECONDS if state == "SUCCEED" else None, "output_asset_config": output,
        "error_info": lifecycles.ending_error(job, state, FAILURE), "create_time": iso(job.created),
        "lastupdate_time": iso(end or start or job.created),
    })
    if detail:
        view.update(compact({"script_id": job.body.get("script_id"), "video_making_type": "MODEL",
                             "model_asset_id": job.body.get("model_asset_id"),
                             "voice_config": job.body.get("voice_config"),
                             "video_config": job.body.get("video_config"),
                             "background_music_config": job.body.get("background_music_config")}))
        if show_script:
            view["shoot_scripts"] = job.body.get("shoot_scripts")
    return view


def show_2d_digital_human_video(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.video_jobs, "video job", "job_id")
    return video_view(ctx, job, detail=True, show_script=ctx.q_bool("show_script") is True)


def cancel_2d_digital_human_video(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.video_jobs, "video job", "job_id")
    state = lifecycles.video_state(job, ctx.now, ctx.config)
    if state != "WAITING":
        raise bad_state(f"video job {job.job_id} is {state}; only a WAITING job can be cancelled")
    job.canceled_at = ctx.now
    return {}


def list_digital_human_video(ctx: Ctx) -> Result:
    ids = set(ctx.q_list("job_ids")) | set(ctx.q_list("job_id"))
    states = set(ctx.q_list("state"))
    asset_name, script_id, job_type = ctx.q("asset_name"), ctx.q("script_id"), ctx.q("job_type")
    if job_type and job_type != JOB_TYPE:
        return {"count": 0, "jobs": []}
    jobs = []
    for job in ctx.store.video_jobs.values():
        view = video_view(ctx, job, detail=False)
        if (ids and job.job_id not in ids) or (states and view["state"] not in states):
            continue
        if not contains(view["output_asset_config"]["asset_name"], asset_name):
            continue
        if script_id and job.body.get("script_id") != script_id:
            continue
        jobs.append((job.created, view))
    jobs.sort(key=lambda pair: pair[0], reverse=(ctx.q("sort_dir") or "DESC").upper() != "ASC")
    return {"count": len(jobs), "jobs": page(ctx, [view for _, view in jobs])}


HANDLERS: dict[str, Handler] = {
    "ListDigitalHumanVideo": list_digital_human_video,
    "Create2DDigitalHumanVideo": create_2d_digital_human_video,
    "Show2DDigitalHumanVideo": show_2d_digital_human_video,
    "Cancel2DDigitalHumanVideo": cancel_2d_digital_human_video,
}
