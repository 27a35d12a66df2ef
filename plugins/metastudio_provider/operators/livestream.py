"""Moved to ``metastudio_provider.livestream`` (``rooms``, ``start_stop``, ``show``); this old import path re-exports it."""

from __future__ import annotations

from metastudio_provider.livestream.rooms import PrepareLivestreamRoomOperator
from metastudio_provider.livestream.show import LivestreamShowOperator
from metastudio_provider.livestream.start_stop import StartLivestreamOperator, StopLivestreamOperator

__all__ = ["LivestreamShowOperator", "PrepareLivestreamRoomOperator", "StartLivestreamOperator",
           "StopLivestreamOperator"]
