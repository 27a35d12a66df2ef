"""Moved to ``metastudio_provider.livestream.watch``; re-exported here, the trigger's serialized classpath (``CLASSPATH``)."""

from __future__ import annotations

from metastudio_provider.livestream.steps import END_TOLERANCE
from metastudio_provider.livestream.watch import FIRST_LOOK, ON_KILL_TIMEOUT, LivestreamWatchTrigger, ended_at

__all__ = ["END_TOLERANCE", "FIRST_LOOK", "ON_KILL_TIMEOUT", "LivestreamWatchTrigger", "ended_at"]
