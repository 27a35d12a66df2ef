"""Emulator settings: the tenant's credentials, the region whose limits apply, and the timings."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from metastudio_provider.catalog import DEFAULT_REGION, REGIONS, all_apis

DEFAULT_AK = "EMULATORAK0000000000"
DEFAULT_SK = "emulator-sk-do-not-use-in-production"
DEFAULT_PROJECT_ID = "0123456789abcdef0123456789abcdef"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765

DEFAULT_JOB_SECONDS = 10.0
DEFAULT_FAILURE_RATE = 0.0
DEFAULT_LIVE_START_SECONDS = 2.0
DEFAULT_TRAINING_SECONDS = 10.0
DEFAULT_TTS_SECONDS = 2.0
MAX_CLOCK_SKEW_SECONDS = 15 * 60
DEFAULT_DOWNLOAD_URL_SECONDS = 24 * 3600.0
DEFAULT_LIVE_EXIT_HOUR_SECONDS = 3600.0


@dataclass
class EmulatorConfig:
    """Everything the emulator needs; every field has a usable default."""

    region: str = DEFAULT_REGION
    ak: str = DEFAULT_AK
    sk: str = field(default=DEFAULT_SK, repr=False)
    project_id: str = DEFAULT_PROJECT_ID
    job_seconds: float = DEFAULT_JOB_SECONDS
    """Video jobs: WAITING for the first fifth, PROCESSING until ``job_seconds``, then SUCCEED or FAILED."""
    failure_rate: float = DEFAULT_FAILURE_RATE
    """Share (0..1) of video jobs that end FAILED instead of SUCCEED."""
    live_start_seconds: float = DEFAULT_LIVE_START_SECONDS
    """Livestream jobs stay WAITING this long before PROCESSING."""
    training_seconds: float = DEFAULT_TRAINING_SECONDS
    """Avatar and voice training: time from submission to success."""
    tts_seconds: float = DEFAULT_TTS_SECONDS
    """TTS audition: time until ``is_file_complete`` is true."""
    download_url_seconds: float = DEFAULT_DOWNLOAD_URL_SECONDS
    """How long a pre-signed download URL (a file's ``download_url``) is valid; after that it answers 403
    ``AccessDenied`` "Request has expired." as OBS does, and ShowAsset gives a fresh one (24 h, as MetaStudio)."""
    live_exit_hour_seconds: float = DEFAULT_LIVE_EXIT_HOUR_SECONDS
    """Seconds per hour of ``play_policy.live_exit_config.max_live_duration`` (MetaStudio stops a livestream
    itself that many hours after it went live): 3600 as MetaStudio; tests shorten an hour to seconds."""
    max_clock_skew: float = MAX_CLOCK_SKEW_SECONDS
    throttle: bool = True
    limits: dict[str, int] = field(default_factory=dict)
    """Per-second limits enforced instead of the table's, by API name (e.g. ``{"Create2DDigitalHumanVideo": 1}``):
    a gateway that allows less than its documentation says."""
    public_url: str | None = None
    """Base URL put into upload/download URLs; None means the request's own scheme and Host."""
    seed: int | None = None
    """Seed for the failure draw, for reproducible runs."""
    clock: Callable[[], float] = field(default=time.time, repr=False)
    """Wall clock (epoch seconds) for lifecycles and X-Sdk-Date checks."""

    def __post_init__(self) -> None:
        if self.region not in REGIONS:
            raise ValueError(f"unknown region {self.region!r}; expected one of {', '.join(REGIONS)}")
        if not 0.0 <= self.failure_rate <= 1.0:
            raise ValueError("failure_rate must be between 0 and 1")
        if problem := limits_problem(self.limits):
            raise ValueError(problem)
        for name in ("job_seconds", "live_start_seconds", "training_seconds", "tts_seconds", "live_exit_hour_seconds"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, not {value}")
        if not math.isfinite(self.download_url_seconds) or self.download_url_seconds <= 0:
            raise ValueError(f"download_url_seconds must be a finite number > 0, not {self.download_url_seconds}")


def limits_problem(limits: object) -> str | None:
    """What is wrong with enforced ``limits`` (an API name -> whole number >= 1 mapping), or None."""
    if not isinstance(limits, dict):
        return "limits must map API names to per-second limits"
    apis = all_apis()
    for name, limit in limits.items():
        if name not in apis:
            return f"limits: unknown API {name!r}"
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            return f"limits: {name} must be a whole number of calls per second >= 1, not {limit!r}"
    return None
