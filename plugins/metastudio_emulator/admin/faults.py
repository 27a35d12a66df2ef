"""Admin routes that inject faults: the next ``count`` calls of an API fail (``faults.Faults`` holds them).

* ``POST /_emulator/faults`` ``{api, mode, status, count}``: queue a fault.
* ``GET /_emulator/faults``: the pending faults; ``DELETE /_emulator/faults``: clear them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from metastudio_provider.catalog import all_apis

from ..faults import MODES, Fault
from ..runtime import EmulatorState
from .base import AdminError, admin_error, json_object


def build_router(state: EmulatorState) -> APIRouter:
    """The routes above, without prefix: ``admin.build_router`` mounts them under ``/_emulator``."""
    router = APIRouter()

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
            body = await json_object(request)
        except AdminError as err:
            return admin_error(err)
        error = _fault_error(body)
        if error:
            return admin_error(AdminError(error))
        fault = Fault(api=body["api"], mode=body["mode"], status=int(body.get("status", 500)),
                      count=int(body.get("count", 1)))
        state.faults.add(fault)
        return JSONResponse({"fault": {"api": fault.api, "mode": fault.mode, "status": fault.status,
                                       "count": fault.count}, "pending": state.faults.pending()})

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
