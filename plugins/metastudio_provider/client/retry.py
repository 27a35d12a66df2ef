"""When a failed call is tried again, and how long to wait (tenacity).

- Throttled (HTTP 429 / ``APIGW.0308``): the gateway refused it, so re-send it at once through the
  limiter, which was told (``clients._send`` reports every attempt): it holds every caller of that API
  until ``Retry-After`` and has cut the API's rate, so the re-send waits for a slot like any call.
- 5xx and network errors: re-send, with backoff, unless the call creates something and
  may already have been processed (see ``Lookup``).
- Any other 4xx: not retried.
A call is tried up to ``ClientSettings.max_attempts`` times; while MetaStudio answers only 5xx or
nothing (an outage) it goes on trying for ``outage_seconds`` (5 minutes by default), then raises
``MetaStudioUnreachableError`` naming the outage. So a short outage costs time, not an Airflow retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from tenacity import RetryCallState, retry_if_exception, wait_exponential_jitter

from metastudio_provider.catalog import get_path
from metastudio_provider.client.errors import (
    MetaStudioAPIError,
    MetaStudioThrottledError,
    MetaStudioTransportError,
    MetaStudioUnreachableError,
)
from metastudio_provider.client.identity import carries, token_in
from metastudio_provider.client.request import Call
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


def maybe_processed(exc: BaseException) -> bool:
    """Could the server have acted on the request that failed with ``exc``?"""
    if isinstance(exc, MetaStudioThrottledError):
        return False
    if isinstance(exc, MetaStudioAPIError):
        return exc.status_code >= 500
    return bool(getattr(exc, "maybe_processed", False))


@dataclass
class Lookup:
    """How a create avoids duplicates when its outcome is unknown.

    After a create failed in a way that may have been processed (a 5xx, a lost response),
    the next attempt first lists the resources the catalog's ``dedupe`` rule names and returns
    the one this create made instead of creating it again: the one carrying the body's identity
    token (``client.identity``) where the rule has an ``identity`` field, else the one matching
    ``match``. A create with no such rule is not re-sent at all (``MetaStudioOutcomeUnknownError``).
    """

    call: Call
    pending: bool = field(default=False)

    @property
    def token(self) -> str | None:
        rule = self.call.api.dedupe
        return token_in(get_path(self.call.payload, rule.identity)) if rule and rule.identity else None

    @property
    def identifiable(self) -> bool:
        """False when the rule needs a token and the body carries none: nothing can be told apart."""
        rule = self.call.api.dedupe
        return rule is not None and (rule.identity is None or self.token is not None)

    def query(self) -> tuple[str, dict[str, Any]]:
        rule = self.call.api.dedupe
        assert rule is not None
        token = self.token

        def value(source: str) -> Any:
            if source.startswith("="):
                return source[1:]
            if token is not None and source == rule.identity:
                return token  # filter on the token alone, not on the user's other tags
            return get_path(self.call.payload, source)

        query = {param: value(source) for param, source in rule.query.items()}
        return rule.list, {**{k: v for k, v in query.items() if v not in (None, "", [])}, "limit": 100}

    def match(self, listing: dict[str, Any]) -> dict[str, Any] | None:
        rule = self.call.api.dedupe
        assert rule is not None
        wanted, token = get_path(self.call.payload, rule.match), self.token
        if rule.identity and token is None:
            return None
        for item in listing.get(rule.items) or []:
            if wanted is not None and get_path(item, rule.match) != wanted:
                continue
            if rule.identity and token is not None and not carries(get_path(item, rule.identity), token):
                continue
            found = {key: item[key] for key in self.call.api.top_level_xcom_fields if key in item}
            log.warning("%s: found the resource an earlier attempt made (%s); not creating it again",
                        self.call.api.name, found)
            return {**item, **found, "found_existing": True}
        return None


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.warning("MetaStudio call failed (attempt %d): %s; retrying", state.attempt_number, exc)
