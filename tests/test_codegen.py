"""The generated ``operators/api.py``: current with the catalog, importable by name, typed for mypy and editors."""

from __future__ import annotations

import inspect
import textwrap
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


GOOD = """\
from airflow.sdk import DAG, XComArg

from metastudio_provider.operators.api import (
    CreateDigitalAssetOperator,
    ShowAssetOperator,
    ShowSmartLiveOperator,
    UpdateProductOperator,
)

with DAG("typed", schedule=None):
    create = CreateDigitalAssetOperator(task_id="create", body={"asset_name": "a", "asset_type": "IMAGE"})
    show = ShowAssetOperator(task_id="show", asset_id=XComArg(create, key="asset_id"), retries=2)
    live = ShowSmartLiveOperator(task_id="live", room_id="{{ params.room }}", job_id="j", query={"x": 1})
    product = UpdateProductOperator(task_id="product", product_id="p", body={"product_name": "n"})
    api_name: str | None = show.api_name
"""

BAD = """\
from metastudio_provider.operators.api import ShowAssetOperator, ShowAssetsOperator

ShowAssetOperator(task_id="show", asset_id=123)
ShowAssetOperator(task_id="show", query=["not", "a", "dict"])
"""


def test_mypy_sees_the_operators_and_their_parameters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """mypy, configured by pyproject.toml, finds no error in good use and one per mistake in bad use."""
    from mypy import api as mypy_api

    (tmp_path / "good_use.py").write_text(GOOD)
    (tmp_path / "bad_use.py").write_text(BAD)
    cache = ROOT / ".mypy_cache"  # the cache `make test`'s `mypy plugins dags` has just filled (Airflow's types)
    monkeypatch.chdir(ROOT)  # mypy_path = "plugins" is relative to the working directory
    stdout, stderr, _ = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                      "--no-error-summary", "--show-error-codes",
                                      str(tmp_path / "good_use.py"), str(tmp_path / "bad_use.py")])
    errors = [line for line in stdout.splitlines() if ": error:" in line]
    assert not stderr, stderr
    assert not [line for line in errors if "good_use.py" in line], textwrap.indent(stdout, "  ")
    bad = sorted((int(line.split(":")[1]), line.rsplit("[", 1)[-1].rstrip("]")) for line in errors)
    assert bad == [(1, "attr-defined"), (3, "arg-type"), (4, "arg-type")], stdout
    assert '"ShowAssetsOperator"' in stdout and '"asset_id"' in stdout


def test_both_packages_ship_py_typed() -> None:
    import tomllib

    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["package-data"]
    for package in ("metastudio_provider", "metastudio_emulator"):
        assert "py.typed" in package_data[package], package
        assert (ROOT / "plugins" / package / "py.typed").is_file(), package
