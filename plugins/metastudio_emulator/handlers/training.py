"""Avatar (2D model) training jobs (6 APIs)."""

from __future__ import annotations

import copy
from typing import Any

from .. import lifecycles
from ..errors import bad_state, invalid
from ..records import AvatarTrainingJob, new_id
from .base import Ctx, Handler, Reply, Result, compact, contains, iso, page

DELETABLE = ("WAIT_FILE_UPLOAD", "AUTO_VERIFY_FAILED", "MANUAL_VERIFYING", "MANUAL_VERIFY_FAILED",
             "TRAINING_DATA_PREPROCESS_FAILED", "TRAIN_FAILED", "INFERENCE_DATA_PREPROCESS_FAILED", "JOB_SUCCESS",
             "WAIT_USER_CONFIRM", "JOB_REJECT", "JOB_FINISH")
UPDATABLE = ("WAIT_FILE_UPLOAD", "AUTO_VERIFY_FAILED", "MANUAL_VERIFY_FAILED")
COMMANDS = ("SUBMITVERIFYING", "CONFIRM_ACCEPT", "CONFIRM_REJECT", "CONFIRM_ANSWER", "CONFIRM_PENDING",
            "CONFIRM_ACTIVE", "GET_MULTIPART_UPLOADED", "CONFIRM_REPAIR", "CONFIRM_MULTIPART_UPLOADED",
            "GET_ACTION_VIDEO_MULTIPART_UPLOADED", "CONFIRM_ACTION_VIDEO_MULTIPART_UPLOADED",
            "CONFIRM_AUTHORIZATION_LETTER", "DELETE_JOB_VIDEO")
SINGLE_URLS = ("audio_upload_url", "cover_upload_url", "id_card_image1_upload_url", "id_card_image2_upload_url",
               "grant_file_upload_url")
INFO_FIELDS = ("name", "contact", "batch_name", "tags", "model_version", "is_flexus", "is_fast_flexus",
               "is_live_copy", "is_only_human_model", "is_background_replacement", "is_ondemand_resource",
               "audio_source_type", "voice_properties", "supported_service")


def _count(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100:
        raise invalid(f"parameter '{name}' must be an integer between 0 and 100")
    return value


def _new_slots(ctx: Ctx, job: AvatarTrainingJob) -> dict[str, Any]:
    """Fresh single-use upload URLs for the training material."""
    prefix = f"training/{job.job_id}"
    content = {"audio_upload_url": "application/zip"}
    job.keys = {
        "training_video_upload_url": [ctx.store.new_upload_slot(prefix)
                                      for _ in range(_count(job.body, "video_multipart_count", 1))],
        "action_video_upload_url": [ctx.store.new_upload_slot(prefix)
                                    for _ in range(_count(job.body, "action_video_multipart_count", 0))],
        **{n: ctx.store.new_upload_slot(prefix, content_type=content.get(n, "application/octet-stream"))
           for n in SINGLE_URLS},
    }
    return {"job_id": job.job_id, **{
        n: [ctx.object_url(k, "PUT") for k in v] if isinstance(v, list) else ctx.object_url(v, "PUT")
        for n, v in job.keys.items()}}


def job_view(ctx: Ctx, job: AvatarTrainingJob, *, detail: bool) -> dict[str, Any]:
    state = lifecycles.avatar_training_state(job, ctx.now, ctx.config)
    view = compact({
        **{n: job.body[n] for n in INFO_FIELDS if job.body.get(n) is not None},
        "job_id": job.job_id, "state": state, "asset_id": job.asset_id if state == "JOB_SUCCESS" else None,
        "project_id": ctx.config.project_id, "create_time": iso(job.created), "last_update_time": iso(job.updated),
    })
    if detail:
        video = job.keys.get("training_video_upload_url") or []
        if video and ctx.store.objects[video[0]].data is not None:
            view["training_video_download_url"] = ctx.object_url(video[0])
        view["operation_logs"] = [{"operate_time": iso(job.created), "log_type": "CREATE_JOB",
                                   "log_description": "job created", "operate_user": "USER"}]
        if job.submitted_at is not None:
            view["operation_logs"].append({"operate_time": iso(job.submitted_at), "log_type": "SUBMITVERIFYING",
                                           "log_description": "submitted for verification",
                                           "operate_user": "USER"})
    return view


def create_2d_model_training_job(ctx: Ctx) -> Result:
    job = AvatarTrainingJob(job_id=new_id(), created=ctx.now, updated=ctx.now, body=copy.deepcopy(ctx.body))
    reply = _new_slots(ctx, job)
    ctx.store.avatar_jobs[job.job_id] = job
    return reply


def list_2d_model_training_job(ctx: Ctx) -> Result:
    states, batch, tags = set(ctx.q_list("state")), ctx.q("batch_name"), set(ctx.q_list("tag"))
    ids, name = set(ctx.q_list("job_id")), ctx.q("name")
    views = []
    for job in sorted(ctx.store.avatar_jobs.values(), key=lambda j: j.created,
                      reverse=(ctx.q("sort_dir") or "DESC").upper() != "ASC"):
        view = job_view(ctx, job, detail=False)
        if (states and view["state"] not in states) or (batch and job.body.get("batch_name") != batch):
            continue
        if tags and not tags & set(job.body.get("tags") or []):
            continue
        if (ids and job.job_id not in ids) or not contains(job.body.get("name"), name):
            continue
        views.append(view)
    return {"count": len(views), "jobs": page(ctx, views)}


def show_2d_model_training_job(ctx: Ctx) -> Result:
    return job_view(ctx, ctx.get(ctx.store.avatar_jobs, "training job", "job_id"), detail=True)


def delete_2d_model_training_job(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.avatar_jobs, "training job", "job_id")
    state = lifecycles.avatar_training_state(job, ctx.now, ctx.config)
    if state not in DELETABLE:
        raise bad_state(f"training job {job.job_id} is {state} and cannot be deleted now")
    del ctx.store.avatar_jobs[job.job_id]
    return Reply(status=204)


def update_2d_model_training_job(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.avatar_jobs, "training job", "job_id")
    state = lifecycles.avatar_training_state(job, ctx.now, ctx.config)
    if state not in UPDATABLE:
        raise bad_state(f"training job {job.job_id} is {state}; it can be updated only in {', '.join(UPDATABLE)}")
    job.body.update(copy.deepcopy(ctx.body))
    job.updated = ctx.now
    return _new_slots(ctx, job)


def execute_2d_model_training_command_by_user(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.avatar_jobs, "training job", "job_id")
    command = ctx.body["command"]
    if command not in COMMANDS:
        raise invalid(f"parameter 'command' must be one of {', '.join(COMMANDS)}")
    state = lifecycles.avatar_training_state(job, ctx.now, ctx.config)
    reply: dict[str, Any] = {"commond_result": "EXCUTE_SUCCESS"}
    if command == "SUBMITVERIFYING":
        if state not in UPDATABLE:
            raise bad_state(f"training job {job.job_id} is {state}; SUBMITVERIFYING needs WAIT_FILE_UPLOAD")
        job.submitted_at = ctx.now
    elif command in ("GET_MULTIPART_UPLOADED", "GET_ACTION_VIDEO_MULTIPART_UPLOADED"):
        name = "training_video_upload_url" if command == "GET_MULTIPART_UPLOADED" else "action_video_upload_url"
        reply["multipart_data"] = [
            {"part_number": str(i + 1), "etag": f'"{ctx.store.objects[k].expected_md5}"'}
            for i, k in enumerate(job.keys.get(name) or []) if ctx.store.objects[k].data is not None]
    job.updated = ctx.now
    return reply


HANDLERS: dict[str, Handler] = {
    "Create2dModelTrainingJob": create_2d_model_training_job,
    "List2dModelTrainingJob": list_2d_model_training_job,
    "Show2dModelTrainingJob": show_2d_model_training_job,
    "Delete2dModelTrainingJob": delete_2d_model_training_job,
    "Update2dModelTrainingJob": update_2d_model_training_job,
    "Execute2dModelTrainingCommandByUser": execute_2d_model_training_command_by_user,
}
