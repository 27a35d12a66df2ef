"""The watch trigger's serialized classpath (``CLASSPATH``): the class lives in ``metastudio_provider.livestream.watch``
and is re-exported here."""

from __future__ import annotations

from metastudio_provider.livestream.steps import END_TOLERANCE
from metastudio_provider.livestream.watch import FIRST_LOOK, ON_KILL_TIMEOUT, LivestreamWatchTrigger, ended_at

__all__ = ["END_TOLERANCE", "FIRST_LOOK", "ON_KILL_TIMEOUT", "LivestreamWatchTrigger", "ended_at"]
