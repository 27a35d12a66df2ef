"""A local MetaStudio: the 66 catalog APIs, AK/SK auth, per-API throttling, lifecycles on a clock.

It shares only ``metastudio_provider.catalog`` and ``metastudio_provider.signing`` with the
client. Start it with ``metastudio-emulator`` or, in tests, ``testing.running_emulator()``.
"""

from __future__ import annotations

from .app import create_app
from .config import DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, EmulatorConfig

__all__ = ["create_app", "EmulatorConfig", "DEFAULT_AK", "DEFAULT_SK", "DEFAULT_PROJECT_ID"]
