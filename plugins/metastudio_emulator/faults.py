"""Injected faults: make the next ``count`` calls of an API fail with a 5xx (or any status).

``error_before_commit``: the request is not processed. ``error_after_commit``: the request is
processed (e.g. the asset is created) but the response is replaced by the error, which is how
a client's duplicate avoidance can be tested over real HTTP.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .records import take_one

Mode = Literal["error_before_commit", "error_after_commit"]
MODES: tuple[str, ...] = ("error_before_commit", "error_after_commit")


@dataclass
class Fault:
    api: str
    mode: Mode
    status: int = 500
    count: int = 1


class Faults:
    """Queue of pending faults per API; each request consumes at most one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, list[Fault]] = {}

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._pending.setdefault(fault.api, []).append(fault)

    def take(self, api: str) -> Fault | None:
        """The fault to apply to this call of ``api``, if any (decrements its count)."""
        with self._lock:
            fault = take_one(self._pending.get(api) or [])
            return None if fault is None else Fault(fault.api, fault.mode, fault.status, 1)

    def pending(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for queue in self._pending.values() for f in queue]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
