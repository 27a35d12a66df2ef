"""How ``pytest -n N`` hands out the tests: a file per work unit, every real-Airflow test in one unit,
longest units first (seconds remembered from the previous runs in pytest's cache, over the seconds of a
recent full run committed in ``work_unit_seconds.json``, so that a fresh clone starts in a good order).

A file's tests stay on one worker, so module fixtures (a ``dag.test()`` run, an emulator, an Airflow
home) are made once. The tests that run the shared real Airflow (``tests/integration``, ``tests/browser``)
run one after another on one worker, so the shared cluster starts once; that unit starts first, and the
Celery deployment's module (a cluster of its own) second, on another worker. The other units go longest
first (never-timed ones before timed ones), so no long file starts last and makes the others wait.
(A custom split, because pytest-xdist's ``loadgroup`` does not work with pytest 9's node ids.)
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.tiers import DIRECTORY_TIERS

REAL_AIRFLOW = "real-airflow"
REAL_AIRFLOW_DIRS = tuple(f"tests/{d}/" for d, tier in DIRECTORY_TIERS.items() if tier in ("integration", "browser"))
CACHE_KEY = "metastudio/work-unit-seconds"
SEED = Path(__file__).with_name("work_unit_seconds.json")
"""Seconds per unit of a full run (refresh: copy .pytest_cache/v/metastudio/work-unit-seconds after ``make test``)."""


CELERY = "tests/integration/test_celery_cluster.py"
"""The Celery deployment's tests: a cluster of their own (PostgreSQL, Redis), so a unit of their own, started
first beside the shared cluster's (each mostly waits on its processes: shows, renders, heartbeats)."""


def work_unit(nodeid: str) -> str:
    """What one worker runs in one go: a test file, or every test that runs the shared real Airflow."""
    path = nodeid.split("::")[0]
    if path == CELERY:
        return CELERY
    return REAL_AIRFLOW if path.startswith(REAL_AIRFLOW_DIRS) else path


class UnitSeconds:
    """Seconds per work unit of this run (setup, call and teardown), merged into the cache at the end."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    def add(self, report: pytest.TestReport) -> None:
        self.seconds[work_unit(report.nodeid)] += report.duration

    def save(self, config: pytest.Config) -> None:
        cache = getattr(config, "cache", None)
        if cache is None or not self.seconds:
            return
        known = cache.get(CACHE_KEY, {})
        known.update({unit: round(seconds, 2) for unit, seconds in self.seconds.items()})
        cache.set(CACHE_KEY, known)


def order(units: list[str], known: dict[str, float]) -> list[str]:
    """The real-Airflow unit, then the never-timed units, then the others longest first (stable)."""
    return sorted(units, key=lambda unit: (unit not in (REAL_AIRFLOW, CELERY), unit != REAL_AIRFLOW,
                                           -known.get(unit, math.inf)))


def make_scheduler(config: pytest.Config, log: Any, known: dict[str, float] | None = None) -> Any:
    """xdist's LoadScopeScheduling over ``work_unit``s in ``order`` (``known``: seconds, else the cache's)."""
    from xdist.scheduler import LoadScopeScheduling

    if known is None:
        cache = getattr(config, "cache", None)
        seed = json.loads(SEED.read_text()) if SEED.exists() else {}
        known = {**seed, **(cache.get(CACHE_KEY, {}) if cache is not None else {})}
    seconds: dict[str, float] = known

    class LongestFileFirst(LoadScopeScheduling):
        ordered = False

        def _split_scope(self, nodeid: str) -> str:
            return work_unit(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            if not self.ordered:  # the work queue is complete at the first assignment
                ordered_units = order(list(self.workqueue), seconds)
                self.workqueue = type(self.workqueue)((u, self.workqueue[u]) for u in ordered_units)
                self.ordered = True
            super()._assign_work_unit(node)

    return LongestFileFirst(config, log)
