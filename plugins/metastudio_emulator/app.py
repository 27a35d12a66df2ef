"""``create_app(config)``: one FastAPI route per catalog API, all served by ``dispatch``.

Per request: authentication (APIGW.0301) → throttling (APIGW.0308) → project check →
injected fault (before commit) → body checks → handler → injected fault (after commit).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from metastudio_provider.catalog import Api, all_apis

from . import admin, obs, ui
from .auth import authenticate
from .body_checks import MAX_DEPTH, depth, validate_body
from .config import EmulatorConfig
from .errors import APIGW_NO_API, FORBIDDEN, INTERNAL_ERROR, ApiError, invalid, throttled
from .handlers import HANDLERS, Reply
from .records import new_id
from .runtime import EmulatorState

log = logging.getLogger(__name__)

Endpoint = Callable[[Request], Awaitable[Response]]


def create_app(config: EmulatorConfig | None = None) -> FastAPI:
    """The emulator as an ASGI app; state lives in ``app.state.emulator`` (an ``EmulatorState``)."""
    state = EmulatorState(config or EmulatorConfig())
    # Swagger UI is served by ui.mount_docs from local files (no CDN); no ReDoc page.
    app = FastAPI(title="MetaStudio emulator", version="1", docs_url=None,
                  openapi_url="/_emulator/openapi.json", redoc_url=None)
    app.state.emulator = state
    ui.mount_docs(app, "/_emulator/docs")
    app.include_router(admin.build_router(state))
    app.include_router(obs.build_router(state))
    app.include_router(ui.build_router(state))
    for api in all_apis().values():
        if api.name not in HANDLERS:
            raise RuntimeError(f"no handler for catalog API {api.name}")
        app.add_api_route(api.path, _endpoint(state, api), methods=[api.method], name=api.name,
                          summary=api.title, tags=[api.category])

    @app.exception_handler(StarletteHTTPException)
    async def unknown_api(request: Request, exc: StarletteHTTPException) -> Response:
        request_id = new_id()
        if exc.status_code in (404, 405):
            body = {"error_code": APIGW_NO_API, "error_msg": "The API does not exist or has not been published "
                    "in the environment", "request_id": request_id}
            return JSONResponse(body, status_code=404, headers={"X-Request-Id": request_id})
        return JSONResponse({"error_code": str(exc.status_code), "error_msg": str(exc.detail),
                             "request_id": request_id}, status_code=exc.status_code,
                            headers={"X-Request-Id": request_id})

    return app


def _endpoint(state: EmulatorState, api: Api) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await dispatch(state, api, request)

    endpoint.__name__ = api.name
    return endpoint


def _error(err: ApiError, request_id: str) -> JSONResponse:
    return JSONResponse(err.body(request_id), status_code=err.status,
                        headers={**err.headers, "X-Request-Id": request_id})


async def dispatch(state: EmulatorState, api: Api, request: Request) -> Response:
    """Run one API call through the gateway checks and its handler."""
    request_id = new_id()
    raw = await request.body()
    config = state.config
    try:
        headers = {k.lower(): v for k, v in request.headers.items()}
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        authenticate(config, method=request.method, raw_path=raw_path.decode("utf-8", "replace"),
                     raw_query=request.scope.get("query_string", b"").decode("utf-8", "replace"),
                     headers=headers, body=raw)
        if (retry_after := state.throttle.check(api.name)) is not None:
            raise throttled(state.throttle.limit(api.name), retry_after)
        _check_project(config, request.path_params.get("project_id"), headers.get("x-project-id"))
        fault = state.faults.take(api.name)
        if fault is not None and fault.mode == "error_before_commit":
            return _fault_response(fault.status, fault.mode, request_id)
        body = _parse_body(api, raw, headers.get("content-type", ""))
        reply = _run(state, api, request, body)
        if fault is not None:
            return _fault_response(fault.status, fault.mode, request_id)
    except ApiError as err:
        return _error(err, request_id)
    except Exception:  # noqa: BLE001 - any bug becomes a MetaStudio-style 500
        log.exception("emulator handler %s failed (request %s)", api.name, request_id)
        return _error(ApiError(500, INTERNAL_ERROR, "internal error of the emulator"), request_id)
    headers_out = {"X-Request-Id": request_id}
    if reply.status == 204:
        return Response(status_code=204, headers=headers_out)
    return JSONResponse(reply.body if reply.body is not None else {}, status_code=reply.status, headers=headers_out)


def _check_project(config: EmulatorConfig, path_project: str | None, header_project: str | None) -> None:
    for where, value in (("path", path_project), ("X-Project-Id header", header_project)):
        if value is not None and value != config.project_id:
            raise ApiError(403, FORBIDDEN, f"project_id {value} in the {where} does not belong to this tenant")


def _parse_body(api: Api, raw: bytes, content_type: str) -> dict[str, Any]:
    """The JSON object body of a body API, or a 400 (MSS.00000001): bad input is never a 500.

    APIs without a body model ignore any body, as the SDK sends none.
    """
    if not api.has_body:
        return {}
    if not raw.strip():
        validate_body(api, {})
        return {}
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise invalid(f"Content-Type must be application/json, not {content_type or 'missing'!r}")
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise invalid(f"request body is nested deeper than {MAX_DEPTH} levels") from None
    except ValueError:  # includes UnicodeDecodeError
        raise invalid("request body is not valid JSON") from None
    if depth(body) > MAX_DEPTH:
        raise invalid(f"request body is nested deeper than {MAX_DEPTH} levels")
    validate_body(api, body)
    return body


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _run(state: EmulatorState, api: Api, request: Request, body: dict[str, Any]) -> Reply:
    return state.run(api, path={k: str(v) for k, v in request.path_params.items()},
                     query=[(k, v) for k, v in request.query_params.multi_items()], body=body,
                     base_url=state.config.public_url or str(request.base_url))


def _fault_response(status: int, mode: str, request_id: str) -> JSONResponse:
    body = {"error_code": INTERNAL_ERROR if status >= 500 else "MSS.00000002",
            "error_msg": f"Injected fault ({mode})", "request_id": request_id}
    return JSONResponse(body, status_code=status, headers={"X-Request-Id": request_id})
