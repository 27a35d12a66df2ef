"""A room's show: when it goes live, for how long, how often it may restart, and when it counts as missed.

A room definition (``include/livestream/*.yaml``) may carry a ``show`` mapping; every key is optional::

    show:
      start: "20:30"              # local time (the DAG's timezone); default: the run's scheduled time
      duration_minutes: 60        # live time, counted from the moment MetaStudio reports the job live
      max_restarts: 2             # restarts after the livestream ends or fails before its time
      missed_grace_minutes: 10    # a show later than this is not started: its run fails, saying so
      live_within_minutes: 10     # a livestream not live this long after its start is stopped

A scheduled run shows a room at the first ``start`` at or after the run's scheduled time (so within
a day of it); a manual run (Trigger) goes live at once. Either way the show is *missed* when it
would go live more than ``missed_grace_minutes`` after its planned start (the DAG was paused, the
scheduler was down, the run waited behind another): it is not started at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import pendulum

SHOW_DEFAULTS: dict[str, float] = {"duration_minutes": 60.0, "max_restarts": 2, "missed_grace_minutes": 10.0,
                                   "live_within_minutes": 10.0}
SHOW_LIMITS: dict[str, tuple[float, float]] = {"duration_minutes": (0.01, 24 * 60), "max_restarts": (0, 20),
                                               "missed_grace_minutes": (0, 24 * 60), "live_within_minutes": (0.1, 120)}


@dataclass(frozen=True)
class ShowSettings:
    start: time | None = None
    duration_minutes: float = SHOW_DEFAULTS["duration_minutes"]
    max_restarts: int = int(SHOW_DEFAULTS["max_restarts"])
    missed_grace_minutes: float = SHOW_DEFAULTS["missed_grace_minutes"]
    live_within_minutes: float = SHOW_DEFAULTS["live_within_minutes"]


def show_settings(definition: dict[str, Any]) -> ShowSettings:
    """The ``show`` mapping read (``checks.shows.show_problems`` must be empty)."""
    show = definition.get("show") or {}
    start = None
    if show.get("start") is not None:
        hour, minute = (int(part) for part in show["start"].strip().split(":"))
        start = time(hour, minute)
    values = {key: show[key] for key in SHOW_DEFAULTS if show.get(key) is not None}
    return ShowSettings(start=start, **values)


def planned_start(settings: ShowSettings, run_after: datetime, scheduled: bool, timezone: str) -> datetime:
    """When the show should go live: now-ish for a manual run (``run_after``), else the room's ``start``
    (local time in ``timezone``) at or after the run's scheduled time, or that time itself."""
    run_after = pendulum.instance(run_after)
    if not scheduled or settings.start is None:
        return run_after
    local = run_after.in_timezone(timezone)
    candidate = local.set(hour=settings.start.hour, minute=settings.start.minute, second=0, microsecond=0)
    if candidate < local:
        candidate = candidate.add(days=1)
    return candidate.in_timezone("UTC")


def show_window(settings: ShowSettings, starts_at: datetime, duration_minutes: float | None = None) -> dict[str, Any]:
    """The plan of one show, as the operators take it (JSON: seconds and an ISO time)."""
    minutes = settings.duration_minutes if duration_minutes is None else float(duration_minutes)
    return {
        "starts_at": pendulum.instance(starts_at).in_timezone("UTC").isoformat(),
        "duration_seconds": round(minutes * 60, 3),
        "missed_grace_seconds": settings.missed_grace_minutes * 60,
        "max_restarts": settings.max_restarts,
        "live_within_seconds": settings.live_within_minutes * 60,
    }


def lateness(starts_at: datetime | str, now: datetime | None = None) -> float:
    """Seconds between the planned start and ``now`` (negative: still to come)."""
    start = pendulum.parse(starts_at) if isinstance(starts_at, str) else pendulum.instance(starts_at)
    return ((now or pendulum.now("UTC")) - start).total_seconds()  # type: ignore[operator,union-attr]


def missed_message(starts_at: str, late_seconds: float, grace_seconds: float, timezone: str = "UTC") -> str:
    """Why a show is not started: planned when, how late, the grace."""
    local = pendulum.parse(starts_at).in_timezone(timezone)  # type: ignore[union-attr]
    return (f"missed: planned to go live at {local.format('YYYY-MM-DD HH:mm')} {timezone}, now "
            f"{_span(late_seconds)} late (more than the {_span(grace_seconds)} grace): not started")


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
