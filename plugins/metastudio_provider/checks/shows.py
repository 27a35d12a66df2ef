"""A room definition's ``show`` mapping (``livestream.window``): its keys, start time and limits."""

from __future__ import annotations

import re
from typing import Any

from metastudio_provider.livestream.window import SHOW_DEFAULTS, SHOW_LIMITS

_START = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def show_problems(definition: dict[str, Any]) -> list[str]:
    """What is wrong with a room definition's ``show`` mapping; empty when ``show_settings`` can read it."""
    show = definition.get("show")
    if show is None:
        return []
    if not isinstance(show, dict):
        return [f"show: expected a mapping, got {type(show).__name__}"]
    found = []
    if unknown := sorted(set(show) - set(SHOW_DEFAULTS) - {"start"}):
        found.append(f"show: unknown key(s) {', '.join(unknown)}; valid keys: start, {', '.join(SHOW_DEFAULTS)}")
    start = show.get("start")
    if start is not None and not (isinstance(start, str) and _START.match(start.strip())):
        found.append(f"show.start {start!r}: give a local time as \"HH:MM\" (quoted), e.g. \"20:30\"")
    for key, (low, high) in SHOW_LIMITS.items():
        value = show.get(key)
        if value is None:
            continue
        integral = key == "max_restarts"
        if isinstance(value, bool) or not isinstance(value, int if integral else (int, float)):
            found.append(f"show.{key} {value!r}: expected {'an integer' if integral else 'a number'}")
        elif not low <= value <= high:
            found.append(f"show.{key} {value!r}: must be between {low:g} and {high:g}")
    return found
