"""A real Chromium (Debian's /usr/bin/chromium, driven by Playwright; never downloaded) on the local Airflow UI.

The Airflow (api-server, scheduler, dag-processor, triggerer on SQLite) and the emulator are the session's
shared ones (``tests/integration/fixtures.py``). Each test step runs in ``shots.step(name)``: a failing
step leaves a screenshot in ``test-artifacts/browser/``. With ``METASTUDIO_SCREENSHOTS=docs/images`` the
happy-path pictures of the README are written there as well.

Without Chromium or Playwright the tests are skipped, unless ``CI=true``: then they fail.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.integration.fixtures import airflow_cluster, cluster_emulator, emulator_clock

__all__ = ["airflow_cluster", "cluster_emulator", "emulator_clock"]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("METASTUDIO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
VIEWPORT = {"width": 1400, "height": 900}


def _unavailable(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the browser tests must run; `apt-get install -y chromium`)")
    pytest.skip(message)


class Shots:
    """Screenshots: of a failing step (always), and of the README's pictures (when asked for)."""

    def __init__(self, page: Any, readme_dir: Path | None) -> None:
        self.page = page
        self.readme_dir = readme_dir
        self.test_name = "session"

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            yield
        except BaseException:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            path = ARTIFACTS / f"{self.test_name}--{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
            try:
                self.page.screenshot(path=str(path), full_page=True)
                print(f"\nscreenshot of the failed step {name!r}: {path}")
            except Exception as exc:  # the page itself may be gone
                print(f"\nno screenshot of {name!r}: {exc}")
            raise

    def readme(self, file_name: str, locator: Any = None) -> None:
        """Save a README picture (``docs/images/<file_name>``) when METASTUDIO_SCREENSHOTS names the folder."""
        if self.readme_dir is None:
            return
        self.readme_dir.mkdir(parents=True, exist_ok=True)
        target = locator if locator is not None else self.page
        target.screenshot(path=str(self.readme_dir / file_name))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives the Airflow UI in a real Chromium (slow)")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright; no browser is ever downloaded.

    Module-scoped: Playwright's sync API keeps an event loop running in this thread while it is open,
    and every later test that calls ``asyncio.run`` (triggers run inline by ``dag.test()``) would fail."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def page(chromium: Any, airflow_cluster: Any) -> Iterator[Any]:
    """One tab for the module, on the cluster's Airflow (not yet signed in)."""
    context = chromium.new_context(viewport=VIEWPORT, base_url=airflow_cluster.url, timezone_id="UTC")
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture(scope="module")
def shots(page: Any) -> Shots:
    wanted = os.environ.get("METASTUDIO_SCREENSHOTS")
    return Shots(page, (ROOT / wanted) if wanted else None)


@pytest.fixture(autouse=True)
def _name_the_shots(request: pytest.FixtureRequest) -> None:
    if "shots" in request.fixturenames:
        request.getfixturevalue("shots").test_name = request.node.name


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


def sign_in(page: Any, airflow_cluster: Any) -> None:
    """Sign in to the Airflow UI as the cluster's admin; return once the navigation shows."""
    page.goto("/")
    page.get_by_label("Username").fill(airflow_cluster.username)
    page.get_by_label("Password").fill(airflow_cluster.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Dags").first.wait_for()
