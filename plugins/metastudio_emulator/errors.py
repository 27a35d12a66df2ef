"""Error bodies: MetaStudio's ``{"error_code", "error_msg"}`` and the API gateway's ``APIGW.*`` codes.

The MSS codes are the emulator's own choice (MetaStudio publishes no catalogue); the APIGW
codes are the gateway's documented ones for authentication (0301), throttling (0308) and
unknown APIs (0101).
"""

from __future__ import annotations

from typing import Any

INVALID_PARAMETER = "MSS.00000001"
FORBIDDEN = "MSS.00000003"
NOT_FOUND = "MSS.00000004"
INVALID_STATE = "MSS.00000005"
INTERNAL_ERROR = "MSS.00000500"

APIGW_AUTH = "APIGW.0301"
APIGW_THROTTLED = "APIGW.0308"
APIGW_NO_API = "APIGW.0101"


class ApiError(Exception):
    """Raised by handlers; becomes an HTTP error with a MetaStudio-style body."""

    def __init__(self, status: int, code: str, msg: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.headers = headers or {}

    def body(self, request_id: str) -> dict[str, Any]:
        return {"error_code": self.code, "error_msg": self.msg, "request_id": request_id}


def invalid(msg: str) -> ApiError:
    return ApiError(400, INVALID_PARAMETER, msg)


def not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, NOT_FOUND, f"{kind} {ident} not found")


def bad_state(msg: str) -> ApiError:
    return ApiError(400, INVALID_STATE, msg)


def auth_failed(detail: str) -> ApiError:
    return ApiError(401, APIGW_AUTH, f"Incorrect IAM authentication information: {detail}")


def throttled(limit: int, retry_after: int = 1) -> ApiError:
    """The gateway's 429, with ``Retry-After``: whole seconds until a slot of the window frees up."""
    return ApiError(
        429,
        APIGW_THROTTLED,
        f"The throttling threshold has been reached: policy user over ratelimit,limit:{limit},time:1 second",
        headers={"Retry-After": str(retry_after)},
    )
