"""One running emulator (``EmulatorState``): its parts, and how an admitted API call runs on them.

It holds the tenant's ``store.Store`` beside the gateway's parts (the ``throttle.Throttle``, the injected
``faults.Faults``) and the secret that pre-signs OBS URLs, and ``run`` calls a handler on the store at the
current time. The API routes, the fake OBS, the pages and the admin routes share it. Named for what it is,
the emulator at run time, so it cannot be mistaken for ``store`` (the tenant's resources alone).
"""

from __future__ import annotations

import secrets
from typing import Any

from metastudio_provider.catalog import Api, all_apis

from .config import EmulatorConfig
from .faults import Faults
from .handlers import HANDLERS, Ctx, Reply
from .seed import seed_system_assets
from .store import Store
from .throttle import Throttle


class EmulatorState:
    """Store, throttle, injected faults and the secret that pre-signs OBS URLs."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.url_secret = secrets.token_bytes(32)
        self.throttle = Throttle({name: config.limits.get(name, api.limit(config.region))
                                  for name, api in all_apis().items()}, enabled=config.throttle)
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

    def run(self, api: Api, *, path: dict[str, str], query: list[tuple[str, str]], body: dict[str, Any],
            base_url: str) -> Reply:
        """Run ``api``'s handler on the store at the current time (raises ``ApiError``)."""
        with self.store.lock:
            now = self.config.clock()
            self.store.tick(now)
            ctx = Ctx(api=api, store=self.store, config=self.config, now=now, path=path, query=query, body=body,
                      base_url=base_url, url_secret=self.url_secret)
            result = HANDLERS[api.name](ctx)
        return result if isinstance(result, Reply) else Reply(result)
