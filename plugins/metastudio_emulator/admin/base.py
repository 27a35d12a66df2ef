"""What every admin route shares: its error (``AdminError``, answered as an ``EMULATOR.*`` body) and body reader."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

ADMIN_ERROR = "EMULATOR.0001"


class AdminError(Exception):
    """A bad admin request: 400 (or ``status``) with an ``EMULATOR.*`` error body."""

    def __init__(self, msg: str, status: int = 400) -> None:
        super().__init__(msg)
        self.msg = msg
        self.status = status


def admin_error(err: AdminError) -> JSONResponse:
    return JSONResponse({"error_code": ADMIN_ERROR, "error_msg": err.msg}, status_code=err.status)


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body; an empty body is ``{}``."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError:
        raise AdminError("body must be JSON") from None
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body
