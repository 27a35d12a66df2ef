"""Moved to ``metastudio_provider.livestream.window``; this old import path re-exports it."""

from __future__ import annotations

from metastudio_provider.livestream.window import (
    SHOW_DEFAULTS,
    SHOW_LIMITS,
    ShowSettings,
    lateness,
    missed_message,
    planned_start,
    show_problems,
    show_settings,
    show_window,
)

__all__ = ["SHOW_DEFAULTS", "SHOW_LIMITS", "ShowSettings", "lateness", "missed_message", "planned_start",
           "show_problems", "show_settings", "show_window"]
