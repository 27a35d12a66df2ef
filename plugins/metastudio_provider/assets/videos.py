"""Videos as Airflow Assets: every SUCCEED video is announced through the asset alias ``metastudio-videos``.

One URI per MetaStudio asset: ``metastudio://<region>/<project_id>/assets/<asset_id>`` (the scheme is
registered in the provider info: ``sanitize_uri`` checks it, ``create_asset`` builds it). A task that
makes videos has ``outlets=[VIDEOS]`` and calls ``announce``; a DAG with ``schedule=[VIDEOS]`` runs on
them and reads each video's title, duration, download URL, job id (and a backfill's row id and date)
from ``triggering_asset_events[VIDEOS]``.

Once per video: Airflow records a task's asset events only when the task instance succeeds (a failed
try emits none), and ``announce`` skips a video Airflow already has an event for (a cleared task, a
re-run backfill date): only the first run that announced a video did.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult

from airflow.sdk import Asset, AssetAlias

if TYPE_CHECKING:
    from metastudio_provider.hooks.metastudio import MetaStudioHook

log = logging.getLogger(__name__)

SCHEME = "metastudio"
VIDEOS = AssetAlias("metastudio-videos")
"""The alias every made video is announced through: schedule on it, or put it in a task's outlets."""

_PATH = re.compile(r"^/(?P<project_id>[^/]+)/(?P<kind>assets|scripts)/(?P<id>[^/]+)$")
_REGION = re.compile(r"^[a-z0-9-]+$")
_FORM = f"{SCHEME}://<region>/<project_id>/assets/<asset_id> (or .../scripts/<script_id>, in lineage)"


def asset_uri(region: str, project_id: str, asset_id: str) -> str:
    """``metastudio://<region>/<project_id>/assets/<asset_id>``."""
    uri = f"{SCHEME}://{region}/{project_id}/assets/{asset_id}"
    parse_uri(uri)
    return uri


def parse_uri(uri: str) -> dict[str, str]:
    """``{"region", "project_id", "kind", "id"}`` of a MetaStudio URI (kind ``assets``, or ``scripts`` for a
    video script in lineage; an asset's also under ``asset_id``); ValueError naming the form."""
    from urllib.parse import urlsplit

    parts = urlsplit(uri)
    match = _PATH.match(parts.path)
    if parts.scheme != SCHEME or not _REGION.match(parts.netloc) or not match or parts.query or parts.fragment:
        raise ValueError(f"not a MetaStudio asset URI: {uri!r} (expected {_FORM})")
    found = {"region": parts.netloc, **match.groupdict()}
    return {**found, "asset_id": found["id"]} if found["kind"] == "assets" else found


def sanitize_uri(uri: SplitResult) -> SplitResult:
    """Airflow's URI handler for the ``metastudio`` scheme (provider info ``asset-uris``): the region
    lower-cased, and a URI of any other shape refused."""
    uri = uri._replace(netloc=uri.netloc.lower())
    parse_uri(uri.geturl())
    return uri


def create_asset(*, region: str, project_id: str, asset_id: str, extra: dict[str, Any] | None = None) -> Asset:
    """Airflow's asset factory for the ``metastudio`` scheme: the Asset of one MetaStudio asset."""
    return Asset(uri=asset_uri(region, project_id, asset_id), extra=extra or {})


def video_file(hook: MetaStudioHook, asset_id: str) -> dict[str, Any]:
    """The video asset's MAIN file download URL (valid 24 h) and its duration in seconds (ShowAsset)."""
    asset = hook.show_asset(asset_id)
    files = asset.get("files") or []
    url = next((f.get("download_url") for f in files if f.get("asset_file_category") == "MAIN"), None)
    meta = (asset.get("asset_extra_meta") or {}).get("video_meta") or {}
    return {"download_url": url, "duration": meta.get("duration"), "asset_name": asset.get("asset_name")}


def video_files(hook: MetaStudioHook, asset_ids: Iterable[str], workers: int = 8) -> dict[str, dict[str, Any]]:
    """``video_file`` of many assets, concurrently (the client limiter paces the calls)."""
    ids = list(dict.fromkeys(asset_ids))
    if not ids:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(ids)))) as pool:
        return dict(zip(ids, pool.map(lambda a: video_file(hook, a), ids), strict=True))


def announced_before(uri: str, name: str) -> bool:
    """Whether Airflow already holds an asset event for the asset ``name``/``uri`` (asked through the Execution API)."""
    try:
        from airflow.sdk.execution_time.context import InletEventsAccessor

        return len(InletEventsAccessor(asset_name=name, asset_uri=uri).limit(1)) > 0
    except Exception as exc:  # outside a task runner (a unit test): nothing to ask, announce
        log.warning("Could not look up earlier events of %s (%s): announcing it", uri, exc)
        return False


def video_label(video: Mapping[str, Any]) -> str:
    """The name the Assets view shows for a video: its title and its MetaStudio asset id (both stable, so
    a retry or a re-run names it the same and finds its earlier event)."""
    title = str(video.get("title") or "MetaStudio video").strip()[:200]
    return f"{title} · {video['asset_id']}"


def announce(context: Mapping[str, Any], videos: Iterable[Mapping[str, Any]], *, region: str, project_id: str,
             aliases: Iterable[Any],
             details: Callable[[list[str]], Mapping[str, Mapping[str, Any]]] | None = None,
             ask: Callable[[Mapping[str, Any]], bool] | None = None) -> list[str]:
    """Add an asset event for each video (a mapping with ``asset_id`` and the event's extra) through each
    of ``aliases`` (the task's outlets: other outlets are ignored); skip videos announced before (asked
    of Airflow for each video, or only for those ``ask(video)`` is true of: the others cannot have an
    event yet). The extra is the video's mapping, plus ``details(new asset ids)[asset_id]`` if given,
    without None values (title, duration, download_url, job_id, asset_name, row_id, batch_date). Return
    the URIs announced."""
    aliases = [a for a in aliases if isinstance(a, AssetAlias)]
    if not aliases:
        return []
    new: dict[str, Mapping[str, Any]] = {}
    for video in videos:
        uri = asset_uri(region, project_id, video["asset_id"])
        if uri in new:
            continue
        if (ask is None or ask(video)) and announced_before(uri, video_label(video)):
            log.info("Video %s was announced before: no new asset event", uri)
            continue
        new[uri] = video
    more = details([v["asset_id"] for v in new.values()]) if details and new else {}
    for uri, video in new.items():
        extra = {k: v for k, v in {**video, **more.get(video["asset_id"], {})}.items() if v is not None}
        for alias in aliases:
            context["outlet_events"][alias].add(Asset(name=video_label(video), uri=uri), extra=extra)
    if new:
        log.info("Announced %d video(s) through %s: %s", len(new), ", ".join(a.name for a in aliases),
                 ", ".join(list(new)[:20]) + (f", … (and {len(new) - 20} more)" if len(new) > 20 else ""))
    return list(new)


BATCH_FILE_FIELDS = ("download_url", "duration", "asset_name")
"""What a backfill event's extra takes from the delivery's own ShowAsset of the video
(``DeliverBatchVideosOperator``)."""


def announce_batch(context: Mapping[str, Any], summary: Mapping[str, Any], *, batch_date: str | None,
                   hook: MetaStudioHook | None = None, deliveries: Mapping[str, Any] | None = None) -> list[str]:
    """Announce the SUCCEED videos of a backfill summary (``batches.report.summarize``) through the task's
    alias outlets: extra ``row_id``, ``batch_date``, ``title``, ``job_id``, ``delivered_uri`` (when the
    summary counted deliveries) and the ``download_url``, ``duration`` and ``asset_name`` the delivery read
    (``deliveries``: ``batches.report.delivery_results``). Rows that made no video announce nothing, nor do videos
    that were not delivered (a later run that delivers them announces them).

    No call per video: nothing is asked of MetaStudio (the delivery already read each video), and Airflow
    is asked for earlier events only of videos this run reused (a job made by an earlier run, which may
    have announced it) or of all of them when the report itself is retried or cleared (its try 1 may
    have recorded them); a job made in this run has a new asset that no event can name yet."""
    from metastudio_provider.hooks.metastudio import MetaStudioHook
    from metastudio_provider.states import VIDEO_JOB

    made = [r for r in summary.get("details") or [] if VIDEO_JOB.succeeded(r.get("state")) and r.get("output_asset_id")
            and ("delivered_uri" not in r or r["delivered_uri"])]
    if not made:
        return []
    hook = hook or MetaStudioHook()
    files = (deliveries or {}).get("results") or {}
    videos = [{"asset_id": r["output_asset_id"], "row_id": r["row"], "batch_date": batch_date,
               "title": r.get("title"), "job_id": r.get("job_id"), "delivered_uri": r.get("delivered_uri"),
               **{k: (files.get(r["row"]) or {}).get(k) for k in BATCH_FILE_FIELDS}}
              for r in made]
    ti = context.get("ti")
    retried = ti is None or int(getattr(ti, "try_number", 1) or 1) > 1
    reused = {r["output_asset_id"] for r in made if r.get("status") != "submitted"}
    settings = hook.settings
    return announce(context, videos, region=settings.region, project_id=settings.credentials.project_id,
                    aliases=context["task"].outlets, ask=lambda v: retried or v["asset_id"] in reused)
