"""The emulator's mutable parts, shared by the API routes, the fake OBS and the admin routes."""

from __future__ import annotations

import secrets

from metastudio_provider.catalog import all_apis

from .config import EmulatorConfig
from .faults import Faults
from .seed import seed_system_assets
from .store import Store
from .throttle import Throttle


class EmulatorState:
    """Store, throttle, injected faults and the secret that pre-signs OBS URLs."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.url_secret = secrets.token_bytes(32)
        self.throttle = Throttle({name: api.limit(config.region) for name, api in all_apis().items()},
                                 enabled=config.throttle)
        self.faults = Faults()
        self.store = self._new_store()

    def _new_store(self) -> Store:
        store = Store(self.config)
        seed_system_assets(store, self.config.clock())
        return store

    def reset(self) -> None:
        """Forget every resource, counter and fault; keep the system assets."""
        self.store = self._new_store()
        self.throttle.reset()
        self.faults.clear()
