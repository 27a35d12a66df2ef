"""Moved to ``metastudio_provider.livestream.show`` (decisions: ``livestream.steps``); this old import path re-exports it."""

from __future__ import annotations

from metastudio_provider.livestream.show import STOP_MARGIN, LivestreamShowOperator

__all__ = ["STOP_MARGIN", "LivestreamShowOperator"]
