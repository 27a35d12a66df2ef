"""tests/scheduling.py: how ``pytest -n N`` hands out work units (with fake xdist workers)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from tests import scheduling

SIGNING = [f"tests/test_signing.py::test_{n}" for n in range(40)]
COLLECTION = SIGNING + [
    "tests/client/test_hook.py::test_a", "tests/client/test_hook.py::test_b",
    "tests/browser/test_ui.py::test_sign_in", "tests/integration/test_celery_cluster.py::test_backfill",
    "tests/integration/test_scheduler_triggerer.py::test_six", "tests/pipelines/test_video_pipeline.py::test_a",
]
CELERY = ["tests/integration/test_celery_cluster.py::test_backfill"]
REAL_AIRFLOW = [n for n in COLLECTION if n.startswith(("tests/browser/", "tests/integration/")) and n not in CELERY]


class FakeNode:
    """What xdist's LoadScopeScheduling uses of a worker."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down, self.sent = False, []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent += [COLLECTION[i] for i in indices]

    def shutdown(self) -> None:
        self.shutting_down = True


def first_units(config: pytest.Config, known: dict[str, float]) -> list[list[str]]:
    """What each of two workers is sent first."""
    scheduler: Any = scheduling.make_scheduler(config, None, known=known)
    nodes = [FakeNode("gw0"), FakeNode("gw1")]
    for node in nodes:
        scheduler.add_node(node)
        scheduler.add_node_collection(node, COLLECTION)
    scheduler.schedule()
    return [node.sent for node in nodes]


@pytest.fixture
def two_workers(pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch) -> pytest.Config:
    monkeypatch.setattr(pytestconfig.option, "tx", ["2*popen"])  # as with -n 2
    return pytestconfig


def test_the_shared_airflow_then_the_celery_cluster_go_first_to_a_worker_each(two_workers: pytest.Config) -> None:
    first, second = first_units(two_workers, {})
    assert first[:2] == REAL_AIRFLOW and second[:1] == CELERY  # every test of the shared cluster on one worker
    # then whole files (untimed: xdist's order, most tests first), a worker getting more at two tests pending
    assert files(first[2:]) == ["test_signing.py"] and files(second[1:]) == ["client/test_hook.py"]


def files(nodeids: list[str]) -> list[str]:
    return list(dict.fromkeys(n.split("::")[0].removeprefix("tests/") for n in nodeids))


def test_the_longest_file_goes_first_and_an_untimed_one_before_timed_ones(two_workers: pytest.Config) -> None:
    known = {"tests/test_signing.py": 2.0, "tests/client/test_hook.py": 30.0}
    first, second = first_units(two_workers, known)
    assert first[:2] == REAL_AIRFLOW and second[:1] == CELERY
    assert files(first[2:]) == ["pipelines/test_video_pipeline.py"]  # untimed, before the timed ones
    assert files(second[1:]) == ["client/test_hook.py"]  # the longest of those
    known["tests/pipelines/test_video_pipeline.py"] = 1.0
    first, second = first_units(two_workers, known)
    assert files(first[2:]) == ["client/test_hook.py"] and files(second[1:]) == ["test_signing.py"]


def test_seconds_per_unit_are_summed_and_merged_into_the_cache() -> None:
    stored: dict[str, Any] = {scheduling.CACHE_KEY: {"tests/test_old.py": 3.0, "tests/test_a.py": 9.0}}
    config: Any = SimpleNamespace(cache=SimpleNamespace(get=lambda key, default: stored.get(key, default),
                                                        set=stored.__setitem__))
    seconds = scheduling.UnitSeconds()
    for nodeid, duration in [("tests/test_a.py::test_x", 1.25), ("tests/test_a.py::test_y", 0.5),
                             ("tests/browser/test_ui.py::test_sign_in", 4.0),
                             ("tests/integration/test_celery_cluster.py::test_b", 6.0)]:
        seconds.add(SimpleNamespace(nodeid=nodeid, duration=duration))  # type: ignore[arg-type]
    seconds.save(config)
    assert stored[scheduling.CACHE_KEY] == {"tests/test_old.py": 3.0, "tests/test_a.py": 1.75,
                                            scheduling.REAL_AIRFLOW: 4.0, scheduling.CELERY: 6.0}
