"""MetaStudio's timestamps (RFC 3339, UTC: ``2021-01-10T08:43:17Z``) read in one place."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def service_time(value: Any) -> float | None:
    """An RFC 3339 time of MetaStudio (``2021-01-10T08:43:17Z``) as epoch seconds; a whole-second one is
    read as the middle of its second (MetaStudio truncates). None if absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.timestamp() + (0.5 if parsed.microsecond == 0 else 0.0)
