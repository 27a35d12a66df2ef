"""Moved to ``metastudio_provider.livestream.dag``; this old import path re-exports it."""

from __future__ import annotations

from metastudio_provider.livestream.dag import (
    ROOM_LABEL,
    janitor_task,
    livestream_params,
    livestream_shows,
    room_outcome,
)

__all__ = ["ROOM_LABEL", "janitor_task", "livestream_params", "livestream_shows", "room_outcome"]
