"""The MetaStudio view (Airflow ▸ MetaStudio, ``plugins/metastudio_provider/ui``) in a real Chromium.

One live show (a test room, 2 minutes) and one backfill run of two rows (a manifest of this test's, read through
the Variable metastudio_batches_uri), the emulator's clock held while they render: the page shows the room with
its time left and the run's jobs in flight; then the show is stopped (its run marked success), the videos finish,
and the Usage panel has the day's minutes. The charts (Chart.js, served
by the app from ui/static) are drawn from the JSON, and the page asks nothing of any origin but Airflow's.
Signed out, the page and its JSON refuse (401), and a forged token is refused (403).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.browser.conftest import sign_in
from tests.integration.airflow_cluster import SCHEDULER_DAGS, wait_until

pytestmark = pytest.mark.browser

BACKFILL = "metastudio_video_backfill"
BATCH_DATE = "2026-11-22"  # no run of the shared cluster's other tests uses this date
SHOW_DAG = "ms_livestream"
ROOM = "view"  # a room of this test only: tests/integration's rooms count their own jobs
TIMEOUT = 120


def summary(cluster: Any) -> dict[str, Any]:
    return cluster.client.get("/metastudio/api/summary")


def test_signed_out_the_page_and_its_api_refuse(airflow_cluster, cluster_emulator):
    with httpx.Client(base_url=airflow_cluster.url, timeout=30) as http:
        page, api = http.get("/metastudio/"), http.get("/metastudio/api/summary")
        assert page.status_code == 401 and "Sign in" in page.text, page.text[:300]
        assert api.status_code == 401 and api.json() == {"detail": "Not authenticated"}
        forged = http.get("/metastudio/api/summary", headers={"Authorization": "Bearer not.a.token"})
        assert forged.status_code == 403, forged.text
    with httpx.Client(base_url=airflow_cluster.url, timeout=30, cookies={"_token": "not.a.token"}) as forged_cookie:
        assert forged_cookie.get("/metastudio/api/summary").status_code == 403  # the UI's cookie, forged
    signed_in = summary(airflow_cluster)  # the REST client's bearer token is accepted
    assert set(signed_in) >= {"live", "rendering", "limits", "usage"}
    assert cluster_emulator.sk not in str(signed_in)


@pytest.fixture(scope="module")
def room_file() -> Iterator[str]:
    """The test room's definition, written for this module only (its include/ is tests/scheduler_dags)."""
    path = Path(SCHEDULER_DAGS) / "livestream_rooms" / f"{ROOM}.yaml"
    path.write_text(f"room_name: ms-live-{ROOM}\nscenes:\n  - script_name: hello\n    paragraphs: "
                    "[{title: Hello, text: Hello from the view room.}]\n"
                    "show: {max_restarts: 1, live_within_minutes: 2}\n")
    try:
        yield f"livestream_rooms/{ROOM}.yaml"
    finally:
        path.unlink(missing_ok=True)


def frame(page: Any) -> Any:
    """The view, as Airflow shows it: its page inside Airflow's UI (an iframe)."""
    return page.frame_locator("iframe").first


def origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def drawn(view: Any, canvas: str) -> list[dict[str, Any]]:
    """The datasets of the Chart.js chart on the view's ``canvas`` (a CSS selector), as the page gave them.
    Evaluated from the body, which no refresh replaces (a panel's canvases are new after every refresh)."""
    return view.locator("body").evaluate(
        "(b, selector) => Chart.getChart(b.querySelector(selector)).data.datasets.map("
        "d => ({label: d.label, dag: d.dag ?? null, kind: d.kind ?? null, data: d.data}))", canvas)


def usage_chart_matches(view: Any, cluster: Any) -> bool:
    """The usage chart holds the JSON's minutes: one dataset per DAG and kind, summing to its totals."""
    datasets = drawn(view, "#usage canvas")
    usage = summary(cluster)["usage"]
    expected = {(dag, kind): kinds["video" if kind == "video" else "live"]
                for dag, kinds in usage["dags"].items() for kind in ("video", "livestream")}
    total = sum(sum(d["data"]) for d in datasets)
    return ({(d["dag"], d["kind"]): d["data"] for d in datasets} == expected
            and total == pytest.approx(usage["video_minutes"] + usage["live_minutes"], abs=0.01))


def test_live_show_and_render_in_flight_then_the_days_minutes(page, shots, airflow_cluster, cluster_emulator,
                                                               emulator_clock, room_file, tmp_path):
    client = airflow_cluster.client
    (tmp_path / f"{BATCH_DATE}.yaml").write_text(
        "- {id: view-one, title: One, script: The first video of the view's batch.}\n"
        "- {id: view-two, title: Two, script: The second video of the view's batch.}\n")
    requested: list[str] = []

    def record(request: Any) -> None:
        requested.append(request.url)

    page.on("request", record)
    with shots.step("sign in"):
        sign_in(page, airflow_cluster)
    with shots.step("a show goes live, a video renders (the emulator's clock held)"):
        for dag_id in (SHOW_DAG, BACKFILL):
            client.wait_for_dag(dag_id, timeout=TIMEOUT)
            client.unpause(dag_id)
        show_run = client.trigger(SHOW_DAG, conf={"room_definitions": [room_file], "duration_minutes": 5.0})
        wait_until(lambda: any(r["room_name"] == f"ms-live-{ROOM}" and r["metastudio_state"] == "PROCESSING"
                               for r in summary(airflow_cluster)["live"]["rooms"]), TIMEOUT, interval=1,
                   what="the show live in the view's summary")
        emulator_clock.hold()
        client.request("DELETE", "/api/v2/variables/metastudio_batches_uri", ok=(404,))  # an earlier run's
        client.request("POST", "/api/v2/variables", json={"key": "metastudio_batches_uri", "value": str(tmp_path)})
        video_run = client.trigger(BACKFILL, logical_date=f"{BATCH_DATE}T00:00:00Z")
        client.wait_for_states(BACKFILL, video_run, {"wait_for_videos": "deferred"}, timeout=TIMEOUT)
    try:
        with shots.step("Airflow's navigation opens the view; Live now: the room, its time left"):
            page.goto("/")
            page.get_by_role("link", name="MetaStudio").first.click()
            page.wait_for_url(re.compile(r"/plugin/metastudio"))
            view = frame(page)
            live = view.locator("#live")
            room = live.locator("tr", has_text=f"ms-live-{ROOM}")
            room.wait_for()
            assert "PROCESSING" in room.inner_text()
            # time left by Airflow's clock, not the held emulator's: a loaded machine may take a minute to get here
            assert re.search(r"[1-4] min \d+ s|5 min 0 s", room.locator("td.left").inner_text()), room.inner_text()
            assert "watcher at" in room.inner_text() and "MetaStudio after 1 h live" in room.inner_text()
            assert room.get_by_role("link", name=SHOW_DAG).get_attribute("href") == f"/dags/{SHOW_DAG}/runs/" + \
                show_run.replace(":", "%3A").replace("+", "%2B")
        with shots.step("Rendering: the backfill run's two jobs in flight"):
            run = view.locator("#rendering tr", has_text=BACKFILL)
            run.wait_for()
            assert re.search(r"(WAITING|PROCESSING) 2", run.inner_text()), run.inner_text()
            assert run.locator("td.n").all_inner_texts() == ["0", "2"], run.inner_text()  # to submit, in flight
            view.locator("#limits tr", has_text="Create2DDigitalHumanVideo").wait_for()
            shots.readme("metastudio-view.png")
        with shots.step("Limits: a chart per API listed, drawn from the JSON"):
            limits = summary(airflow_cluster)["limits"]
            api = next(a for a in limits["apis"] if a["api"] == "Create2DDigitalHumanVideo")
            admitted, limit = drawn(view, f'#limits canvas[aria-label^="{api["api"]}:"]')
            assert len(admitted["data"]) == len(api["series"]) == 900 // limits["bucket_seconds"]
            assert sum(admitted["data"]) > 0, admitted  # the backfill's creates, in the last 15 minutes
            assert set(limit["data"]) == {api["table"]}, limit  # the table's limit, dashed
            assert view.locator("#limits canvas").count() == view.locator("#limits tbody tr").count()
    finally:
        client.request("PATCH", f"/api/v2/dags/{SHOW_DAG}/dagRuns/{show_run}", json={"state": "success"})
        emulator_clock.advance(cluster_emulator.config.job_seconds + 1)
        emulator_clock.release()
        client.request("DELETE", "/api/v2/variables/metastudio_batches_uri", ok=(404,))  # others read include/
    with shots.step("the video is made: Usage has the day's minutes"):
        assert client.wait_for_run(BACKFILL, video_run, timeout=TIMEOUT) == "success"
        usage = summary(airflow_cluster)["usage"]
        # today's minutes, or yesterday's if the video was made just before midnight (UTC)
        assert sum(usage["dags"][BACKFILL]["video"][-2:]) > 0, usage["dags"]
        page.reload()
        row = frame(page).locator("#usage tbody tr", has_text=BACKFILL).first
        row.wait_for()
        assert any(day in row.inner_text() for day in usage["days"][-2:]), (usage["days"][-2:], row.inner_text())
        frame(page).locator("#usage").scroll_into_view_if_needed()
        shots.readme("metastudio-view-usage.png", frame(page).locator("#usage"))
    with shots.step("Usage: the chart holds the JSON's minutes per DAG; refreshes leave no chart behind"):
        view = frame(page)
        wait_until(lambda: usage_chart_matches(view, airflow_cluster), 30, interval=1,
                   what="the usage chart holding the JSON's minutes")
        meta = view.locator("#meta").inner_text()
        wait_until(lambda: view.locator("#meta").inner_text() != meta, 3 * 10, interval=0.5, what="a refresh")
        charts, canvases = view.locator("body").evaluate(
            "b => [Object.keys(Chart.instances).length, b.querySelectorAll('canvas').length]")
        assert charts == canvases > 0, (charts, canvases)
    with shots.step("every request the page made went to Airflow's origin"):
        page.remove_listener("request", record)
        assert any("/metastudio/static/chart.umd.min.js" in url for url in requested), requested
        outside = [url for url in requested if not url.startswith(("data:", "blob:", "about:"))
                   and origin(url) != origin(airflow_cluster.url)]
        assert not outside, outside
