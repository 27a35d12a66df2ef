"""A MetaStudio connection made by each way a user has, then its Test button, in a real Chromium.

Airflow 3.3.2's Test button (Admin ▸ Connections) posts ``port: Number(connection.port)``: 0 for a
connection stored without a port, and the API refuses a port that differs from the stored one ("The host
or port to test differs from the stored connection"; apache/airflow#73298). The provider stores port 0
on every ``metastudio`` connection saved without one (``metastudio_provider._store_port_zero``), so a
connection made in the Add form (whose port field is hidden), by ``airflow connections add`` or by
``POST /api/v2/connections`` without a port tests green.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from typing import Any

import pytest

from tests.browser.conftest import ROOT, sign_in

pytestmark = pytest.mark.browser

SUCCESS = "Test Connection Successful"


def press_test(page: Any, conn_id: str) -> dict[str, Any]:
    """Admin ▸ Connections ▸ the row of ``conn_id`` ▸ Test: the API's answer; the success toast shows."""
    page.goto("/connections")
    row = page.get_by_role("row").filter(has=page.get_by_text(conn_id, exact=True))
    test = row.get_by_role("button", name="Test Connection")
    assert test.is_enabled(), "the Test button is disabled ([core] test_connection)"
    with page.expect_response("**/api/v2/connections/test") as tested:
        test.click()
    response = tested.value
    assert response.status == 200, f"{response.status}: {response.text()}"  # 400: the port check refused it
    result = response.json()
    assert result["status"] is True, result
    toast = page.get_by_role("status").filter(has_text=SUCCESS)
    toast.first.wait_for()
    assert "Connected to MetaStudio" in toast.first.inner_text()
    return result


def stored(airflow_cluster: Any, conn_id: str) -> dict[str, Any]:
    return airflow_cluster.client.get(f"/api/v2/connections/{conn_id}")


def test_sign_in(page, shots, airflow_cluster):
    with shots.step("sign in"):
        sign_in(page, airflow_cluster)


def test_a_connection_added_in_the_form_tests_green(page, shots, airflow_cluster, cluster_emulator):
    conn_id = f"metastudio_form_{uuid.uuid4().hex[:8]}"
    with shots.step("Admin > Connections > Add Connection, type Huawei Cloud MetaStudio"):
        page.goto("/connections")
        page.get_by_role("button", name="Add Connection").click()
        dialog = page.get_by_role("dialog")
        dialog.locator("input[name=connection_id]").fill(conn_id)
        conn_type = dialog.get_by_role("combobox").first  # a react-select: type, then pick the option
        conn_type.fill("Huawei Cloud MetaStudio")
        page.get_by_role("option", name="Huawei Cloud MetaStudio", exact=True).click()
        dialog.get_by_text("Access Key ID (AK)").first.wait_for()
    with shots.step("fill the AK, SK and the extra fields"):
        dialog.locator("input[name=login]").fill(cluster_emulator.ak)
        dialog.locator("input[name=password]").fill(cluster_emulator.sk)
        assert not dialog.locator("input[name=port]").count(), "the form shows a port: MetaStudio has none"
        extra = dialog.get_by_role("button", name="Extra Fields", exact=True)
        if extra.get_attribute("aria-expanded") != "true":
            extra.click()
        for name, value in (("project_id", cluster_emulator.project_id), ("endpoint", cluster_emulator.base_url)):
            field = dialog.locator(f"#element_{name}")
            field.fill(value)
            field.blur()
    with shots.step("Save"):
        with page.expect_response(lambda r: r.url.endswith("/api/v2/connections") and r.request.method == "POST") \
                as created:
            dialog.get_by_role("button", name="Save").click()
        assert created.value.status == 201, created.value.text()
    with shots.step("Test: the success toast"):
        press_test(page, conn_id)
    conn = stored(airflow_cluster, conn_id)
    assert conn["conn_type"] == "metastudio" and conn["port"] == 0, conn  # stored by the provider, not the form
    assert json.loads(conn["extra"])["endpoint"] == cluster_emulator.base_url, conn


@pytest.mark.parametrize("made_by", ["cli", "rest"])
def test_a_connection_made_without_a_port_tests_green(page, shots, airflow_cluster, cluster_emulator, made_by):
    conn_id = f"metastudio_{made_by}_{uuid.uuid4().hex[:8]}"
    extra = {"region": cluster_emulator.region, "project_id": cluster_emulator.project_id,
             "endpoint": cluster_emulator.base_url}
    with shots.step(f"create {conn_id} without a port ({made_by})"):
        if made_by == "cli":  # the README's command
            done = airflow_cluster.airflow("connections", "add", conn_id, "--conn-type", "metastudio",
                                           "--conn-login", cluster_emulator.ak, "--conn-password", cluster_emulator.sk,
                                           "--conn-extra", json.dumps(extra))
            assert done.returncode == 0, done.stdout + done.stderr
        else:
            airflow_cluster.client.request("POST", "/api/v2/connections", json={
                "connection_id": conn_id, "conn_type": "metastudio", "login": cluster_emulator.ak,
                "password": cluster_emulator.sk, "extra": json.dumps(extra)})
    with shots.step("Test: the success toast"):
        press_test(page, conn_id)
    assert stored(airflow_cluster, conn_id)["port"] == 0


def test_an_environment_variable_connection_is_tested_from_the_cli(page, shots, airflow_cluster, cluster_emulator):
    """An AIRFLOW_CONN_* connection is not in the database, so Admin ▸ Connections neither lists it nor offers
    its Test button; ``airflow connections test`` (and ``POST /api/v2/connections/test`` naming only its
    connection_id, to an api-server that has the variable) tests it, with no port needed."""
    conn_id = f"metastudio_env_{uuid.uuid4().hex[:8]}"
    value = json.dumps({"conn_type": "metastudio", "login": cluster_emulator.ak, "password": cluster_emulator.sk,
                        "extra": {"region": cluster_emulator.region, "project_id": cluster_emulator.project_id,
                                  "endpoint": cluster_emulator.base_url}})
    with shots.step("not listed under Admin > Connections"):
        page.goto("/connections")
        page.get_by_text("metastudio_default", exact=True).first.wait_for()
        assert not page.get_by_text(conn_id).count()
    env = {**airflow_cluster.env, f"AIRFLOW_CONN_{conn_id.upper()}": value}
    done = subprocess.run(["bash", "-c", 'source scripts/airflow_env.sh && exec "$AIRFLOW_BIN" connections test "$1"',
                           "airflow", conn_id], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Connection success!" in done.stdout, done.stdout + done.stderr
