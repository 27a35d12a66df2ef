"""The MetaStudio console extra link."""

from __future__ import annotations

import pytest

from metastudio_provider import get_provider_info
from metastudio_provider.links import CONSOLE_URL_XCOM_KEY, MetaStudioConsoleLink, console_url
from metastudio_provider.livestream import start_stop
from metastudio_provider.operators import assets, training, videos
from metastudio_provider.states import RESOURCES


def test_every_workflow_operator_offers_the_console_link():
    classes = [assets.UploadAssetOperator, videos.CreateVideoOperator, start_stop.StartLivestreamOperator,
               start_stop.StopLivestreamOperator, training.TrainAvatarOperator, training.TrainVoiceOperator]
    assert all(any(isinstance(link, MetaStudioConsoleLink) for link in c.operator_extra_links) for c in classes)
    assert "metastudio_provider.links.MetaStudioConsoleLink" in get_provider_info()["extra-links"]


@pytest.mark.parametrize("kind", sorted(RESOURCES))
def test_console_urls_name_the_region_and_the_resource(kind):
    ids = {name: f"id-of-{name}" for name in RESOURCES[kind].id_params}
    url = console_url(kind, "cn-east-3", ids)
    assert url.startswith("https://console.huaweicloud.com/metastudio/?region=cn-east-3#/")
    assert all(value in url for value in ids.values())


def test_link_reads_the_url_the_task_pushed(monkeypatch):
    from airflow.sdk.execution_time import xcom

    pushed = {("ti-1", CONSOLE_URL_XCOM_KEY): "https://console.huaweicloud.com/metastudio/?region=cn-north-4#/x"}
    monkeypatch.setattr(xcom.XCom, "get_value", classmethod(lambda cls, *, ti_key, key: pushed.get((ti_key, key))))
    link = MetaStudioConsoleLink()
    assert link.get_link(None, ti_key="ti-1") == pushed[("ti-1", CONSOLE_URL_XCOM_KEY)]
    assert link.get_link(None, ti_key="ti-2") == ""


@pytest.mark.parametrize("endpoint", [None, "", "https://metastudio.cn-north-4.myhuaweicloud.com",
                                      "https://METASTUDIO.ap-southeast-3.myhuaweicloud.com:443/"])
def test_the_real_service_gets_the_console(endpoint):
    url = console_url("video_job", "cn-north-4", {"job_id": "j1"}, endpoint)
    assert url == "https://console.huaweicloud.com/metastudio/?region=cn-north-4#/video-production/detail?jobId=j1"


def test_an_emulator_endpoint_gets_the_emulator_page_without_credentials():
    ids = {"room_id": "r1", "job_id": "j/2"}
    assert console_url("live_job_on_air", "cn-north-4", ids, "http://127.0.0.1:8765/") == (
        "http://127.0.0.1:8765/_emulator/ui/live-jobs/j%2F2")
    assert console_url("asset", "cn-east-3", {"asset_id": "a1"}, "http://user:secret@emu.local:9/base") == (
        "http://emu.local:9/base/_emulator/ui/assets/a1")
    assert console_url("asset", "cn-east-3", {"asset_id": "a1"}, "https://myhuaweicloud.com.evil.test") == (
        "https://myhuaweicloud.com.evil.test/_emulator/ui/assets/a1")


def test_every_resource_kind_has_a_console_page_in_links():
    from metastudio_provider.links import CONSOLE_PAGES

    assert set(CONSOLE_PAGES) == set(RESOURCES)
    assert all(page.startswith("#/") for page in CONSOLE_PAGES.values())


def test_every_resource_kind_has_an_emulator_page():
    from metastudio_emulator.ui import PAGES
    from metastudio_provider.links import EMULATOR_PAGES

    assert set(EMULATOR_PAGES) == set(RESOURCES)
    assert {page.split("/")[0] for page in EMULATOR_PAGES.values()} <= set(PAGES)


@pytest.mark.airflow  # a dag.test() run
def test_links_of_a_real_run_open_the_emulator_pages(dagbag, emulator):
    """A ``dag.test()`` run against the emulator: each workflow task's link opens its emulator page."""
    import httpx

    from .helpers import dag_run_env, emu_call, get_dag, task_states, xcoms

    def system(asset_type: str) -> str:
        query = {"asset_type": asset_type, "asset_source": "SYSTEM", "limit": 1}
        return emu_call(emulator, "ListAssets", query=query)["assets"][0]["asset_id"]

    dag = get_dag(dagbag, "metastudio_console_links", "console_links.py")
    with dag_run_env(emulator, job_seconds=1.0, live_start_seconds=0.5):
        dag_run = dag.test(run_conf={"avatar": system("HUMAN_MODEL_2D"), "voice": system("VOICE_MODEL")})
    assert set(task_states(dag_run).values()) == {"success"}, task_states(dag_run)
    values = xcoms(dag_run)
    expected = {"upload": ("assets", values[("upload", "asset_id")]),
                "video": ("video-jobs", values[("video", "job_id")]),
                "live": ("live-jobs", values[("live", "job_id")])}
    for task_id, (page, ident) in expected.items():
        url = values[(task_id, CONSOLE_URL_XCOM_KEY)]
        assert url == f"{emulator.base_url}/_emulator/ui/{page}/{ident}"
        resp = httpx.get(url, timeout=10)
        assert resp.status_code == 200 and f"{ident}</h1>" in resp.text, (task_id, resp.text[:300])
