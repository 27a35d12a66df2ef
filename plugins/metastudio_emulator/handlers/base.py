"""What every handler gets (``Ctx``) and shared helpers: query parsing, paging, times, URLs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

from metastudio_provider.catalog import Api

from ..config import EmulatorConfig
from ..errors import invalid, not_found
from ..store import Store

T = TypeVar("T")
OBS_BUCKET = "metastudio-emulator"
URL_TTL_SECONDS = 24 * 3600
"""Upload URLs' validity; download URLs last ``EmulatorConfig.download_url_seconds`` (24 h by default)."""


class Reply:
    """A handler's answer when it is not a plain 200 JSON object."""

    def __init__(self, body: dict[str, Any] | None = None, status: int = 200) -> None:
        self.body = body
        self.status = status


Result = dict[str, Any] | Reply | None
Handler = Callable[["Ctx"], Result]


@dataclass
class Ctx:
    """One admitted API call: parsed inputs plus the tenant's store."""

    api: Api
    store: Store
    config: EmulatorConfig
    now: float
    path: dict[str, str]
    query: list[tuple[str, str]]
    body: dict[str, Any]
    base_url: str
    url_secret: bytes

    # -- query ----------------------------------------------------------------------------------

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.q_all(name)
        return values[-1] if values else default

    def q_all(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def q_list(self, name: str) -> list[str]:
        """Comma-separated values of ``name`` (all occurrences), upper-cased states left as given."""
        return [part.strip() for v in self.q_all(name) for part in v.split(",") if part.strip()]

    def q_int(self, name: str, default: int, minimum: int = 0, maximum: int = 10**9) -> int:
        raw = self.q(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            raise invalid(f"parameter '{name}' must be an integer") from None
        if not minimum <= value <= maximum:
            raise invalid(f"parameter '{name}' must be between {minimum} and {maximum}")
        return value

    def q_bool(self, name: str) -> bool | None:
        raw = self.q(name)
        return None if raw is None else raw.lower() == "true"

    # -- lookups --------------------------------------------------------------------------------

    def get(self, table: dict[str, T], kind: str, param: str) -> T:
        key = self.path[param]
        try:
            return table[key]
        except KeyError:
            raise not_found(kind, key) from None

    # -- URLs of the fake OBS -------------------------------------------------------------------

    def object_url(self, key: str, method: str = "GET") -> str:
        """An absolute, pre-signed URL of the fake OBS for ``key`` (a GET one expires after the configured
        ``download_url_seconds``)."""
        ttl = self.config.download_url_seconds if method == "GET" else URL_TTL_SECONDS
        return presigned_url(self.base_url, key, method, self.now, self.url_secret, ttl)


def presign(secret: bytes, method: str, key: str, expires: int) -> str:
    mac = hmac.new(secret, f"{method}\n{expires}\n/{OBS_BUCKET}/{key}".encode(), hashlib.sha1).digest()
    return base64.b64encode(mac).decode("ascii")


def presigned_url(base_url: str, key: str, method: str, now: float, secret: bytes,
                  ttl: float = URL_TTL_SECONDS) -> str:
    expires = int(now + ttl)
    query = urlencode({"AccessKeyId": "EMULATOROBS", "Expires": expires,
                       "Signature": presign(secret, method, key, expires)})
    return f"{base_url.rstrip('/')}/_obs/{OBS_BUCKET}/{quote(key)}?{query}"


def iso(ts: float | None) -> str | None:
    """MetaStudio's UTC time format, e.g. ``2024-01-01T00:00:00Z``."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def millis(ts: float | None) -> int | None:
    return None if ts is None else int(ts * 1000)


def page(ctx: Ctx, items: Sequence[T], *, default_limit: int = 10, max_limit: int = 100) -> list[T]:
    offset = ctx.q_int("offset", 0)
    limit = ctx.q_int("limit", default_limit, 0, max_limit)
    return list(items[offset: offset + limit])


def contains(haystack: str | None, needle: str | None) -> bool:
    """Case-insensitive fuzzy match used by name filters; no needle matches everything."""
    return not needle or needle.lower() in (haystack or "").lower()


def compact(data: dict[str, Any]) -> dict[str, Any]:
    """Drop None values (the SDK omits them too)."""
    return {k: v for k, v in data.items() if v is not None}


def pick(body: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {k: body[k] for k in names if body.get(k) is not None}
