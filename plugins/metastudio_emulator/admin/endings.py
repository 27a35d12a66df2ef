"""Admin routes that script how jobs end: a video job FAILED, a livestream that fails or ends early.

* ``POST /_emulator/video-jobs/{job_id}/end`` and ``POST /_emulator/live-jobs/{job_id}/end``: the
  job ends now, in ``state`` (default FAILED) with ``error_code``/``error_msg`` as its ``error_info``.
  A livestream can fail now (FAILED), end early as if it exited by itself (SUCCEED) or be blocked
  (BLOCKED, with ``block_reason``), whether it is live yet or not.
* ``POST /_emulator/video-jobs/end-next`` and ``POST /_emulator/live-jobs/end-next``: the next
  ``count`` jobs created end that way, ``after_seconds`` after creation (video; default
  ``job_seconds``) or after ``live_seconds`` of PROCESSING (livestream; 0 = never goes live).
* ``GET /_emulator/end-next``: the planned endings not used yet. ``POST /_emulator/reset`` clears them.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .. import lifecycles
from ..handlers.live import LIVE_FAILURE, block_reason
from ..handlers.videos import FAILURE as VIDEO_FAILURE
from ..records import Ending, PlannedEnding
from ..runtime import EmulatorState
from .base import AdminError, admin_error, json_object

END_STATES = {"video": ("FAILED", "BLOCK"), "live": ("FAILED", "SUCCEED", "BLOCKED")}
DELAY_FIELD = {"video": "after_seconds", "live": "live_seconds"}


def _error_info(body: dict[str, Any]) -> dict[str, str] | None:
    code, msg = body.get("error_code"), body.get("error_msg")
    for name, value in (("error_code", code), ("error_msg", msg)):
        if value is not None and (not isinstance(value, str) or not value):
            raise AdminError(f"{name} must be a non-empty string")
    if code is None and msg is None:
        return None
    return {"error_code": code or "MSS.00000500", "error_msg": msg or "failure injected by the emulator"}


def _ending_info(kind: str, state: str, body: dict[str, Any]) -> dict[str, str] | None:
    """What a scripted ending shows: ``error_info`` of a FAILED job, ``block_reason`` of a BLOCKED livestream."""
    reason = body.get("block_reason")
    if reason is None:
        return _error_info(body)
    if kind != "live" or state != "BLOCKED":
        raise AdminError("block_reason is for a livestream ending BLOCKED")
    if not isinstance(reason, str) or not reason:
        raise AdminError("block_reason must be a non-empty string")
    return {"block_reason": reason}


def _state(kind: str, body: dict[str, Any]) -> str:
    state = body.get("state", "FAILED")
    if state not in END_STATES[kind]:
        raise AdminError(f"state must be one of {', '.join(END_STATES[kind])}")
    return state


def _number(body: dict[str, Any], name: str, default: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise AdminError(f"{name} must be a finite number >= 0")
    return float(value)


def _count(body: dict[str, Any]) -> int:
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise AdminError("count must be a positive integer")
    return count


def build_router(state: EmulatorState) -> APIRouter:
    """The routes above, without prefix: ``admin.build_router`` mounts them under ``/_emulator``."""
    router = APIRouter()
    config = state.config

    def current_state(kind: str, job: Any, now: float) -> str:
        if kind == "video":
            return lifecycles.video_state(job, now, config)
        return lifecycles.live_state(job, now, config)

    async def end_now(request: Request, kind: str, job_id: str) -> JSONResponse:
        try:
            body = await json_object(request)
            end_state = _state(kind, body)
            info = _ending_info(kind, end_state, body)
            with state.store.lock:
                now = config.clock()
                state.store.tick(now)
                jobs: dict[str, Any] = state.store.video_jobs if kind == "video" else state.store.live_jobs
                job = jobs.get(job_id)
                if job is None:
                    raise AdminError(f"no {kind} job {job_id}", 404)
                current = current_state(kind, job, now)
                if current in lifecycles.VIDEO_FINAL or (kind == "live" and current not in lifecycles.LIVE_ACTIVE):
                    raise AdminError(f"{kind} job {job_id} has already ended ({current})", 409)
                job.ending = Ending(now, end_state, info)
                default = VIDEO_FAILURE if kind == "video" else LIVE_FAILURE
                shown = {"job_id": job_id, "state": current_state(kind, job, now),
                         "error_info": lifecycles.ending_error(job, end_state, default)}
                if kind == "live" and end_state == "BLOCKED":
                    shown["block_reason"] = block_reason(job, end_state)
                return JSONResponse(shown)
        except AdminError as err:
            return admin_error(err)

    async def end_next(request: Request, kind: str, default_delay: float) -> JSONResponse:
        try:
            body = await json_object(request)
            end_state = _state(kind, body)
            planned = PlannedEnding(end_state, _ending_info(kind, end_state, body),
                                    _number(body, DELAY_FIELD[kind], default_delay), _count(body))
        except AdminError as err:
            return admin_error(err)
        with state.store.lock:
            state.store.plan_ending(kind, planned)
            return JSONResponse({"planned": asdict(planned), "pending": _pending(state)})

    @router.post("/video-jobs/{job_id}/end")
    async def end_video_job(job_id: str, request: Request) -> JSONResponse:
        """End this video job now: FAILED (default) or BLOCK, with ``error_code``/``error_msg``."""
        return await end_now(request, "video", job_id)

    @router.post("/live-jobs/{job_id}/end")
    async def end_live_job(job_id: str, request: Request) -> JSONResponse:
        """End this livestream job now, live or not: FAILED (default; ``error_code``/``error_msg``), SUCCEED
        (ended early by itself) or BLOCKED (``block_reason``)."""
        return await end_now(request, "live", job_id)

    @router.post("/video-jobs/end-next")
    async def end_next_video_jobs(request: Request) -> JSONResponse:
        """The next ``count`` video jobs end in ``state`` after ``after_seconds`` (default: job_seconds)."""
        return await end_next(request, "video", config.job_seconds)

    @router.post("/live-jobs/end-next")
    async def end_next_live_jobs(request: Request) -> JSONResponse:
        """The next ``count`` livestream jobs end in ``state`` after ``live_seconds`` live (0: never live)."""
        return await end_next(request, "live", 0.0)

    @router.get("/end-next")
    def pending_endings() -> dict[str, Any]:
        return _pending(state)

    return router


def _pending(state: EmulatorState) -> dict[str, Any]:
    with state.store.lock:
        return {kind: [asdict(p) for p in queue] for kind, queue in state.store.planned_endings.items()}
