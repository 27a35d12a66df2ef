"""SDK-HMAC-SHA256 request signing, byte-identical to ``huaweicloudsdkcore.signer.Signer``.

Shared by the client (which signs) and the emulator (which verifies), like ``content_md5``, the
Content-MD5 of an upload (signed URLs carry it; the emulator checks it). Written by hand
because no maintained library outside Huawei's SDK implements this scheme, and the SDK's
signer is tied to its own request class and to ``requests``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()
CONTENT_SHA256_HEADER = "X-Sdk-Content-Sha256"

QueryPairs = Sequence[tuple[str, str]]

_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<sig>[0-9a-f]+)$"
)



def content_md5(data: bytes) -> str:
    """RFC 1864 Content-MD5: base64 of the 16-byte MD5 digest (24 characters)."""
    return base64.b64encode(hashlib.md5(data).digest()).decode("ascii")


def md5_hasher() -> Any:
    """An incremental MD5 (``update`` chunk by chunk, then ``hexdigest``) for a file too big to hold in memory:
    the delivery's check of a copied video against MetaStudio's MD5."""
    return hashlib.md5()


def query_pairs(query: Mapping[str, object] | Iterable[tuple[str, object]] | None) -> list[tuple[str, str]]:
    """Flatten a query into (key, value) string pairs: lists repeat the key, booleans become true/false."""
    items = query.items() if isinstance(query, Mapping) else (query or [])
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                continue
            pairs.append((key, str(v).lower() if isinstance(v, bool) else str(v)))
    return pairs


def canonical_query(pairs: QueryPairs) -> str:
    """Sorted by key then value, RFC 3986 encoded; also the query string that is sent."""
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def canonical_uri(path: str) -> str:
    """Decode, re-encode each segment, and end with ``/`` (only in the canonical form)."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    """Every header whose name has no ``_``, lower-cased and sorted."""
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_request(
    method: str, path: str, pairs: QueryPairs, headers: Mapping[str, str], signed: Sequence[str], body: bytes
) -> str:
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    canonical_headers = "".join(f"{name}:{lowered.get(name, '')}\n" for name in signed)
    if not body:
        payload_hash = EMPTY_BODY_SHA256
    else:
        payload_hash = lowered.get(CONTENT_SHA256_HEADER.lower()) or hashlib.sha256(body).hexdigest()
    return "\n".join(
        [method.upper(), canonical_uri(path), canonical_query(pairs), canonical_headers, ";".join(signed), payload_hash]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    return f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}"


def signature(sk: str, to_sign: str) -> str:
    return hmac.new(sk.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def sign(
    *,
    ak: str,
    sk: str,
    method: str,
    host: str,
    path: str,
    pairs: QueryPairs = (),
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
    now: datetime | None = None,
) -> dict[str, str]:
    """Return ``headers`` plus ``X-Sdk-Date``, ``Host`` and ``Authorization``, as the SDK sends them."""
    out = dict(headers or {})
    content_type = next((v for k, v in out.items() if k.lower() == "content-type"), "")
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        out[CONTENT_SHA256_HEADER] = "UNSIGNED-PAYLOAD"  # the SDK does not hash non-JSON bodies
    if not any(k.lower() == DATE_HEADER.lower() for k in out):
        out[DATE_HEADER] = (now or datetime.now(UTC)).strftime(DATE_FORMAT)
    if not any(k.lower() == "host" for k in out):
        out["Host"] = host
    sdk_date = next(v for k, v in out.items() if k.lower() == DATE_HEADER.lower())
    signed = signed_header_names(out)
    to_sign = string_to_sign(canonical_request(method, path, pairs, out, signed, body), sdk_date)
    out["Authorization"] = (
        f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature(sk, to_sign)}"
    )
    return out


@dataclass(frozen=True)
class ParsedAuthorization:
    ak: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(value: str | None) -> ParsedAuthorization | None:
    """The parts of an ``Authorization`` header, or None if it is not SDK-HMAC-SHA256."""
    match = _AUTH_RE.match((value or "").strip())
    if not match:
        return None
    return ParsedAuthorization(match["ak"], tuple(match["signed"].split(";")), match["sig"])


def verify(
    *, sk: str, method: str, path: str, pairs: QueryPairs, headers: Mapping[str, str], body: bytes,
    auth: ParsedAuthorization,
) -> bool:
    """Recompute the signature over what was received and compare in constant time."""
    lowered = {k.lower(): v for k, v in headers.items()}
    sdk_date = lowered.get(DATE_HEADER.lower(), "")
    to_sign = string_to_sign(canonical_request(method, path, pairs, lowered, auth.signed_headers, body), sdk_date)
    return hmac.compare_digest(signature(sk, to_sign), auth.signature)


def _encode(s: str) -> str:
    return quote(s, safe="~")
