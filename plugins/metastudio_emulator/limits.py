"""Admin routes for the enforced per-second limits: a gateway allowing less than its table says.

* ``GET /_emulator/limits``: per API, the table's limit of the region and the one enforced.
* ``PUT /_emulator/limits``: ``{"Create2DDigitalHumanVideo": 1, ...}`` enforced from now on.
* ``DELETE /_emulator/limits``: back to the configured limits (``EmulatorConfig.limits``, else the table's).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from metastudio_provider.catalog import all_apis

from . import endings
from .config import limits_problem
from .state import EmulatorState


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
            body = await endings.json_object(request)
        except endings.AdminError as err:
            return endings.admin_error(err)
        if problem := limits_problem(body):
            return endings.admin_error(endings.AdminError(problem))
        state.throttle.set_limits(body)
        return JSONResponse(listing())

    @router.delete("/limits")
    def delete_limits() -> dict[str, Any]:
        state.throttle.set_limits(configured())
        return listing()

    return router
