"""Deliver rendered videos out of MetaStudio into an Airflow ObjectStoragePath (``metastudio_provider.delivery``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk import BaseOperator

from metastudio_provider.delivery import (
    ATTEMPTS,
    DeliveryError,
    default_destination,
    deliver_videos,
    storage_path,
)
from metastudio_provider.hooks.metastudio import MetaStudioHook


class DeliverVideosOperator(BaseOperator):
    """Copy each video's MAIN file to ``<destination>/<subfolder>/<row_id or asset_id>.mp4``, streamed,
    verified (size, and MetaStudio's MD5) and committed whole; a video already there is not copied again.

    :param videos: (templated) a list of mappings with ``asset_id`` and optional ``row_id``, ``title``,
        ``download_url``, ``file_size``, ``file_md5`` (missing file info, or an expired URL, is fetched
        again with ShowAsset).
    :param destination: (templated) an ObjectStoragePath URI: ``file:///srv/videos``, ``s3://bucket/prefix``
        (or ``s3://<conn_id>@bucket/prefix``). Default: Variable ``metastudio_delivery_uri``, else
        ``[metastudio] delivery_uri``.
    :param subfolder: (templated) the run's folder under the destination; default ``<dag_id>/<run_id>``.
        Files are named by the run and the row, never by a title, so a retry or a re-run finds its copy.
    :param storage_conn_id: (templated) the Airflow connection of the destination's store (optional).
    :param max_parallel: copies streaming at once.
    :param attempts: tries per video against transient errors, with backoff, before the task fails.

    Returns one JSON-serializable result per video: ``asset_id``, ``row_id``, ``title``, ``delivered_uri``,
    ``size``, ``md5`` (hex), ``status`` (``delivered`` or ``already_there``), ``renewed_urls``. A video that
    could not be delivered fails the task after the others are delivered (results in XCom ``failed``):
    at once (``AirflowFailException``) when no retry can fix it (a bad destination, access refused),
    else with Airflow's retries.
    """

    template_fields: Sequence[str] = ("videos", "destination", "subfolder", "storage_conn_id")
    template_fields_renderers = {"videos": "json"}
    ui_color = "#d6eaf8"

    def __init__(self, *, videos: Any, destination: str | None = None,
                 subfolder: str = "{{ dag.dag_id }}/{{ run_id }}", storage_conn_id: str | None = None,
                 metastudio_conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None,
                 max_parallel: int = 4, attempts: int = ATTEMPTS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.videos = videos
        self.destination = destination
        self.subfolder = subfolder
        self.storage_conn_id = storage_conn_id
        self.metastudio_conn_id = metastudio_conn_id
        self.region = region
        self.max_parallel = max_parallel
        self.attempts = attempts

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        videos = [dict(v) for v in self.videos or [] if isinstance(v, Mapping) and v.get("asset_id")]
        if len(videos) != len(self.videos or []):
            raise AirflowFailException("videos: every item must be a mapping with an asset_id")
        destination = self.destination or default_destination("")
        if not destination:
            raise AirflowFailException("no destination: set destination=, the Variable metastudio_delivery_uri "
                                       "or [metastudio] delivery_uri")
        try:
            root = storage_path(destination, self.storage_conn_id or None)
            results = deliver_videos(MetaStudioHook(self.metastudio_conn_id, region=self.region), videos, root,
                                     self.subfolder, max_parallel=self.max_parallel, attempts=self.attempts)
        except DeliveryError as exc:
            raise AirflowFailException(str(exc)) from None
        except ValueError as exc:  # ObjectStoragePath: no filesystem for the scheme, a malformed URI
            raise AirflowFailException(f"destination {destination!r}: {exc}") from None
        done = [r for r in results if r["status"] != "failed"]
        failed = [r for r in results if r["status"] == "failed"]
        for r in done:
            self.log.info("%s %s → %s (%s bytes)", r["status"], r.get("row_id") or r["asset_id"], r["delivered_uri"],
                          r["size"])
        if failed:
            context["ti"].xcom_push(key="delivered", value=done)
            context["ti"].xcom_push(key="failed", value=failed)
            error = AirflowFailException if all(r["permanent"] for r in failed) else AirflowException
            raise error(f"{len(failed)} of {len(results)} video(s) not delivered: "
                        + "; ".join(f"{r.get('row_id') or r['asset_id']}: {r['error']}" for r in failed))
        return results
