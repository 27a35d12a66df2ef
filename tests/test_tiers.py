"""Test tiers (tests/tiers.py): one per test, by directory or by a module's mark; unit tests run no Airflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from airflow.sdk import DAG

from tests import tiers


@pytest.mark.parametrize(("path", "marks", "tier"), [
    ("integration/test_new_cluster.py", [], "integration"),
    ("browser/test_ui.py", ["browser"], "browser"),
    ("pipelines/test_new_pipeline.py", ["parametrize"], "airflow"),
    ("operators/test_new.py", [], "unit"),
    ("operators/test_new.py", ["airflow", "timeout"], "airflow"),
    ("client/test_new.py", ["unit"], "unit"),
    ("test_top_level.py", [], "unit"),
    ("integration.py", [], "unit"),  # a file named like a tier directory is not in it
])
def test_a_test_gets_its_directory_tier_or_its_mark_or_unit(path: str, marks: list[str], tier: str) -> None:
    assert tiers.tier_of(Path(path), marks) == tier


@pytest.mark.parametrize(("path", "marks"), [
    ("integration/test_x.py", ["unit"]),
    ("pipelines/test_x.py", ["browser"]),
    ("operators/test_x.py", ["unit", "airflow"]),
])
def test_two_tiers_are_refused(path: str, marks: list[str]) -> None:
    with pytest.raises(tiers.TierError, match=r"tiers \["):
        tiers.tier_of(Path(path), marks)


class FakeItem:
    """What ``tiers.assign`` uses of a ``pytest.Item``."""

    def __init__(self, path: Path, *marks: str) -> None:
        self.path, self.nodeid = path, f"{path.name}::test"
        self.marks = [getattr(pytest.mark, name).mark for name in marks]
        self.stash = pytest.Stash()

    def iter_markers(self) -> Any:
        return iter(self.marks)

    def get_closest_marker(self, name: str) -> Any:
        return next((m for m in self.marks if m.name == name), None)

    def add_marker(self, name: str) -> None:
        self.marks.append(getattr(pytest.mark, name).mark)


def test_assign_marks_each_test_and_stops_the_collection_naming_every_conflict(tmp_path: Path) -> None:
    good = [FakeItem(tmp_path / "operators" / "test_a.py"), FakeItem(tmp_path / "pipelines" / "test_b.py")]
    tiers.assign(good, tmp_path)  # type: ignore[arg-type]
    assert [[m.name for m in item.marks] for item in good] == [["unit"], ["airflow"]]
    assert [item.stash[tiers.TIER] for item in good] == ["unit", "airflow"]

    bad = [
        FakeItem(tmp_path / "integration" / "test_c.py", "unit"),
        FakeItem(tmp_path / "test_d.py", "unit", "browser"),
    ]
    with pytest.raises(pytest.UsageError) as refused:
        tiers.assign([*good, *bad], tmp_path)  # type: ignore[arg-type]
    message = str(refused.value)
    assert "test_c.py::test: tiers ['integration', 'unit'] (integration/ is integration)" in message
    assert "test_d.py::test: tiers ['browser', 'unit']" in message and "test_a.py" not in message


def test_every_test_of_this_session_has_exactly_one_tier(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    assert len(items) > 1
    several = {item.nodeid: names for item in items
               if len(names := {m.name for m in item.iter_markers() if m.name in tiers.TIERS}) != 1}
    assert several == {}
    assert request.node.get_closest_marker("unit") is not None


def test_a_unit_test_that_runs_dag_test_fails_naming_the_mark() -> None:
    with DAG(dag_id="tiers_guard", schedule=None) as dag:
        pass
    with pytest.raises(pytest.fail.Exception, match=r"test_tiers\.py::.* is in the unit tier but runs dag\.test\(\): "
                                                     r"mark its module `pytestmark = pytest\.mark\.airflow`"):
        dag.test()

