"""Deliver rendered videos out of MetaStudio into an Airflow ObjectStoragePath (``metastudio_provider.delivery``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from metastudio_provider.catalog import get_path
from metastudio_provider.delivery import (
    ATTEMPTS,
    DeliveryError,
    default_destination,
    default_storage_conn_id,
    deliver_video,
    deliver_videos,
    path_uri,
    storage_path,
    target_path,
)
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.operators.base import entry_point
from metastudio_provider.operators.videos import CreateVideoOperator
from metastudio_provider.states import VIDEO_JOB


class DeliverVideosOperator(BaseOperator):
    """Copy each video's MAIN file to ``<destination>/<subfolder>/<row_id or asset_id>.mp4``, streamed,
    verified (size, and MetaStudio's MD5) and committed whole; a video already there is not copied again.

    :param videos: (templated) a list of mappings with ``asset_id`` and optional ``row_id``, ``title``,
        ``download_url``, ``file_size``, ``file_md5`` (missing file info, or an expired URL, is fetched
        again with ShowAsset).
    :param destination: (templated) an ObjectStoragePath URI: ``file:///srv/videos``, ``s3://bucket/prefix``
        (or ``s3://<conn_id>@bucket/prefix``). Default: Variable ``metastudio_delivery_uri``, else
        ``[metastudio] delivery_uri``, with the connection of Variable ``metastudio_delivery_conn_id``
        (else ``[metastudio] delivery_conn_id``) when ``storage_conn_id`` is not given.
    :param subfolder: (templated) the run's folder under the destination; default ``<dag_id>/<run_id>``.
        Files are named by the run and the row, never by a title, so a retry or a re-run finds its copy.
    :param storage_conn_id: (templated) the Airflow connection of the destination's store (optional).
    :param fallback_destination: the destination when neither ``destination`` nor the Variable / config
        gives one (the project's DAGs: the checkout's ``include/deliveries``).
    :param max_parallel: copies streaming at once.
    :param attempts: tries per video against transient errors, with backoff, before the task fails.

    Returns one JSON-serializable result per video: ``asset_id``, ``row_id``, ``title``, ``delivered_uri``,
    ``size``, ``md5`` (hex), ``status`` (``delivered`` or ``already_there``), ``renewed_urls``. A video that
    could not be delivered fails the task after the others are delivered (results in XCom ``failed``):
    at once (``AirflowFailException``) when no retry can fix it (a bad destination, access refused),
    else with Airflow's retries. A failure before any video's result (no destination, a bad one) is kept
    in XCom ``error``.
    """

    template_fields: Sequence[str] = ("videos", "destination", "subfolder", "storage_conn_id")
    template_fields_renderers = {"videos": "json"}
    ui_color = "#d6eaf8"

    def __init__(self, *, videos: Any, destination: str | None = None,
                 subfolder: str = "{{ dag.dag_id }}/{{ run_id }}", storage_conn_id: str | None = None,
                 metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None,
                 max_parallel: int = 4, attempts: int = ATTEMPTS, fallback_destination: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.videos = videos
        self.fallback_destination = fallback_destination
        self.destination = destination
        self.subfolder = subfolder
        self.storage_conn_id = storage_conn_id
        self.metastudio_conn_id = metastudio_conn_id
        self.region = region
        self.max_parallel = max_parallel
        self.attempts = attempts

    def videos_to_deliver(self, context: Any) -> list[dict[str, Any]]:
        """The videos to copy (subclasses compute them from the run's XComs)."""
        from airflow.sdk.exceptions import AirflowFailException

        videos = [dict(v) for v in self.videos or [] if isinstance(v, Mapping) and v.get("asset_id")]
        if len(videos) != len(self.videos or []):
            raise AirflowFailException("videos: every item must be a mapping with an asset_id")
        return videos

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        ti = context.get("ti")
        try:
            videos = self.videos_to_deliver(context)
            if not videos:
                self.log.info("No video to deliver")
                return []
            root = self.root()
            results = deliver_videos(MetaStudioHook(self.metastudio_conn_id, region=self.region), videos, root,
                                     self.subfolder, max_parallel=self.max_parallel, attempts=self.attempts,
                                     deliver=self.deliver_one)
        except Exception as exc:
            if ti is not None:
                ti.xcom_push(key="error", value=_error_text(exc))
            if isinstance(exc, DeliveryError):
                raise AirflowFailException(str(exc)) from None
            raise
        done = [r for r in results if r["status"] != "failed"]
        failed = [r for r in results if r["status"] == "failed"]
        for r in done:
            self.log.info("%s %s → %s (%s bytes)", r["status"], r.get("row_id") or r["asset_id"], r["delivered_uri"],
                          r["size"])
        if failed:
            if ti is not None:
                ti.xcom_push(key="delivered", value=done)
                ti.xcom_push(key="failed", value=failed)
            error = AirflowFailException if all(r["permanent"] for r in failed) else AirflowException
            raise error(f"{len(failed)} of {len(results)} video(s) not delivered: "
                        + "; ".join(f"{r.get('row_id') or r['asset_id']}: {r['error']}" for r in failed))
        return results

    def root(self) -> Any:
        """The destination folder as an ObjectStoragePath (``AirflowFailException`` when there is none)."""
        return destination_root(self.destination, self.storage_conn_id, self.fallback_destination)

    def deliver_one(self, hook: MetaStudioHook, video: Mapping[str, Any], target: Any,
                    **options: Any) -> dict[str, Any]:
        """Deliver one video (``delivery.deliver_video``)."""
        return deliver_video(hook, video, target, **options)


def destination_root(destination: str | None, storage_conn_id: str | None, fallback: str | None = None) -> Any:
    """``destination`` (default: the Variable / config, else ``fallback``) with its store's connection, as an
    ObjectStoragePath."""
    from airflow.sdk.exceptions import AirflowFailException

    if not destination:
        destination = default_destination(fallback or "")
        storage_conn_id = storage_conn_id or default_storage_conn_id()
    if not destination:
        raise AirflowFailException("no destination: set destination=, the Variable metastudio_delivery_uri "
                                   "or [metastudio] delivery_uri")
    try:
        return storage_path(destination, storage_conn_id or None)
    except DeliveryError as exc:
        raise AirflowFailException(str(exc)) from None
    except ValueError as exc:  # ObjectStoragePath: no filesystem for the scheme, a malformed URI
        raise AirflowFailException(f"destination {destination!r}: {exc}") from None


def _error_text(exc: BaseException) -> str:
    from metastudio_provider.client.redact import redact_uri

    return redact_uri(str(exc) if isinstance(exc, DeliveryError) or type(exc).__name__.startswith("Airflow")
                      else f"{type(exc).__name__}: {exc}")


class DeliverBatchVideosOperator(DeliverVideosOperator):
    """The backfill's delivery: every row whose video job ended SUCCEED (``batches.row_results`` and the
    render wait's final jobs), to ``<destination>/<subfolder>/<row id>.mp4``.

    :param wait_task: the task whose return value is the final jobs by id (``VideoJobsSensor``).
    :param manifest_task, chunk_task: where ``batches.row_results`` finds the rows.

    Each result also carries the video's ``download_url``, ``duration`` and ``asset_name`` (for the report's
    asset events).
    """

    def __init__(self, *, wait_task: str = "wait_for_videos", manifest_task: str = "load_manifest",
                 chunk_task: str = "submit_chunk", **kwargs: Any) -> None:
        kwargs.setdefault("subfolder", "{{ dag.dag_id }}/{{ ds }}")
        super().__init__(videos=[], **kwargs)
        self.wait_task = wait_task
        self.manifest_task = manifest_task
        self.chunk_task = chunk_task

    def videos_to_deliver(self, context: Any) -> list[dict[str, Any]]:
        from metastudio_provider.batches.report import row_results, videos_to_deliver

        ti = context["ti"]
        jobs = ti.xcom_pull(task_ids=self.wait_task)
        return videos_to_deliver(row_results(ti, self.manifest_task, self.chunk_task), jobs)

    def deliver_one(self, hook: MetaStudioHook, video: Mapping[str, Any], target: Any,
                    **options: Any) -> dict[str, Any]:
        """Deliver one video, its result also carrying the ``download_url``, ``duration`` and ``asset_name`` of
        the one ShowAsset the copy needs anyway: the report announces the video from them, with no call."""
        asset = hook.show_asset(video["asset_id"])
        main = next((f for f in asset.get("files") or [] if f.get("asset_file_category") == "MAIN"), None) or {}
        info = {"download_url": main.get("download_url"), "file_size": main.get("file_size"),
                "file_md5": main.get("file_md5")} if main.get("download_url") else {}
        result = deliver_video(hook, {**video, **info}, target, **options)
        meta = (asset.get("asset_extra_meta") or {}).get("video_meta") or {}
        return {**result, "download_url": main.get("download_url"), "duration": meta.get("duration"),
                "asset_name": asset.get("asset_name")}


class CreateAndDeliverVideoOperator(CreateVideoOperator):
    """``CreateVideoOperator`` that delivers the SUCCEED video before announcing it: the copy lands at
    ``<destination>/<subfolder>/<asset_id>.mp4`` (``DeliverVideosOperator``'s rules: streamed, verified,
    exactly once), and the asset event's extra and the result carry ``delivered_uri`` (plus the result's
    ``delivered_size``, ``delivered_md5``, ``delivery``: delivered / already_there). A video that cannot be
    delivered fails the task before any event (at once when no retry can fix it); a retry carries on with
    the job made before and copies only what is missing.

    :param destination, storage_conn_id, fallback_destination: as ``DeliverVideosOperator`` (default: the
        Variables / config).
    :param subfolder: (templated) default ``<dag_id>/<run_id>``.
    """

    template_fields = (*CreateVideoOperator.template_fields, "destination", "subfolder",  # type: ignore[assignment]
                       "storage_conn_id")

    def __init__(self, *, destination: str | None = None, subfolder: str = "{{ dag.dag_id }}/{{ run_id }}",
                 storage_conn_id: str | None = None, fallback_destination: str | None = None,
                 delivery_attempts: int = ATTEMPTS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.destination = destination
        self.fallback_destination = fallback_destination
        self.subfolder = subfolder
        self.storage_conn_id = storage_conn_id
        self.delivery_attempts = delivery_attempts

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        response = event.get("response") or {}
        asset_id = get_path(response, "output_asset_config.asset_id") if event.get("status") == "success" else None
        if not asset_id or not VIDEO_JOB.succeeded(response.get("state")):
            return super().execute_complete(context, event)  # raises for a failed job; nothing to deliver
        root = destination_root(self.destination, self.storage_conn_id, self.fallback_destination)
        target = target_path(root, self.subfolder,
                             {"asset_id": asset_id})
        try:
            copied = deliver_video(self.hook, {"asset_id": asset_id}, target, attempts=self.delivery_attempts)
        except DeliveryError as exc:
            error = AirflowFailException if exc.permanent else AirflowException
            raise error(f"video {asset_id} made but not delivered to {path_uri(target)}: {exc}") from None
        self.log.info("Video %s %s at %s", asset_id, copied["status"], copied["delivered_uri"])
        self.event_extra = {**(self.event_extra or {}), "delivered_uri": copied["delivered_uri"]}
        result = super().execute_complete(context, event)  # announces the video, delivered_uri in its extra
        return {**result, "delivered_uri": copied["delivered_uri"], "delivered_size": copied["size"],
                "delivered_md5": copied["md5"], "delivery": copied["status"]}
