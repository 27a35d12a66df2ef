"""When a failed call is tried again, and how long to wait (tenacity).

- Throttled (HTTP 429 / ``APIGW.0308``): the gateway refused it, so re-send it at once through the
  limiter, which was told (``clients._send`` reports every attempt): it holds every caller of that API
  until ``Retry-After`` and has cut the API's rate, so the re-send waits for a slot like any call.
- 5xx and network errors: re-send, with backoff, unless the call creates something and
  may already have been processed (``client.duplicates`` decides that, and how to avoid a duplicate).
- Any other 4xx: not retried.
A call is tried up to ``ClientSettings.max_attempts`` times; while MetaStudio answers only 5xx or
nothing (an outage) it goes on trying for ``outage_seconds`` (5 minutes by default), then raises
``MetaStudioUnreachableError`` naming the outage. So a short outage costs time, not an Airflow retry.
"""

from __future__ import annotations

import logging
from typing import Any

from tenacity import RetryCallState, retry_if_exception, wait_exponential_jitter

from metastudio_provider.client.errors import (
    MetaStudioAPIError,
    MetaStudioThrottledError,
    MetaStudioTransportError,
    MetaStudioUnreachableError,
)
from metastudio_provider.client.settings import ClientSettings

log = logging.getLogger(__name__)


def retry_kwargs(settings: ClientSettings) -> dict[str, Any]:
    """Arguments for ``tenacity.Retrying`` and ``AsyncRetrying`` alike."""
    backoff = wait_exponential_jitter(multiplier=0.25, max=settings.max_backoff, jitter=0.25)

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, MetaStudioThrottledError):
            return 0.0  # the limiter paces the re-send (Retry-After, the cut rate)
        return backoff(state)

    def stop(state: RetryCallState) -> bool:
        if state.attempt_number < settings.max_attempts:
            return False
        exc = state.outcome.exception() if state.outcome else None
        return not (unreachable(exc) and (state.seconds_since_start or 0.0) < settings.outage_seconds)

    def give_up(state: RetryCallState) -> Any:
        exc = state.outcome.exception() if state.outcome else None
        assert exc is not None  # only failures are retried
        if unreachable(exc) and settings.outage_seconds:
            raise MetaStudioUnreachableError(getattr(exc, "api", "MetaStudio"), state.seconds_since_start or 0.0,
                                             state.attempt_number, exc) from exc
        raise exc

    return {
        "stop": stop,
        "wait": wait,
        "retry": retry_if_exception(lambda exc: bool(getattr(exc, "retryable", False))),
        "retry_error_callback": give_up,
        "before_sleep": _log_retry,
    }


def unreachable(exc: BaseException | None) -> bool:
    """Is ``exc`` what an outage looks like: a 5xx or a network error (not a throttle, not a 4xx)?"""
    if isinstance(exc, MetaStudioAPIError):
        return exc.status_code >= 500 and not isinstance(exc, MetaStudioThrottledError)
    return isinstance(exc, MetaStudioTransportError)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning("MetaStudio call failed (attempt %d): %s; retrying", state.attempt_number, exc)
