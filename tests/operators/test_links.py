"""The MetaStudio console extra link."""

from __future__ import annotations

import pytest

from metastudio_provider import get_provider_info
from metastudio_provider.links import CONSOLE_URL_XCOM_KEY, MetaStudioConsoleLink
from metastudio_provider.operators import workflows
from metastudio_provider.states import RESOURCES, console_url


def test_every_workflow_operator_offers_the_console_link():
    classes = [workflows.UploadAssetOperator, workflows.CreateVideoOperator, workflows.StartLivestreamOperator,
               workflows.StopLivestreamOperator, workflows.TrainAvatarOperator, workflows.TrainVoiceOperator]
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
