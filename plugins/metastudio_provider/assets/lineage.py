"""Lineage of every video: which avatar, voice, background and script made it (OpenLineage through Airflow).

Reported through Airflow's hook lineage collector (``airflow.sdk.lineage``), which the OpenLineage
provider reads when it is installed (it registers a hook lineage reader) and which is a no-op
otherwise: nothing here imports OpenLineage, so the provider works without it.

Namespace (OpenLineage datasets, as Airflow asset URIs): ``metastudio://<region>/<project_id>/<kind>/<id>``,
the scheme ``metastudio``, the authority the region, the path the tenant (project id), then
``assets/<asset_id>`` for an asset (avatar model, voice model, image, video) or
``scripts/<script_id>`` for a video script. The video's URI is the one its Airflow asset event uses
(``assets.videos.asset_uri``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from metastudio_provider.assets.videos import asset_uri

log = logging.getLogger(__name__)


def script_inputs(script: Mapping[str, Any] | None) -> list[str]:
    """The asset ids a CreateVideoScripts body uses: avatar model, voice model, background images."""
    if not script:
        return []
    ids = [script.get("model_asset_id"), (script.get("voice_config") or {}).get("voice_asset_id")]
    for item in script.get("shoot_scripts") or []:
        for background in ((item or {}).get("shoot_script") or {}).get("background_config") or []:
            ids.append((background or {}).get("background_asset_id"))
    return [i for i in dict.fromkeys(ids) if i]


def script_uri(region: str, project_id: str, script_id: str) -> str:
    return f"metastudio://{region}/{project_id}/scripts/{script_id}"


def video_lineage(*, region: str, project_id: str, input_asset_ids: list[str], script_id: str | None,
                  video_asset_id: str) -> tuple[list[str], list[str]]:
    """(input URIs, output URIs) of one video."""
    inputs = [asset_uri(region, project_id, a) for a in input_asset_ids]
    if script_id:
        inputs.append(script_uri(region, project_id, script_id))
    return inputs, [asset_uri(region, project_id, video_asset_id)]


def report_video(context: Any, *, region: str, project_id: str, input_asset_ids: list[str],
                 script_id: str | None, video_asset_id: str) -> None:
    """Add one video's inputs and output to Airflow's hook lineage collector (``context``: the hook)."""
    try:
        from airflow.sdk.lineage import get_hook_lineage_collector
    except ImportError:  # an Airflow without hook lineage: nothing to report to
        return
    inputs, outputs = video_lineage(region=region, project_id=project_id, input_asset_ids=input_asset_ids,
                                    script_id=script_id, video_asset_id=video_asset_id)
    collector = get_hook_lineage_collector()
    for uri in inputs:
        collector.add_input_asset(context=context, uri=uri)
    for uri in outputs:
        collector.add_output_asset(context=context, uri=uri)
