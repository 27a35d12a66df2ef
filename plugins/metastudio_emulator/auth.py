"""API-gateway authentication: SDK-HMAC-SHA256 over what was actually received."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from metastudio_provider import signing

from .config import EmulatorConfig
from .errors import auth_failed

REQUIRED_SIGNED = ("host", "x-sdk-date")


def authenticate(
    config: EmulatorConfig, *, method: str, raw_path: str, raw_query: str, headers: Mapping[str, str], body: bytes
) -> None:
    """Raise a 401 ``ApiError`` (APIGW.0301) unless the request is signed by the tenant's AK/SK.

    ``headers`` must have lower-case names. The error never contains the SK.
    """
    auth_header = headers.get("authorization")
    if not auth_header:
        raise auth_failed("Authorization header is missing")
    parsed = signing.parse_authorization(auth_header)
    if parsed is None:
        raise auth_failed("Authorization header is malformed; "
                          "expected SDK-HMAC-SHA256 Access=, SignedHeaders=, Signature=")
    sdk_date = headers.get(signing.DATE_HEADER.lower())
    if not sdk_date:
        raise auth_failed("X-Sdk-Date header is missing")
    missing = [h for h in REQUIRED_SIGNED if h not in parsed.signed_headers]
    if missing:
        raise auth_failed(f"SignedHeaders must include {', '.join(missing)}")
    try:
        signed_at = datetime.strptime(sdk_date, signing.DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise auth_failed(f"X-Sdk-Date {sdk_date!r} is not in the format YYYYMMDDTHHMMSSZ") from None
    if abs(config.clock() - signed_at) > config.max_clock_skew:
        raise auth_failed("X-Sdk-Date is more than 15 minutes away from the server time")
    if parsed.ak != config.ak:
        raise auth_failed(f"unknown access key {parsed.ak}")
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    if not signing.verify(
        sk=config.sk, method=method, path=raw_path, pairs=pairs, headers=headers, body=body, auth=parsed
    ):
        raise auth_failed("signature does not match")
