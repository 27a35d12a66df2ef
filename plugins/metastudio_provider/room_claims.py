"""Moved to ``metastudio_provider.livestream.claims``; this old import path re-exports it."""

from __future__ import annotations

from metastudio_provider.livestream.claims import (
    CLAIM_KEY,
    JOB_IDS_XCOM,
    RUNNING_RUN_STATES,
    START_ATTEMPTS_XCOM,
    START_WINDOW,
    Claim,
    Runs,
    Started,
    live_jobs,
    service_time,
    settle_room,
    stop_job,
    stop_orphans,
)

__all__ = ["CLAIM_KEY", "JOB_IDS_XCOM", "RUNNING_RUN_STATES", "START_ATTEMPTS_XCOM", "START_WINDOW", "Claim", "Runs",
           "Started", "live_jobs", "service_time", "settle_room", "stop_job", "stop_orphans"]
