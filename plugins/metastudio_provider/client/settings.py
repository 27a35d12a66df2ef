"""What a client needs to reach one MetaStudio tenant in one region."""

from __future__ import annotations

from dataclasses import dataclass, field

from metastudio_provider.catalog import DEFAULT_REGION, REGIONS


@dataclass(frozen=True)
class Credentials:
    """AK/SK of a tenant. ``repr`` never shows the SK."""

    ak: str
    sk: str = field(repr=False)
    project_id: str

    def __post_init__(self) -> None:
        missing = [name for name in ("ak", "sk", "project_id") if not getattr(self, name)]
        if missing:
            raise ValueError(f"MetaStudio credentials are missing: {', '.join(missing)}")


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
    """Seconds added to the 1-second window, for the gateway counting arrivals (see ``limiter``)."""
    timeout: float = 30.0
    max_attempts: int = 6
    max_backoff: float = 20.0

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ValueError(f"unknown MetaStudio region {self.region!r}; expected one of {', '.join(REGIONS)}")

    @property
    def base_url(self) -> str:
        return (self.endpoint or f"https://metastudio.{self.region}.myhuaweicloud.com").rstrip("/")
