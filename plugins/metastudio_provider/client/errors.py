"""Typed errors raised by the MetaStudio client. None of them ever carries the SK."""

from __future__ import annotations

import json
from typing import Any

THROTTLED_ERROR_CODE = "APIGW.0308"


class MetaStudioError(Exception):
    """Base class of every error this provider raises about MetaStudio."""


class MetaStudioConfigError(MetaStudioError, ValueError):
    """The connection or client settings are wrong: ``field`` names what to fix. Never retried."""

    retryable = False

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"MetaStudio connection: {field}: {problem}")


class MetaStudioAPIError(MetaStudioError):
    """MetaStudio answered with an error: its ``error_code``, ``error_msg`` and ``X-Request-Id``."""

    def __init__(
        self, api: str, status_code: int, error_code: str, error_msg: str, request_id: str | None = None
    ) -> None:
        self.api = api
        self.status_code = status_code
        self.error_code = error_code
        self.error_msg = error_msg
        self.request_id = request_id
        super().__init__(
            f"{api} failed: HTTP {status_code} {error_code}: {error_msg} (X-Request-Id: {request_id or '-'})"
        )

    @property
    def retryable(self) -> bool:
        return self.status_code >= 500

    @property
    def permanent(self) -> bool:
        """A 4xx other than 429: the same request will fail the same way."""
        return 400 <= self.status_code < 500 and not self.retryable

    def to_dict(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "status_code": self.status_code,
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "request_id": self.request_id,
        }


class MetaStudioThrottledError(MetaStudioAPIError):
    """HTTP 429 or ``APIGW.0308``: the gateway refused the call, so it is always safe to resend."""

    def __init__(self, *args: Any, retry_after: float | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class MetaStudioTransportError(MetaStudioError):
    """The request failed on the network. ``maybe_processed`` is False only when it never left."""

    def __init__(self, api: str, cause: Exception, *, maybe_processed: bool) -> None:
        self.api = api
        self.maybe_processed = maybe_processed
        super().__init__(f"{api}: {type(cause).__name__}: {cause}")

    retryable = True


class MetaStudioUnreachableError(MetaStudioError):
    """MetaStudio answered no call with anything but a 5xx or a network error for longer than the client
    rides out (``ClientSettings.outage_seconds``): an outage, not a bad request. Airflow may retry it."""

    retryable = True

    def __init__(self, api: str, seconds: float, attempts: int, cause: BaseException) -> None:
        self.api = api
        self.cause = cause
        super().__init__(
            f"{api}: MetaStudio has been unreachable for {seconds:.0f} s ({attempts} attempts; last: {cause}): "
            "an outage longer than the client rides out (connection extra outage_seconds). Nothing was lost: "
            "a retry or a re-run makes only what is missing"
        )


class MetaStudioOutcomeUnknownError(MetaStudioError):
    """A create may or may not have happened, and there is no safe way to check: it is not re-sent."""

    def __init__(self, api: str, cause: Exception) -> None:
        self.api = api
        super().__init__(
            f"{api}: the outcome is unknown ({cause}); not re-sent, to avoid creating a duplicate. "
            "Check MetaStudio before retrying."
        )


def parse_error_body(text: str, status_code: int) -> tuple[str, str]:
    """``(error_code, error_msg)`` from an error body, in the SDK's order of formats (wire notes §6.1)."""
    try:
        data = json.loads(text)
    except ValueError:
        return str(status_code), text
    found = _find_error(data)
    return found if found else (str(status_code), text)


def _find_error(data: Any) -> tuple[str, str] | None:
    if not isinstance(data, dict):
        return None
    for code_key, msg_key in (("error_code", "error_msg"), ("errorCode", "errorMsg"), ("code", "message")):
        if code_key in data:
            return str(data[code_key]), str(data.get(msg_key, ""))
    for value in data.values():
        if found := _find_error(value):
            return found
    return None
