"""The Airflow UI as a user meets it, in a real Chromium against the local Airflow and the emulator.

The tests run in file order in one signed-in tab: sign in; submit the video pipeline's Trigger form with
its defaults; submit bad values and see the form or the run say what is wrong; find the livestream DAG's
local time and timezone on its page; test ``metastudio_default`` with the connection's Test button;
then see the first run wait deferred while MetaStudio renders (held meanwhile by the emulator's
clock), succeed with a video, and offer an extra link to the emulator's page of the job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from metastudio_provider.catalog import get_api
from tests.browser.conftest import sign_in
from tests.integration.airflow_cluster import COMPONENTS

pytestmark = pytest.mark.browser

PIPELINE = "metastudio_video_pipeline"
LIVESTREAM = "metastudio_daily_livestream"
RUN_TIMEOUT = 120


def open_trigger_form(page: Any, dag_id: str) -> Any:
    """The DAG page's Trigger button opens the trigger form (a dialog); return the dialog."""
    page.goto(f"/dags/{dag_id}")
    page.get_by_role("button", name="Trigger").first.click()  # the header button; its name has an icon
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Trigger", exact=True).wait_for()
    return dialog


def show_field(dialog: Any, name: str) -> Any:
    """The form's input for the param ``name``, its section opened (one section is open at a time)."""
    field = dialog.locator(f"#element_{name}")
    section = dialog.locator("[data-scope=accordion][data-part=item]").filter(
        has=dialog.page.locator(f"#element_{name}")
    )
    trigger = section.locator("[data-part=item-trigger]").first
    if trigger.get_attribute("data-state") == "closed":
        trigger.click()
    field.wait_for(state="visible")
    return field


def submit(page: Any, dialog: Any) -> dict[str, Any]:
    """Press the form's Trigger button; return the run the API created."""
    with page.expect_response(lambda r: r.url.endswith("/dagRuns") and r.request.method == "POST") as created:
        dialog.get_by_role("button", name="Trigger", exact=True).click()
    response = created.value
    assert response.ok, f"trigger refused: {response.status} {response.text()}"
    return response.json()


def test_sign_in(page, shots, airflow_cluster):
    with shots.step("sign in"):
        sign_in(page, airflow_cluster)
    with shots.step("the DAGs are parsed"):
        for dag_id in (PIPELINE, LIVESTREAM):
            airflow_cluster.client.wait_for_dag(dag_id, timeout=120)
    for component in COMPONENTS:  # the local setup's JWT secret is long enough for HS512
        assert "HMAC key" not in airflow_cluster.component_log(component), component


@pytest.fixture(scope="module")
def video_run(emulator_clock: Any) -> Iterator[dict[str, str]]:
    """The run the Trigger form starts; the emulator's clock is held from its trigger to its check.

    Holding the clock keeps the render running, so the other tests go on while the run waits deferred
    (and the README can show it). ``test_the_run_succeeds_with_a_video`` lets time move on.
    """
    run: dict[str, str] = {}
    try:
        yield run
    finally:
        emulator_clock.release()


def test_trigger_form_submits_with_its_defaults(page, shots, video_run, emulator_clock):
    with shots.step("open the trigger form"):
        dialog = open_trigger_form(page, PIPELINE)
        script = show_field(dialog, "script_text")
        assert script.evaluate("e => e.tagName") == "TEXTAREA", "the script needs a multi-line editor"
        assert script.input_value().strip(), "the script has no default"
        shots.readme("trigger-form.png")
    with shots.step("submit the form with its defaults"):
        assert dialog.get_by_role("button", name="Trigger", exact=True).is_enabled(), \
            "the form cannot be submitted with its defaults"
        emulator_clock.hold()
        run = submit(page, dialog)
        video_run["run_id"] = run["dag_run_id"]
        optional = {k for k, v in run["conf"].items() if v is None}
        assert {"avatar_model_asset_id", "voice_asset_id"} <= optional, run["conf"]
        page.wait_for_url(re.compile(r"/runs/"))
        page.get_by_text("successfully triggered").first.wait_for()


def test_bad_values_are_refused_clearly(page, shots, airflow_cluster):
    with shots.step("an empty script: the form says so and will not submit"):
        dialog = open_trigger_form(page, PIPELINE)
        script = show_field(dialog, "script_text")
        script.fill("")
        script.blur()
        dialog.get_by_text("This field is required").first.wait_for()
        assert not dialog.get_by_role("button", name="Trigger", exact=True).is_enabled()
    with shots.step("an unknown avatar: the run fails at once, naming it"):
        dialog = open_trigger_form(page, PIPELINE)
        show_field(dialog, "avatar_model_asset_id").fill("no-such-avatar")
        run_id = submit(page, dialog)["dag_run_id"]
        client = airflow_cluster.client
        assert client.wait_for_run(PIPELINE, run_id, timeout=RUN_TIMEOUT) == "failed"
        states = {t["task_id"]: (t["state"], t["try_number"]) for t in client.task_instances(PIPELINE, run_id)}
        assert states["validate_inputs"] == ("failed", 1), states  # a bad input is not retried
        assert states["create_video"][0] == "upstream_failed", states
        page.goto(f"/dags/{PIPELINE}/runs/{run_id}/tasks/validate_inputs")
        page.get_by_text(re.compile(r"avatar_model_asset_id 'no-such-avatar'.*no such asset")).first.wait_for()
    with shots.step("the run's page says why it failed (its note), not only the task log"):
        note = client.get(f"/api/v2/dags/{PIPELINE}/dagRuns/{run_id}")["note"]
        assert note and note.startswith("Failed: ") and "no-such-avatar" in note, note
        page.goto(f"/dags/{PIPELINE}/runs/{run_id}")
        page.get_by_text(re.compile(r"Failed: .*no-such-avatar")).first.wait_for()
    with shots.step("a title with a slash is a title: the form submits it and the API accepts it"):
        dialog = open_trigger_form(page, PIPELINE)
        show_field(dialog, "title").fill("Q4/2026 sales")
        run = submit(page, dialog)  # was: 400 Bad Request with the raw regular expression and the whole schema
        assert run["conf"]["title"] == "Q4/2026 sales", run["conf"]
    with shots.step("a 12,000-character script: the run fails at once and its page says how long it is"):
        dialog = open_trigger_form(page, PIPELINE)
        show_field(dialog, "script_text").fill("Hello there. " * 924)  # 12,012 characters
        dialog.get_by_text("at most 10,000 characters").first.wait_for()
        run_id = submit(page, dialog)["dag_run_id"]
        assert client.wait_for_run(PIPELINE, run_id, timeout=RUN_TIMEOUT) == "failed"
        page.goto(f"/dags/{PIPELINE}/runs/{run_id}")
        page.get_by_text(re.compile(
            r"Failed: .*script_text has 12012 characters \(SSML tags not counted\): MetaStudio accepts at most 10000"
        )).first.wait_for()


def test_the_livestream_trigger_dialog_says_unpausing_turns_the_show_on(page, shots, airflow_cluster):
    with shots.step("the livestream's Trigger dialog"):
        dialog = open_trigger_form(page, LIVESTREAM)
        rooms = show_field(dialog, "room_definitions")
        dialog.get_by_text(
            re.compile(r"also turns the daily show on: every room then goes live 20:00")
        ).first.wait_for()
        assert rooms.get_attribute("required") is None and rooms.get_attribute("aria-required") != "true"
        shots.readme("livestream-trigger.png")
        page.keyboard.press("Escape")


def test_livestream_page_shows_local_time_and_timezone(page, shots, airflow_cluster):
    zone = airflow_cluster.extra_env["METASTUDIO_LIVESTREAM_TIMEZONE"]  # the DAG's Asia/Shanghai, set by the test
    with shots.step("the livestream DAG's schedule"):
        page.goto(f"/dags/{LIVESTREAM}")
        page.get_by_text(zone).first.wait_for()
        text = page.locator("body").inner_text()
        assert re.search(rf"20:00.{{0,40}}{re.escape(zone)}", text, re.S), text[:1500]


def test_connection_test_button(page, shots):
    with shots.step("Admin > Connections > metastudio_default > Test"):
        page.goto("/connections")
        row = page.get_by_role("row").filter(has_text="metastudio_default")
        test = row.get_by_role("button", name="Test Connection")
        assert test.is_enabled(), "the Test button is disabled ([core] test_connection)"
        with page.expect_response("**/api/v2/connections/test") as tested:
            test.click()
        assert tested.value.status == 200, tested.value.text()
        assert tested.value.json()["status"] is True, tested.value.json()
        page.get_by_text("Connected to MetaStudio").first.wait_for()
    with shots.step("the edit form shows every setting the hook reads"):
        row.get_by_role("button", name="Edit Connection").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("button", name="Extra Fields", exact=True).click()
        for label in ("Region", "Project ID", "Endpoint", "X-App-UserId", "Rate-limit storage"):
            dialog.get_by_text(label).first.wait_for()


def test_the_run_succeeds_with_a_video(page, shots, airflow_cluster, cluster_emulator, emulator_clock, video_run):
    """The run the Trigger form started: deferred while rendering, then a video and its extra link."""
    assert video_run.get("run_id"), "the Trigger form started no run"
    client, run_id = airflow_cluster.client, video_run["run_id"]
    with shots.step("the render wait is deferred"):
        client.wait_for_states(PIPELINE, run_id, {"create_video": "deferred"}, timeout=RUN_TIMEOUT)
        airflow_cluster.wait_for_defer_exit(PIPELINE, run_id, ["create_video"])
        page.goto(f"/dags/{PIPELINE}/runs/{run_id}")
        page.get_by_text(re.compile("deferred", re.I)).first.wait_for()
        shots.readme("run-deferred.png")
    emulator_clock.advance(cluster_emulator.config.job_seconds + 1)
    emulator_clock.release()
    with shots.step("the run succeeds with a video"):
        assert client.wait_for_run(PIPELINE, run_id, timeout=RUN_TIMEOUT) == "success", \
            client.ti_state_history(PIPELINE, run_id)
        report = client.xcom(PIPELINE, run_id, "report")
        assert report["output_asset_id"] and report["download_url"], report
        api = get_api("Show2DDigitalHumanVideo")
        job = cluster_emulator.request("GET", api.format_path(cluster_emulator.project_id,
                                                              {"job_id": report["job_id"]})).json()
        assert job["state"] == "SUCCEED" and job["output_asset_config"]["asset_id"] == report["output_asset_id"]
    with shots.step("the extra link opens the emulator's page of the job"):
        page.goto(f"/dags/{PIPELINE}/runs/{run_id}/tasks/create_video/details")
        href = page.get_by_role("link", name="MetaStudio console").get_attribute("href")
        assert href.startswith(cluster_emulator.base_url + "/"), f"with the emulator the link leads to {href}"
        shown = httpx.get(href, timeout=10)
        assert shown.status_code == 200 and report["job_id"] in shown.text, (shown.status_code, shown.text[:300])
        shots.readme("extra-link.png")
