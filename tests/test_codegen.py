"""The generated ``operators/api.py``: current with the catalog, importable by name, typed for mypy and editors."""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

import pytest

from metastudio_provider.catalog import all_apis, codegen
from metastudio_provider.operators import api as api_module
from metastudio_provider.operators.api import (
    API_OPERATORS,
    DeleteFileOperator,
    MetaStudioApiOperator,
    Show2dModelTrainingJobOperator,
    ShowAssetOperator,
    ShowSmartLiveOperator,
    ShowTtsAuditionFileOperator,
    ShowVideoScriptOperator,
    StartSmartLiveOperator,
    StopSmartLiveOperator,
    UpdateInteractionRuleGroupOperator,
    UpdateProductOperator,
)

ROOT = Path(__file__).resolve().parent.parent

# Written out by hand (not read from the catalog): what an editor shows for each.
TEN = {
    ShowAssetOperator: ["asset_id"],
    DeleteFileOperator: ["file_id"],
    ShowVideoScriptOperator: ["script_id"],
    StartSmartLiveOperator: ["room_id"],
    ShowSmartLiveOperator: ["room_id", "job_id"],
    StopSmartLiveOperator: ["room_id", "job_id"],
    UpdateInteractionRuleGroupOperator: ["group_id"],
    UpdateProductOperator: ["product_id"],
    Show2dModelTrainingJobOperator: ["job_id"],
    ShowTtsAuditionFileOperator: ["job_id"],
}


def test_the_committed_module_is_what_the_catalog_makes() -> None:
    assert Path(api_module.__file__).resolve() == codegen.TARGET
    assert codegen.TARGET.read_text("utf-8") == codegen.render(), (
        "operators/api.py is stale: run `python -m metastudio_provider.catalog.codegen` (make generate)")


def test_generated_lines_fit_the_line_length_limit() -> None:
    """ruff's 120 characters hold for the generated file too: summaries, paths and XCom lines are wrapped."""
    long = [line for line in codegen.render().splitlines() if len(line) > 120]
    assert not long, long
    api = all_apis()["Cancel2DDigitalHumanVideo"]  # the longest title and category
    assert f"    ``{api.method} {api.path}``" in codegen.render().splitlines()


def test_check_mode_tells_a_stale_file_and_writing_fixes_it(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "api.py"
    out.write_text(codegen.render().replace('api_name = "ShowAsset"', 'api_name = "ListAssets"'), "utf-8")
    assert codegen.main(["--check", "--output", str(out)]) == 1
    assert "is stale" in capsys.readouterr().err
    assert codegen.main(["--output", str(out)]) == 0
    assert codegen.main(["--check", "--output", str(out)]) == 0
    assert out.read_text("utf-8") == codegen.render()


def test_every_api_has_a_real_class_naming_its_path_parameters() -> None:
    assert list(API_OPERATORS) == list(all_apis())
    for name, cls in API_OPERATORS.items():
        api = all_apis()[name]
        assert cls.__name__ == f"{name}Operator" and cls.__module__ == api_module.__name__
        assert vars(api_module)[cls.__name__] is cls and cls.__name__ in api_module.__all__
        assert "__init__" in vars(cls), f"{cls.__name__} has no signature of its own"
        assert cls.api_name == name and f"``{api.method} {api.path}``" in (cls.__doc__ or "")
        params = list(inspect.signature(cls).parameters)
        assert params == [*api.resource_params, "query", "body", "kwargs"], cls.__name__
        assert "project_id" not in params


def test_ten_operators_imported_by_name_name_their_path_parameters() -> None:
    for cls, path in TEN.items():
        signature = inspect.signature(cls)
        assert issubclass(cls, MetaStudioApiOperator)
        assert list(signature.parameters) == [*path, "query", "body", "kwargs"], cls.__name__
        for name in path:
            parameter = signature.parameters[name]
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY and parameter.default is None
            assert parameter.annotation == "str | XComArg | None"
            assert f":param {name}: path parameter, templated" in (cls.__doc__ or "")


def test_path_parameters_by_name_reach_path_params() -> None:
    live = ShowSmartLiveOperator(task_id="live", room_id="{{ params.room }}", job_id="j1")
    assert live.path_params == {"room_id": "{{ params.room }}", "job_id": "j1"}
    assert "path_params" in live.template_fields  # so the names are templated with it
    mixed = StopSmartLiveOperator(task_id="stop", room_id="r1", path_params={"job_id": "j1"})
    assert mixed.path_params == {"job_id": "j1", "room_id": "r1"}
    assert ShowAssetOperator(task_id="old", path_params={"asset_id": "a1"}).path_params == {"asset_id": "a1"}
    assert ShowAssetOperator(task_id="none").path_params is None
    with pytest.raises(ValueError, match="give asset_id by name or in path_params, not both"):
        ShowAssetOperator(task_id="both", asset_id="a1", path_params={"asset_id": "a2"})


def test_make_test_type_checks_the_operators_typing_cases() -> None:
    """What mypy must see (good uses clean, each mistake an error) is tests/typing/, run by `make test` with
    warn_unused_ignores, so an operator that lost its types fails there."""
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/mypy plugins dags tests/typing" in makefile
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert pyproject["tool"]["mypy"]["warn_unused_ignores"] is True
    cases = (ROOT / "tests" / "typing" / "api_operators.py").read_text()
    assert cases.count("# type: ignore[") == 3


def test_both_packages_ship_py_typed() -> None:

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for package in ("metastudio_provider", "metastudio_emulator"):
        assert "py.typed" in package_data[package], package
        assert (ROOT / "plugins" / package / "py.typed").is_file(), package
