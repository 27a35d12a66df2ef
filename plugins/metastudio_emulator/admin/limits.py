"""Admin routes for the enforced per-second limits: a gateway allowing less than its table says.

* ``GET /_emulator/limits``: per API, the table's limit of the region and the one enforced.
* ``PUT /_emulator/limits``: ``{"Create2DDigitalHumanVideo": 1, ...}`` enforced from now on.
* ``DELETE /_emulator/limits``: back to the configured limits (``EmulatorConfig.limits``, else the table's).

Routes only: the limiter that enforces them is ``throttle.Throttle``. They sit with the other admin routes,
so that ``limits`` and ``throttle`` are no longer two top-level modules with near-synonym names.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from metastudio_provider.catalog import all_apis

from ..config import limits_problem
from ..runtime import EmulatorState
from .base import AdminError, admin_error, json_object


def build_router(state: EmulatorState) -> APIRouter:
    router = APIRouter()

    def configured() -> dict[str, int]:
        return {name: state.config.limits.get(name, api.limit(state.config.region)) for name, api in all_apis().items()}

    def listing() -> dict[str, Any]:
        table = {name: api.limit(state.config.region) for name, api in all_apis().items()}
        return {"region": state.config.region,
                "limits": {name: {"table": table[name], "enforced": state.throttle.limit(name)} for name in table},
                "lowered": {name: state.throttle.limit(name) for name in table
                            if state.throttle.limit(name) != table[name]}}

    @router.get("/limits")
    def get_limits() -> dict[str, Any]:
        return listing()

    @router.put("/limits")
    async def put_limits(request: Request) -> JSONResponse:
        try:
            body = await json_object(request)
        except AdminError as err:
            return admin_error(err)
        if problem := limits_problem(body):
            return admin_error(AdminError(problem))
        state.throttle.set_limits(body)
        return JSONResponse(listing())

    @router.delete("/limits")
    def delete_limits() -> dict[str, Any]:
        state.throttle.set_limits(configured())
        return listing()

    return router
