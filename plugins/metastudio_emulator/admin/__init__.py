"""Unauthenticated control routes under ``/_emulator``: health, config, stats and reset here; the rest by topic.

* ``faults``: inject errors into the next calls of an API.
* ``endings``: script how video and livestream jobs end.
* ``limits``: enforce per-second limits below the table's (the ``throttle.Throttle`` applies them).
* ``base``: the admin error and body reader they share.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from metastudio_provider.catalog import all_apis

from ..runtime import EmulatorState
from . import endings, faults, limits


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

    router.include_router(faults.build_router(state))
    router.include_router(endings.build_router(state))
    router.include_router(limits.build_router(state))
    return router
