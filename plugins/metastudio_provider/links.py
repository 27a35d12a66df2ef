"""Operator extra link: the MetaStudio console page of the asset, job or room a task worked on."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperatorLink

CONSOLE_URL_XCOM_KEY = "metastudio_console_url"


class MetaStudioConsoleLink(BaseOperatorLink):
    """Opens the console page whose URL the task pushed to XCom (``metastudio_console_url``)."""

    name = "MetaStudio console"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        return XCom.get_value(ti_key=ti_key, key=CONSOLE_URL_XCOM_KEY) or ""
