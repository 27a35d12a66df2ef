"""What a client needs to reach one MetaStudio tenant in one region."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from metastudio_provider.catalog import DEFAULT_REGION, REGIONS
from metastudio_provider.client.errors import MetaStudioConfigError
from metastudio_provider.client.redact import redact_uri


@dataclass(frozen=True)
class Credentials:
    """AK/SK of a tenant. ``repr`` never shows the SK."""

    ak: str
    sk: str = field(repr=False)
    project_id: str

    def __post_init__(self) -> None:
        missing = [name for name in ("ak", "sk", "project_id") if not getattr(self, name)]
        if missing:
            raise MetaStudioConfigError(", ".join(missing), "missing")


@dataclass(frozen=True)
class ClientSettings:
    """Where and how to call MetaStudio."""

    credentials: Credentials
    region: str = DEFAULT_REGION
    endpoint: str | None = None
    """Base URL override (the emulator, a proxy); default ``https://metastudio.<region>.myhuaweicloud.com``."""
    app_user_id: str | None = None
    rate_limit_storage: str = "memory://"
    """``memory://`` (one process) or ``redis://host:port/db`` (shared by processes and hosts)."""
    rate_limit_margin: float = 0.05
    """The longest a call's slot is held past its admission: a slot is reused 1 s after the call's answer,
    never later than admission + 1 s + this margin (the gateway counts arrivals; see ``client.adaptive``)."""
    timeout: float = 30.0
    """Seconds httpx waits to connect, read, write or get a pooled connection (connection extra ``timeout``)."""
    max_attempts: int = 6
    """Tries of one call, the first included, for transient errors (connection extra ``max_attempts``)."""
    max_backoff: float = 20.0
    """The longest wait between two tries of a call."""
    outage_seconds: float = 300.0
    """How long a call goes on trying while MetaStudio answers only 5xx or nothing at all (an outage),
    whatever ``max_attempts`` says; then ``MetaStudioUnreachableError`` (connection extra ``outage_seconds``)."""

    def __post_init__(self) -> None:
        number_setting("timeout", self.timeout)
        number_setting("max_attempts", self.max_attempts, integer=True)
        if self.outage_seconds != 0:  # 0: no riding out, max_attempts alone
            number_setting("outage_seconds", self.outage_seconds)
        if self.region not in REGIONS:
            raise MetaStudioConfigError(
                "region", f"unknown region {self.region!r}; expected one of {', '.join(REGIONS)}"
            )
        if self.endpoint:
            check_endpoint(self.endpoint)

    @property
    def base_url(self) -> str:
        return (self.endpoint or f"https://metastudio.{self.region}.myhuaweicloud.com").rstrip("/")


def number_setting(field_name: str, value: object, *, integer: bool = False) -> float | int:
    """``value`` (a number, or a string of one) as a positive float, or a whole number >= 1 with
    ``integer``; else ``MetaStudioConfigError`` naming the field."""
    wanted = "a whole number >= 1" if integer else "a number of seconds > 0"
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)  # type: ignore[arg-type]
        if integer:
            if not number.is_integer():
                raise ValueError
            number = int(number)
    except (TypeError, ValueError, OverflowError):
        raise MetaStudioConfigError(field_name, f"must be {wanted}, not {value!r}") from None
    if number != number or number <= 0 or number == float("inf"):
        raise MetaStudioConfigError(field_name, f"must be {wanted}, not {value!r}")
    return number


def check_endpoint(endpoint: str, field_name: str = "endpoint") -> None:
    """An ``http(s)://host[:port][/path]`` base URL, or ``MetaStudioConfigError`` naming the field."""
    shown = redact_uri(endpoint)
    try:
        parts = urlsplit(endpoint)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise MetaStudioConfigError(field_name, f"{shown!r} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise MetaStudioConfigError(
            field_name, f"{shown!r} has scheme {parts.scheme + '://' if parts.scheme else 'none'}: use https:// (or http://)"
        )
    if not parts.hostname:
        raise MetaStudioConfigError(field_name, f"{shown!r} has no host: use https://<host>[:port]")
