"""Turning a catalog API and its inputs into a signed HTTP request, and a response into JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from metastudio_provider import signing
from metastudio_provider.catalog import Api
from metastudio_provider.client.errors import (
    THROTTLED_ERROR_CODE,
    MetaStudioAPIError,
    MetaStudioThrottledError,
    parse_error_body,
)
from metastudio_provider.client.settings import ClientSettings


@dataclass(frozen=True)
class Call:
    """One API call, validated and ready to be signed (again on every attempt: fresh X-Sdk-Date)."""

    api: Api
    path: str
    pairs: tuple[tuple[str, str], ...]
    body: bytes
    payload: Mapping[str, Any] | None = None

    def signed(self, settings: ClientSettings) -> tuple[str, dict[str, str]]:
        """The URL to send and the headers, with Authorization."""
        base = urlsplit(settings.base_url)
        headers = {"Content-Type": "application/json", "X-Project-Id": settings.credentials.project_id}
        if settings.app_user_id and "X-App-UserId" in self.api.headers:
            headers["X-App-UserId"] = settings.app_user_id
        signed = signing.sign(
            ak=settings.credentials.ak,
            sk=settings.credentials.sk,
            method=self.api.method,
            host=base.netloc,
            path=base.path.rstrip("/") + self.path,
            pairs=self.pairs,
            headers=headers,
            body=self.body,
        )
        query = signing.canonical_query(self.pairs)
        return f"{settings.base_url}{self.path}{'?' + query if query else ''}", signed


def build_call(
    api: Api,
    settings: ClientSettings,
    path_params: Mapping[str, Any] | None = None,
    query: Mapping[str, Any] | None = None,
    body: Mapping[str, Any] | None = None,
) -> Call:
    """Validate the inputs against the catalog; errors name the API and the item at fault."""
    unknown_path = sorted(set(path_params or {}) - set(api.resource_params))
    if unknown_path:
        raise ValueError(f"{api.name}: unknown path parameter(s) {', '.join(unknown_path)}")
    unknown_query = sorted(set(query or {}) - set(api.query_params))
    if unknown_query:
        raise ValueError(f"{api.name}: unknown query parameter(s) {', '.join(unknown_query)}")
    if body is not None and not api.has_body:
        raise ValueError(f"{api.name} takes no request body")
    if api.has_body:
        missing = [key for key in api.body_required if (body or {}).get(key) in (None, "")]
        if missing:
            raise ValueError(f"{api.name}: missing required body field(s) {', '.join(missing)}")
    return Call(
        api=api,
        path=api.format_path(settings.credentials.project_id, path_params),
        pairs=tuple(signing.query_pairs(query)),
        body=json.dumps(body).encode("utf-8") if body is not None else b"",
        payload=body,
    )


def parse_response(api: Api, response: httpx.Response) -> dict[str, Any]:
    """The JSON body of a success, or the typed error MetaStudio answered."""
    request_id = response.headers.get("X-Request-Id")
    if response.status_code < 400:
        if not response.content:
            return {}
        data = response.json()
        return data if isinstance(data, dict) else {"data": data}
    error_code, error_msg = parse_error_body(response.text, response.status_code)
    if response.status_code == 429 or error_code == THROTTLED_ERROR_CODE:
        raise MetaStudioThrottledError(
            api.name, response.status_code, error_code, error_msg, request_id,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    raise MetaStudioAPIError(api.name, response.status_code, error_code, error_msg, request_id)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: rare for gateways; fall back to the backoff
