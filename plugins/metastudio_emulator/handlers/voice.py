"""Voice training jobs (12 APIs) and TTS auditions (2 APIs)."""

from __future__ import annotations

import copy
from typing import Any

from .. import lifecycles
from ..config import EmulatorConfig
from ..errors import bad_state, invalid, not_found
from ..media import tiny_wav
from ..records import TtsJob, VoiceTrainingJob, new_id
from .base import Ctx, Handler, Reply, Result, compact, contains, millis, page

SENTENCES = {"BASIC": 20, "MIDDLE": 100, "ADVANCE": 1}
JOB_FIELDS = ("voice_name", "sex", "language", "tag", "phone", "dhtms_job_id", "batch_name", "output_language",
              "is_ondemand_resource")


def _slots(ctx: Ctx, job: VoiceTrainingJob) -> None:
    prefix = f"voice-training/{job.job_id}"
    sentences = SENTENCES[job.job_type] if job.body.get("create_type") == "SEGMENT" else 0
    job.keys = {
        "package": ctx.store.new_upload_slot(prefix, content_type="application/zip"),
        "audio": [ctx.store.new_upload_slot(prefix, content_type="audio/wav") for _ in range(sentences)],
        "txt": [ctx.store.new_upload_slot(prefix, content_type="text/plain") for _ in range(sentences)],
        "letter": ctx.store.new_upload_slot(prefix),
    }


def _urls(ctx: Ctx, job: VoiceTrainingJob) -> dict[str, Any]:
    k = job.keys
    return {"package": ctx.object_url(k["package"], "PUT"),
            "audio": [ctx.object_url(x, "PUT") for x in k["audio"]],
            "txt": [ctx.object_url(x, "PUT") for x in k["txt"]],
            "letter": ctx.object_url(k["letter"], "PUT")}


def _create(job_type: str) -> Handler:
    def create(ctx: Ctx) -> Result:
        create_type = ctx.body.get("create_type", "PACKAGE")
        if create_type not in ("PACKAGE", "SEGMENT"):
            raise invalid("parameter 'create_type' must be one of PACKAGE, SEGMENT")
        job = VoiceTrainingJob(job_id=new_id(), job_type=job_type, created=ctx.now, updated=ctx.now,
                               body=copy.deepcopy(ctx.body))
        _slots(ctx, job)
        ctx.store.voice_jobs[job.job_id] = job
        urls = _urls(ctx, job)
        return {"job_id": job.job_id, "training_data_uploading_url": urls["package"],
                "segment_uploading_url": {"audio_uploading_url": urls["audio"], "txt_uploading_url": urls["txt"]},
                "authorization_letter_uploading_url": urls["letter"]}

    create.__name__ = f"create_training_{job_type.lower()}_job"
    return create


def job_view(ctx: Ctx, job: VoiceTrainingJob) -> dict[str, Any]:
    state = lifecycles.voice_training_state(job, ctx.now, ctx.config)
    return compact({
        **{n: job.body[n] for n in JOB_FIELDS if job.body.get(n) is not None},
        "job_type": job.job_type, "job_id": job.job_id, "state": state, "reject_times": 0,
        "asset_id": job.asset_id if state == "SUCCEED" else None, "create_time": millis(job.created),
        "lastupdate_time": millis(job.updated), "create_type": job.body.get("create_type", "PACKAGE"),
    })


def _job(ctx: Ctx, job_id: str | None = None) -> VoiceTrainingJob:
    job_id = job_id if job_id is not None else ctx.path["job_id"]
    job = ctx.store.voice_jobs.get(job_id)
    if job is None:
        raise not_found("voice training job", job_id)
    return job


def list_voice_training_job(ctx: Ctx) -> Result:
    states, ids, job_type = set(ctx.q_list("state")), set(ctx.q_list("job_id")), ctx.q("job_type")
    name, tag, batch = ctx.q("voice_name"), ctx.q("tag"), ctx.q("batch_name")
    views = []
    for job in sorted(ctx.store.voice_jobs.values(), key=lambda j: j.created, reverse=True):
        view = job_view(ctx, job)
        if (states and view["state"] not in states) or (ids and job.job_id not in ids):
            continue
        if (job_type and job.job_type != job_type) or not contains(job.body.get("voice_name"), name):
            continue
        if (tag and job.body.get("tag") != tag) or (batch and job.body.get("batch_name") != batch):
            continue
        views.append(view)
    return {"count": len(views), "jobs": page(ctx, views)}


def commit_voice_training_job(ctx: Ctx) -> Result:
    job = _job(ctx)
    state = lifecycles.voice_training_state(job, ctx.now, ctx.config)
    if state != "CREATING":
        raise bad_state(f"voice training job {job.job_id} is {state}; only a CREATING job can be committed")
    job.committed_at = job.updated = ctx.now
    return {}


def show_voice_training_job(ctx: Ctx) -> Result:
    return job_view(ctx, _job(ctx))


def delete_voice_training_job(ctx: Ctx) -> Result:
    job = _job(ctx)
    if lifecycles.voice_training_state(job, ctx.now, ctx.config) in ("SYSTEM_AUDITING", "PROCESSING"):
        raise bad_state(f"voice training job {job.job_id} is being trained and cannot be deleted")
    del ctx.store.voice_jobs[job.job_id]
    return Reply(status=204)


def _operations(job: VoiceTrainingJob, now: float, config: EmulatorConfig) -> list[dict[str, Any]]:
    ops = [(job.created, "CREATE_JOB", "USER")]
    if job.committed_at is not None:
        t = job.committed_at
        ops.append((t, "COMMIT_JOB", "USER"))
        ops.append((t + config.training_seconds * lifecycles.FIRST_PHASE, "SYSTEM_AUDIT_PASS", "SYSTEM"))
        ops.append((t + config.training_seconds, "TRAINING_FINISH", "SYSTEM"))
        ops.append((t + config.training_seconds, "COMPLETE_JOB", "SYSTEM"))
    return [{"time": millis(t), "action": a, "operator": o} for t, a, o in ops if t <= now]


def list_job_operation_log(ctx: Ctx) -> Result:
    ops = _operations(_job(ctx), ctx.now, ctx.config)
    return {"count": len(ops), "operations": page(ctx, ops)}


def show_job_uploading_address(ctx: Ctx) -> Result:
    urls = _urls(ctx, _job(ctx))
    return {"segment_url": {"audio_uploading_url": urls["audio"], "txt_uploading_url": urls["txt"]},
            "package_url": {"training_data_uploading_url": urls["package"]},
            "authorization_letter_uploading_url": urls["letter"]}


def show_job_audit_result(ctx: Ctx) -> Result:
    job = _job(ctx)
    audited = job.committed_at is not None and ctx.now >= job.committed_at + ctx.config.training_seconds * 0.2
    if not audited:
        return {}
    return {"system_audit_result": {"audit_time": millis(job.committed_at), "errors": []}}


def _segment_job(ctx: Ctx) -> VoiceTrainingJob:
    job_id = ctx.q("job_id")
    if not job_id:
        raise invalid("parameter 'job_id' is required")
    return _job(ctx, job_id)


def confirm_training_segment(ctx: Ctx) -> Result:
    job = _segment_job(ctx)
    index = ctx.q_int("index", -1, -1)
    if index < 0:
        raise invalid("parameter 'index' is required")
    job.confirmed_index.add(index)
    return {"confirm_result": True, "unmatched_index_hit": []}


def show_training_segment_info(ctx: Ctx) -> Result:
    return {"confirmed_index": sorted(_segment_job(ctx).confirmed_index)}


# -- TTS audition --------------------------------------------------------------------------------


def create_tts_audition(ctx: Ctx) -> Result:
    job_id = new_id()
    key = ctx.store.put_object(f"tts/{job_id}.wav", tiny_wav(ctx.body["text"]), "audio/wav")
    ctx.store.tts_jobs[job_id] = TtsJob(job_id, ctx.now, copy.deepcopy(ctx.body), key)
    return {"job_id": job_id}


def show_tts_audition_file(ctx: Ctx) -> Result:
    job = ctx.get(ctx.store.tts_jobs, "TTS audition job", "job_id")
    if not lifecycles.tts_complete(job, ctx.now, ctx.config):
        return {"is_file_complete": False, "code": "PROCESSING", "message": "audition file is being generated"}
    return {"is_file_complete": True, "code": "SUCCESS", "message": "success",
            "files": [{"download_url": ctx.object_url(job.object_key)}]}


HANDLERS: dict[str, Handler] = {
    "CreateTrainingBasicJob": _create("BASIC"),
    "CreateTrainingMiddleJob": _create("MIDDLE"),
    "CreateTrainingAdvanceJob": _create("ADVANCE"),
    "ListVoiceTrainingJob": list_voice_training_job,
    "CommitVoiceTrainingJob": commit_voice_training_job,
    "ShowVoiceTrainingJob": show_voice_training_job,
    "DeleteVoiceTrainingJob": delete_voice_training_job,
    "ListJobOperationLog": list_job_operation_log,
    "ShowJobUploadingAddress": show_job_uploading_address,
    "ShowJobAuditResult": show_job_audit_result,
    "ConfirmTrainingSegment": confirm_training_segment,
    "ShowTrainingSegmentInfo": show_training_segment_info,
    "CreateTtsAudition": create_tts_audition,
    "ShowTtsAuditionFile": show_tts_audition_file,
}
