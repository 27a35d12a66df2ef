"""The DAGs as the UI and the CLI see them, without running them: Params, descriptions, schedules, manifests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@cache
def _dags() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(ROOT / "dags"))
    assert not bag.import_errors, bag.import_errors
    return bag.dags


def test_pipeline_trigger_form_can_be_submitted_with_its_defaults():
    params = _dags()["metastudio_video_pipeline"].params
    defaults = params.validate()  # every default is valid against its own JSON Schema
    assert defaults["avatar_model_asset_id"] is None and defaults["output_name"] is None
    for key in params:
        param = params.get_param(key)
        schema = param.schema
        assert schema.get("title") and param.description, f"{key}: the form shows a title and a help text"
        assert schema.get("section"), key
    for optional in ("avatar_model_asset_id", "voice_asset_id", "output_name"):
        assert "null" in params.get_param(optional).schema["type"], optional  # empty field -> null, not refused
    assert params.get_param("script_text").schema["format"] == "multiline"
    assert params.get_param("orientation").schema["enum"] == ["landscape", "portrait"]


def test_every_dag_says_what_it_does_and_backfill_does_not_catch_up():
    dags = _dags()
    assert all(dag.description for dag in dags.values())
    assert dags["metastudio_video_backfill"].catchup is False
    assert "airflow backfill create" in dags["metastudio_video_backfill"].doc_md
    assert "with config" not in "".join(dag.doc_md or "" for dag in dags.values())  # Airflow 2's words
    assert "20:00 daily (Asia/Shanghai)" in dags["metastudio_daily_livestream"].description


def test_conf_problems_name_unknown_keys_and_bad_values():
    from metastudio_provider.checks.run_conf import conf_problems

    params = _dags()["metastudio_daily_livestream"].params
    declared = {key: params.get_param(key) for key in params}
    (unknown, bad) = conf_problems({"duration": 1, "duration_minutes": -5}, declared)
    assert "'duration' (did you mean 'duration_minutes'?)" in unknown
    assert "valid keys: duration_minutes, room_definition" in unknown
    assert bad.startswith("duration_minutes=-5: -5 is less than the minimum of 0")
    assert conf_problems({"duration_minutes": 1}, declared) == []


def test_local_time_timetable_summary():
    from metastudio_provider.timetables import LocalCronTimetable, local_time_summary

    timetable = LocalCronTimetable("0 20 * * *", timezone="Asia/Shanghai")
    assert timetable.summary == "20:00 daily (Asia/Shanghai)"
    assert timetable.description == "At 20:00, Asia/Shanghai time (cron 0 20 * * *)"
    assert local_time_summary("30 7 * * 1-5", "Europe/Paris") == "30 7 * * 1-5 (Europe/Paris)"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([{"script": "a"}], "row 1 has no id"),
        ([{"id": "a"}, {"id": "a"}, {"id": "b"}], "rows 1, 2 share the id 'a'"),
        ([{"id": "a b"}], "row 1: id 'a b' must be"),
        (["text"], "row 1 is not a mapping"),
        ({"id": "a"}, "expected a list of rows"),
    ],
)
def test_manifest_rows_need_explicit_unique_ids(rows, expected):
    from metastudio_provider.checks.manifests import ManifestError, validate_rows

    with pytest.raises(ManifestError, match="m.yaml") as err:
        validate_rows(rows, "m.yaml")
    assert expected in str(err.value)


def test_manifest_that_is_not_yaml(tmp_path):
    from metastudio_provider.batches.manifest import read_manifest
    from metastudio_provider.checks.manifests import ManifestError

    (tmp_path / "bad.yaml").write_text("- id: a\n  script: [unclosed\n")
    with pytest.raises(ManifestError, match="bad.yaml: not valid YAML"):
        read_manifest(tmp_path / "bad.yaml")


def test_room_definition_problems_are_named_before_anything_is_created():
    import yaml

    from metastudio_provider.checks.rooms import room_problems

    shipped = yaml.safe_load((ROOT / "include" / "livestream" / "room.yaml").read_text())
    assert room_problems(shipped) == []
    broken = {**shipped, "room_name": "a/b", "scenes": [{"script_name": "s", "paragraphs": [
        {"text": "", "product": "Unknown mug"}]}], "interaction_rules": {"group_name": "g", "rules": [{"reply": "x"}]}}
    found = " | ".join(room_problems(broken))
    for expected in ("room_name contains '/'", "scenes[1].paragraphs[1].text is empty",
                     "scenes[1].paragraphs[1].product 'Unknown mug' is not one of the room's products",
                     "interaction_rules.rules[1] needs an integer event_type and a reply"):
        assert expected in found, found
