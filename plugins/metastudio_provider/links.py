"""Every console and emulator URL, and the operator extra link that opens them.

``console_url`` is the MetaStudio console page of the asset, job or room a task worked on (``CONSOLE_PAGES``,
per resource kind of ``states.RESOURCES``). With the emulator (a connection endpoint outside Huawei Cloud)
it is the emulator's own page for the resource instead (``EMULATOR_PAGES``, under ``/_emulator/ui/``),
since the console does not know it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from airflow.sdk import BaseOperatorLink

CONSOLE_URL_XCOM_KEY = "metastudio_console_url"
HUAWEI_CLOUD_DOMAIN = "myhuaweicloud.com"
CONSOLE_BASE = "https://console.huaweicloud.com/metastudio/?region={region}"
CONSOLE_PAGES: dict[str, str] = {
    "asset": "#/digital-assets/detail?assetId={asset_id}",
    "video_job": "#/video-production/detail?jobId={job_id}",
    "live_job_on_air": "#/smart-live/room?roomId={room_id}&jobId={job_id}",
    "live_job_ended": "#/smart-live/room?roomId={room_id}&jobId={job_id}",
    "avatar_training_job": "#/avatar-training/detail?jobId={job_id}",
    "voice_training_job": "#/voice-training/detail?jobId={job_id}",
    "tts_audition": "#/tts?jobId={job_id}",
}
"""The console page (a fragment after ``CONSOLE_BASE``) per resource kind of ``states.RESOURCES``."""
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


def console_url(kind: str, region: str, ids: dict[str, str], endpoint: str | None = None) -> str:
    """The MetaStudio console page of one resource; with an ``endpoint`` outside Huawei Cloud (the
    emulator), that server's own page for it (``emulator_page_url``)."""
    if not is_huawei_cloud(endpoint):
        return emulator_page_url(str(endpoint), kind, ids)
    return CONSOLE_BASE.format(region=region) + CONSOLE_PAGES[kind].format(**ids)


class MetaStudioConsoleLink(BaseOperatorLink):
    """Opens the console page whose URL the task pushed to XCom (``metastudio_console_url``)."""

    name = "MetaStudio console"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        from airflow.sdk.execution_time.xcom import XCom

        return XCom.get_value(ti_key=ti_key, key=CONSOLE_URL_XCOM_KEY) or ""
