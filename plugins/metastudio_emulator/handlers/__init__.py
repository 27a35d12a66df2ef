"""API handlers by SDK operation name; ``HANDLERS`` covers every API of the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from . import assets, files, live, products, scripts, training, videos, voice
from .base import Ctx, Handler, Reply, Result

HANDLERS: Mapping[str, Handler] = MappingProxyType({
    **assets.HANDLERS, **files.HANDLERS, **scripts.HANDLERS, **videos.HANDLERS, **live.HANDLERS,
    **products.HANDLERS, **training.HANDLERS, **voice.HANDLERS,
})

__all__ = ["HANDLERS", "Ctx", "Handler", "Reply", "Result"]
