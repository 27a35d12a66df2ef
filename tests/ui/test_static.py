"""The view's vendored chart library (``ui/static``, ``make ui-vendor``): the committed bundle is the version
frontend/ pins, it ships as package data, and the app serves exactly the files of that folder."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metastudio_provider.ui import URL_PREFIX
from metastudio_provider.ui.app import CHART_JS, STATIC
from metastudio_provider.ui.page import page_html

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"


def bundle_version() -> str:
    banner = (STATIC / CHART_JS).read_bytes()[:200].decode()
    match = re.search(r"Chart\.js v(\d+\.\d+\.\d+)", banner)
    assert match, banner
    return match.group(1)


def test_the_committed_bundle_is_the_version_the_lock_file_pins() -> None:
    pinned = json.loads((FRONTEND / "package.json").read_text())["dependencies"]["chart.js"]
    locked = json.loads((FRONTEND / "package-lock.json").read_text())["packages"]["node_modules/chart.js"]["version"]
    assert bundle_version() == locked == pinned, "run `make ui-vendor` and commit ui/static"
    assert (STATIC / "chart.js-LICENSE.md").read_text().startswith("The MIT License")


def test_the_static_files_are_package_data() -> None:
    """A non-editable install (``pip install .``) ships ui/static too."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["metastudio_provider"]
    package = ROOT / "plugins" / "metastudio_provider"
    for path in STATIC.iterdir():
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


@pytest.fixture
def client() -> Iterator[Any]:
    """The view mounted at /metastudio, as the api-server mounts a plugin's FastAPI app."""
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from metastudio_provider.ui.app import create_app

    outer = FastAPI()
    outer.mount(URL_PREFIX, create_app())
    with TestClient(outer) as test_client:
        yield test_client


def test_the_app_serves_the_bundle_as_javascript_without_sign_in(client: Any) -> None:
    answer = client.get(f"{URL_PREFIX}/static/{CHART_JS}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/javascript")
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "max-age=31536000" in answer.headers["cache-control"]
    assert answer.content == (STATIC / CHART_JS).read_bytes()


@pytest.mark.parametrize("path", [
    "static/no-such-file.js",
    "static/..%2Fapp.py",
    "static/%2e%2e%2fpage.py",
    "static/..%2F..%2Fui%2Fapp.py",
    "static/..%5Capp.py",
    "static/../app.py",
    "static/",
])
def test_only_the_files_of_the_static_folder_are_served(client: Any, path: str) -> None:
    answer = client.get(f"{URL_PREFIX}/{path}")
    assert answer.status_code == 404, (path, answer.status_code)
    assert "create_app" not in answer.text and "import" not in answer.text


def test_the_page_loads_the_bundle_from_its_own_origin_only() -> None:
    html = page_html("/base/metastudio/api/summary", "/base/metastudio/static/chart.umd.min.js?v=abc")
    assert '<script src="/base/metastudio/static/chart.umd.min.js?v=abc"></script>' in html
    assert not re.search(r"(https?:)?//[\w.-]+\.\w", html), "the page names a URL outside Airflow's origin"
