"""Unauthenticated control routes under ``/_emulator``: health, stats, faults, job endings, limits, reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from metastudio_provider.catalog import all_apis

from . import endings, limits
from .faults import MODES, Fault
from .state import EmulatorState


def build_router(state: EmulatorState) -> APIRouter:
    router = APIRouter(prefix="/_emulator", tags=["emulator"])

    @router.get("/health")
    def health() -> dict[str, Any]:
        return {"status": "ok", "region": state.config.region, "apis": len(all_apis())}

    @router.get("/config")
    def config() -> dict[str, Any]:
        """The non-secret settings (never the SK)."""
        c = state.config
        return {"region": c.region, "ak": c.ak, "project_id": c.project_id, "job_seconds": c.job_seconds,
                "failure_rate": c.failure_rate, "live_start_seconds": c.live_start_seconds,
                "training_seconds": c.training_seconds, "tts_seconds": c.tts_seconds, "throttle": c.throttle,
                "limits": c.limits}

    @router.get("/stats")
    def stats() -> dict[str, Any]:
        return {"region": state.config.region, "apis": state.throttle.stats()}

    @router.post("/reset-stats")
    def reset_stats() -> dict[str, Any]:
        state.throttle.reset()
        return {"status": "ok"}

    @router.post("/reset")
    def reset() -> dict[str, Any]:
        state.reset()
        return {"status": "ok"}

    @router.get("/faults")
    def list_faults() -> dict[str, Any]:
        return {"pending": state.faults.pending()}

    @router.delete("/faults")
    def clear_faults() -> dict[str, Any]:
        state.faults.clear()
        return {"pending": []}

    @router.post("/faults")
    async def add_fault(request: Request) -> JSONResponse:
        try:
            body = await endings.json_object(request)
        except endings.AdminError as err:
            return endings.admin_error(err)
        error = _fault_error(body)
        if error:
            return endings.admin_error(endings.AdminError(error))
        fault = Fault(api=body["api"], mode=body["mode"], status=int(body.get("status", 500)),
                      count=int(body.get("count", 1)))
        state.faults.add(fault)
        return JSONResponse({"fault": {"api": fault.api, "mode": fault.mode, "status": fault.status,
                                       "count": fault.count}, "pending": state.faults.pending()})

    router.include_router(endings.build_router(state))
    router.include_router(limits.build_router(state))
    return router


def _fault_error(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "body must be a JSON object {api, mode, status, count}"
    if body.get("api") not in all_apis():
        return f"unknown api {body.get('api')!r}"
    if body.get("mode") not in MODES:
        return f"mode must be one of {', '.join(MODES)}"
    status, count = body.get("status", 500), body.get("count", 1)
    if not isinstance(status, int) or not 400 <= status <= 599:
        return "status must be an integer HTTP error status (400..599)"
    if not isinstance(count, int) or count < 1:
        return "count must be a positive integer"
    return None
