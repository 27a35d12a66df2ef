"""Test tiers: every test gets exactly one of ``unit``, ``airflow``, ``integration``, ``browser``.

By directory: ``tests/integration`` → integration, ``tests/browser`` → browser, ``tests/pipelines`` →
airflow. Elsewhere a test is ``unit`` unless its module (``pytestmark = pytest.mark.airflow``) or the
test itself carries a tier mark. A mark that contradicts the directory, or two tier marks, stop the
collection. A ``unit`` test that runs ``dag.test()`` fails, naming the mark to add.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

TIERS = ("unit", "airflow", "integration", "browser")
DIRECTORY_TIERS = {"integration": "integration", "browser": "browser", "pipelines": "airflow"}
UNIT_RUNS_AIRFLOW = ("{nodeid} is in the unit tier but runs dag.test(): mark its module "
                     "`pytestmark = pytest.mark.airflow` (or the test `@pytest.mark.airflow`)")


class TierError(ValueError):
    """A test with no tier or more than one."""


def tier_of(path: Path, marks: Iterable[str]) -> str:
    """The tier of a test in ``path`` (relative to ``tests/``) carrying the marks named ``marks``."""
    tiers = {name for name in marks if name in TIERS}
    directory = DIRECTORY_TIERS.get(path.parts[0]) if len(path.parts) > 1 else None
    if directory is not None:
        tiers.add(directory)
    if not tiers:
        tiers.add("unit")
    if len(tiers) != 1:
        raise TierError(f"tiers {sorted(tiers)}" + (f" ({path.parts[0]}/ is {directory})" if directory else ""))
    return tiers.pop()


def assign(items: list[pytest.Item], tests_dir: Path) -> None:
    """Mark each item with its tier; a UsageError lists every test without exactly one."""
    problems = []
    for item in items:
        try:
            relative = item.path.relative_to(tests_dir)
        except ValueError:  # a test outside tests/ (a path given on the command line)
            relative = Path(item.path.name)
        try:
            tier = tier_of(relative, (mark.name for mark in item.iter_markers()))
        except TierError as exc:
            problems.append(f"  {item.nodeid}: {exc}")
            continue
        if item.get_closest_marker(tier) is None:
            item.add_marker(tier)
        item.stash[TIER] = tier
    if problems:
        raise pytest.UsageError("every test needs exactly one tier of " + ", ".join(TIERS) + ":\n"
                                + "\n".join(problems))


TIER = pytest.StashKey[str]()


class UnitGuard:
    """Makes ``dag.test()`` fail inside a ``unit`` test (its setup, module fixtures included, and its call)."""

    def __init__(self) -> None:
        self.nodeid: str | None = None
        self.tier: str | None = None
        self.installed = False

    def enter(self, item: pytest.Item) -> None:
        self.nodeid, self.tier = item.nodeid, item.stash.get(TIER, None)
        if not self.installed and "airflow" in sys.modules:  # never imports Airflow itself
            self._install()

    def _install(self) -> None:
        from airflow.sdk.definitions.dag import DAG

        original = DAG.test
        guard = self

        def test(dag: Any, *args: Any, **kwargs: Any) -> Any:
            if guard.tier == "unit":
                pytest.fail(UNIT_RUNS_AIRFLOW.format(nodeid=guard.nodeid), pytrace=False)
            return original(dag, *args, **kwargs)

        DAG.test = test  # type: ignore[method-assign]
        self.installed = True


GUARD = UnitGuard()
