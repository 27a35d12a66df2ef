"""The MetaStudio HTTP client: signing, throttling, retries. Knows nothing of Airflow."""

from metastudio_provider.client.clients import AsyncMetaStudioClient, MetaStudioClient
from metastudio_provider.client.errors import (
    MetaStudioAPIError,
    MetaStudioError,
    MetaStudioOutcomeUnknownError,
    MetaStudioThrottledError,
    MetaStudioTransportError,
)
from metastudio_provider.client.limiter import RateLimiter, get_limiter
from metastudio_provider.client.settings import ClientSettings, Credentials

__all__ = [
    "AsyncMetaStudioClient",
    "ClientSettings",
    "Credentials",
    "MetaStudioAPIError",
    "MetaStudioClient",
    "MetaStudioError",
    "MetaStudioOutcomeUnknownError",
    "MetaStudioThrottledError",
    "MetaStudioTransportError",
    "RateLimiter",
    "get_limiter",
]
