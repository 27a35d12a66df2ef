"""``MetaStudioClient`` and its asyncio twin: catalog call → throttle → sign → send → retry.

Both share everything but the I/O: request building (``request``), the retry policy (``retry``),
duplicate avoidance (``duplicates``), and the process-wide rate limiter (``limiter``), to which every
attempt reports whether the gateway admitted or throttled it (that is how the limiter learns the real limit).
"""

from __future__ import annotations

import functools
import logging
import ssl
from collections.abc import Mapping
from typing import Any

import httpx
from tenacity import AsyncRetrying, Retrying

from metastudio_provider.catalog import Api, get_api
from metastudio_provider.client.duplicates import Lookup, with_fresh_token
from metastudio_provider.client.errors import (
    MetaStudioAPIError,
    MetaStudioThrottledError,
    MetaStudioTransportError,
)
from metastudio_provider.client.limiter import RateLimiter, get_limiter, limiter_key
from metastudio_provider.client.request import Call, build_call, parse_response
from metastudio_provider.client.retry import retry_kwargs
from metastudio_provider.client.settings import ClientSettings

log = logging.getLogger(__name__)

Params = Mapping[str, Any] | None

_POOL = httpx.Limits(max_connections=64, max_keepalive_connections=32)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context per process (httpx's default: the CA bundle, SSL_CERT_FILE/DIR honoured). httpx
    otherwise builds one per client, loading the CA bundle each time: about 25 ms of CPU per hook."""
    return httpx.create_ssl_context()


class _ClientBase:
    def __init__(self, settings: ClientSettings, limiter: RateLimiter | None = None) -> None:
        self.settings = settings
        self.limiter = limiter or get_limiter(settings.rate_limit_storage, settings.rate_limit_margin)

    def _prepare(self, api: str | Api, path_params: Params, query: Params, body: Params) -> Call:
        return build_call(api if isinstance(api, Api) else get_api(api), self.settings, path_params, query, body)

    def _prepare_send(self, api: str | Api, path_params: Params, query: Params, body: Params) -> Call:
        """Like ``_prepare``, the body given a fresh identity token where its create needs one
        (``duplicates.with_fresh_token``)."""
        spec = api if isinstance(api, Api) else get_api(api)
        return self._prepare(spec, path_params, query, with_fresh_token(spec, body))

    def _limiter_args(self, api: Api) -> tuple[str, int]:
        return limiter_key(self.settings.credentials.project_id, self.settings.region, api.name), api.limit(
            self.settings.region
        )

    @staticmethod
    def _transport_error(call: Call, exc: httpx.TransportError) -> MetaStudioTransportError:
        never_sent = isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
        return MetaStudioTransportError(call.api.name, exc, maybe_processed=not never_sent)


class MetaStudioClient(_ClientBase):
    """Synchronous client; one pooled ``httpx.Client``. Use as a context manager or ``close()``.

    ``transport`` replaces httpx's network transport (``httpx.MockTransport`` in tests, a proxy's).
    """

    def __init__(self, settings: ClientSettings, limiter: RateLimiter | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        super().__init__(settings, limiter)
        self._http = httpx.Client(timeout=settings.timeout, limits=_POOL, transport=transport, verify=tls_context())

    def call(self, api: str | Api, path_params: Params = None, query: Params = None, body: Params = None) -> dict:
        """Call ``api`` (a catalog name such as ``"ShowAsset"``) and return its parsed JSON."""
        lookup = Lookup(self._prepare_send(api, path_params, query, body))
        for attempt in Retrying(**retry_kwargs(self.settings)):
            with attempt:
                if lookup.pending:
                    list_api, list_query = lookup.query()
                    if found := lookup.match(self.call(list_api, query=list_query)):
                        return found
                try:
                    return self._send(lookup.call)
                except Exception as exc:
                    lookup.after_failure(exc)
                    raise
        raise AssertionError("unreachable")  # tenacity re-raises the last error

    def find_existing(self, api: str | Api, body: Params) -> dict | None:
        """What an earlier create of ``body`` made, by the catalog's ``dedupe`` rule (None if nothing).

        Where the rule has an identity field, only a resource carrying the body's token is found;
        a body without a token finds nothing (a name alone never identifies a resource).
        """
        lookup = Lookup(self._prepare(api, None, None, body))
        if not lookup.identifiable:
            return None
        list_api, list_query = lookup.query()
        return lookup.match(self.call(list_api, query=list_query))

    def _send(self, call: Call) -> dict:
        permit = self.limiter.acquire(*self._limiter_args(call.api))
        url, headers = call.signed(self.settings)
        try:
            response = self._http.request(call.api.method, url, headers=headers, content=call.body)
        except httpx.TransportError as exc:
            self.limiter.report(permit, "unknown")
            raise self._transport_error(call, exc) from exc
        try:
            result = parse_response(call.api, response)
        except MetaStudioThrottledError as exc:
            self.limiter.report(permit, "throttled", exc.retry_after)
            raise
        except MetaStudioAPIError:
            self.limiter.report(permit, "admitted")  # the gateway let it through; the API refused it
            raise
        self.limiter.report(permit, "admitted")
        return result

    def upload(self, url: str, content: bytes, *, content_md5: str, content_type: str) -> None:
        """PUT a file to a MetaStudio upload URL (pre-signed OBS: no AK/SK signature, not throttled)."""
        for attempt in Retrying(**retry_kwargs(self.settings)):
            with attempt:
                try:
                    response = self._http.put(
                        url, content=content, headers={"Content-MD5": content_md5, "Content-Type": content_type}
                    )
                except httpx.TransportError as exc:
                    raise MetaStudioTransportError("upload", exc, maybe_processed=False) from exc
                if response.status_code >= 500:
                    raise MetaStudioTransportError(
                        "upload", RuntimeError(f"HTTP {response.status_code}"), maybe_processed=False
                    )
                if response.status_code >= 400:
                    raise ValueError(f"upload refused: HTTP {response.status_code}: {response.text[:300]}")

    def close(self) -> None:
        self._http.close()

    @property
    def closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> MetaStudioClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncMetaStudioClient(_ClientBase):
    """asyncio client for triggers; shares the process's rate limiter with the sync client."""

    def __init__(self, settings: ClientSettings, limiter: RateLimiter | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(settings, limiter)
        self._http = httpx.AsyncClient(timeout=settings.timeout, limits=_POOL, transport=transport,
                                       verify=tls_context())

    async def call(
        self, api: str | Api, path_params: Params = None, query: Params = None, body: Params = None
    ) -> dict:
        lookup = Lookup(self._prepare_send(api, path_params, query, body))
        async for attempt in AsyncRetrying(**retry_kwargs(self.settings)):
            with attempt:
                if lookup.pending:
                    list_api, list_query = lookup.query()
                    if found := lookup.match(await self.call(list_api, query=list_query)):
                        return found
                try:
                    return await self._send(lookup.call)
                except Exception as exc:
                    lookup.after_failure(exc)
                    raise
        raise AssertionError("unreachable")

    async def _send(self, call: Call) -> dict:
        permit = await self.limiter.aacquire(*self._limiter_args(call.api))
        url, headers = call.signed(self.settings)
        try:
            response = await self._http.request(call.api.method, url, headers=headers, content=call.body)
        except httpx.TransportError as exc:
            await self.limiter.areport(permit, "unknown")
            raise self._transport_error(call, exc) from exc
        try:
            result = parse_response(call.api, response)
        except MetaStudioThrottledError as exc:
            await self.limiter.areport(permit, "throttled", exc.retry_after)
            raise
        except MetaStudioAPIError:
            await self.limiter.areport(permit, "admitted")
            raise
        await self.limiter.areport(permit, "admitted")
        return result

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncMetaStudioClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
