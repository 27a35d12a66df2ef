"""Operator extra link: the MetaStudio console page of the asset, job or room a task worked on.

With the emulator (a connection endpoint outside Huawei Cloud) the link opens the emulator's own
page for the resource instead (``/_emulator/ui/...``), since the console does not know it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from airflow.sdk import BaseOperatorLink

CONSOLE_URL_XCOM_KEY = "metastudio_console_url"
HUAWEI_CLOUD_DOMAIN = "myhuaweicloud.com"
EMULATOR_PAGES: dict[str, str] = {
    "asset": "assets/{asset_id}",
    "video_job": "video-jobs/{job_id}",
    "live_job_on_air": "live-jobs/{job_id}",
    "live_job_ended": "live-jobs/{job_id}",
    "avatar_training_job": "avatar-training-jobs/{job_id}",
    "voice_training_job": "voice-training-jobs/{job_id}",
    "tts_audition": "tts-jobs/{job_id}",
}
"""The emulator's page (under ``/_emulator/ui/``) per resource kind of ``states.RESOURCES``."""


def is_huawei_cloud(endpoint: str | None) -> bool:
    """No endpoint (the regional default) or one on ``myhuaweicloud.com``: the real service."""
    if not endpoint:
        return True
    host = (urlsplit(endpoint).hostname or "").lower()
    return host == HUAWEI_CLOUD_DOMAIN or host.endswith("." + HUAWEI_CLOUD_DOMAIN)


def emulator_page_url(endpoint: str, kind: str, ids: dict[str, str]) -> str:
    """The emulator's page of one resource; any user:password in ``endpoint`` is left out."""
    parts = urlsplit(endpoint)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    page = EMULATOR_PAGES[kind].format(**{k: quote(str(v), safe="") for k, v in ids.items()})
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}/_emulator/ui/{page}"


class MetaStudioConsoleLink(BaseOperatorLink):
    """Opens the console page whose URL the task pushed to XCom (``metastudio_console_url``)."""

    name = "MetaStudio console"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        return XCom.get_value(ti_key=ti_key, key=CONSOLE_URL_XCOM_KEY) or ""
