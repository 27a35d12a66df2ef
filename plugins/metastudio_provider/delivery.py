"""Deliver rendered videos: copy a video's MAIN file out of MetaStudio into an Airflow ObjectStoragePath.

``deliver_video`` streams the pre-signed download URL into the destination (``file://`` or any store
Airflow has a filesystem for: ``s3://`` through ``metastudio_provider.fs.s3``) and is safe to run again:

* **Streamed**: 1 MiB chunks, never the whole file in memory; MD5 and size are counted on the way.
* **Verified** before it becomes visible: the size MetaStudio gives (``file_size``) and its MD5
  (``file_md5``, base64 as Content-MD5, or hex) when the asset file has one; a mismatch is never committed.
* **No reader ever sees half a file**: a local copy is written to ``.<name>.partial`` beside the target
  and renamed (atomic on one filesystem); an object store's object appears only when its upload
  completes (s3fs: one PUT, or a multipart upload completed on close; a failed copy aborts it).
* **Exactly once**: the target is named by the run and the row (``<dag>/<date or run>/<row id or
  asset id>.mp4``, ``target_path``); a target that exists with the right size (and MD5, when it can
  be read cheaply) is ``already_there`` and not copied again. A copy cut short (connection reset, the
  store gone, the worker killed) left no target, so the next try copies it again from the start.
* **An expired URL is renewed**: a 403 from the download URL (OBS: "Request has expired.") asks
  ShowAsset for a fresh one, as do a missing URL or missing file info.
* **Errors**: what no retry can fix (the destination refused: no such bucket, access denied, a path
  that is a folder; the asset has no MAIN file; a 4xx other than 403/429 from the URL) raises
  ``DeliveryError(permanent=True)`` at once, naming the target; anything else (network, 5xx, 429, a
  transfer that came out short or corrupt) is retried with backoff (``attempts`` tries in all) and
  then raises ``DeliveryError(permanent=False)``. Pre-signed URLs and store secrets are never logged.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from metastudio_provider.signing import md5_hasher
from metastudio_provider.utils.variables import setting

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

    from metastudio_provider.hooks.metastudio import MetaStudioHook

log = logging.getLogger(__name__)

CHUNK_SIZE = 1024 * 1024
PART_SIZE = 8 * 1024 * 1024
"""An object store's upload part (s3fs block size): at most this much of a video is held in memory."""
ATTEMPTS = 4
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_PERMANENT_STORE_ERRORS = (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError,
                           FileExistsError)


class DeliveryError(Exception):
    """A video that could not be delivered; ``permanent``: no retry will fix it (the message says what to)."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


class _Retry(Exception):
    """A transient failure of one try (retried with backoff)."""


class _Expired(_Retry):
    """The download URL answered 403: renew it through ShowAsset and try again."""


def safe_segment(text: Any) -> str:
    """A path segment made of letters, digits, ``.``, ``_`` and ``-`` (a run id's ``:`` and ``+`` become ``_``)."""
    segment = _SAFE.sub("_", str(text)).strip("._") or "_"
    return segment[:200]


def storage_path(uri: str | ObjectStoragePath, conn_id: str | None = None) -> ObjectStoragePath:
    """An ObjectStoragePath of ``uri`` (``file:///...``, ``s3://bucket/prefix``, a plain absolute path);
    ``conn_id`` (optional) is the Airflow connection of its store."""
    from airflow.sdk import ObjectStoragePath

    if isinstance(uri, ObjectStoragePath) and not conn_id:
        return uri
    text = str(uri)
    if text.startswith("/"):
        text = f"file://{text}"
    if "://" not in text:
        raise DeliveryError(f"destination {text!r} is not a URI: use file:///an/absolute/folder or "
                            "s3://bucket/prefix", permanent=True)
    return ObjectStoragePath(text, conn_id=conn_id) if conn_id else ObjectStoragePath(text)


def path_uri(path: ObjectStoragePath) -> str:
    """``<scheme>://<path>`` of a target, without any connection id (what the catalogue and events show)."""
    protocol = path.protocol or "file"
    if protocol in ("file", "local"):
        return f"file://{Path(path.path).resolve()}"
    return f"{protocol}://{path.path}"


def target_path(destination: ObjectStoragePath, subfolder: str, video: Mapping[str, Any]) -> ObjectStoragePath:
    """``<destination>/<subfolder>/<row id or asset id>.mp4``, each segment made path-safe."""
    path = destination
    for part in str(subfolder or "").split("/"):
        if part.strip():
            path = path / safe_segment(part)
    return path / f"{safe_segment(video.get('row_id') or video['asset_id'])}.mp4"


def md5_hex(value: str | None) -> str | None:
    """MetaStudio's ``file_md5`` (base64, as Content-MD5; or 32 hex digits) as hex; None if there is none."""
    if not value:
        return None
    text = str(value).strip()
    if re.fullmatch(r"[0-9a-fA-F]{32}", text):
        return text.lower()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw.hex() if len(raw) == 16 else None


def main_file(hook: MetaStudioHook, asset_id: str) -> dict[str, Any]:
    """The asset's MAIN file (ShowAsset): a fresh ``download_url``, ``file_size`` and ``file_md5``."""
    asset = hook.show_asset(asset_id)
    file = next((f for f in asset.get("files") or [] if f.get("asset_file_category") == "MAIN"), None)
    if not file or not file.get("download_url"):
        raise DeliveryError(f"asset {asset_id} has no MAIN file to download (state {asset.get('asset_state')})",
                            permanent=True)
    return {"download_url": file["download_url"], "file_size": file.get("file_size"),
            "file_md5": file.get("file_md5"), "asset_name": asset.get("asset_name")}


def _is_local(path: ObjectStoragePath) -> bool:
    return (path.protocol or "file") in ("file", "local")


def _existing(target: ObjectStoragePath, size: int | None, md5: str | None) -> dict[str, Any] | None:
    """The finished copy at ``target`` if it is there and matches (size; MD5 when cheap to know), else None."""
    try:
        if _is_local(target):
            local = Path(target.path)
            if not local.is_file():
                return None
            found_size = local.stat().st_size
            if size is not None and found_size != size:
                return None
            digest = md5_hasher()
            with local.open("rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK_SIZE), b""):
                    digest.update(chunk)
            found_md5: str | None = digest.hexdigest()
        else:
            fs = target.fs
            if not fs.exists(target.path):
                return None
            info = fs.info(target.path)
            found_size = int(info.get("size") or info.get("Size") or 0)
            if size is not None and found_size != size:
                return None
            etag = str(info.get("ETag") or info.get("etag") or "").strip('"')
            found_md5 = etag.lower() if re.fullmatch(r"[0-9a-fA-F]{32}", etag) else None  # multipart: no MD5
    except _PERMANENT_STORE_ERRORS as exc:
        raise DeliveryError(f"destination {path_uri(target)}: {type(exc).__name__}: {exc}", permanent=True) from None
    if md5 and found_md5 and found_md5 != md5:
        return None
    return {"size": found_size, "md5": found_md5 or md5}


class _Writer:
    """Where one try's bytes go: a ``.partial`` file renamed on commit, or an object store's upload."""

    def __init__(self, target: ObjectStoragePath, part_size: int) -> None:
        self.target = target
        if _is_local(target):
            final = Path(target.path)
            final.parent.mkdir(parents=True, exist_ok=True)
            self.partial: Path | None = final.with_name(f".{final.name}.partial")
            self.handle: Any = self.partial.open("wb")
        else:
            self.partial = None
            self.handle = target.fs.open(target.path, "wb", block_size=part_size)

    def write(self, data: bytes) -> None:
        self.handle.write(data)

    def commit(self) -> None:
        if self.partial is not None:
            self.handle.flush()
            os.fsync(self.handle.fileno())
            self.handle.close()
            os.replace(self.partial, Path(self.target.path))
        else:
            self.handle.close()  # completes the upload: the object appears whole, or not at all

    def abort(self) -> None:
        try:
            if self.partial is not None:
                self.handle.close()
                self.partial.unlink(missing_ok=True)
            else:
                discard = getattr(self.handle, "discard", None)  # s3fs: abort the multipart upload
                if discard is not None:
                    discard()
                self.handle.closed = True  # nothing to flush: the upload is abandoned, never completed
        except Exception as exc:  # noqa: BLE001 - the copy already failed; say so, keep the first error
            log.warning("Could not clean up the unfinished copy of %s: %s", path_uri(self.target), exc)


def _copy_once(client: httpx.Client, url: str, target: ObjectStoragePath, *, size: int | None, md5: str | None,
               part_size: int) -> dict[str, Any]:
    """One try: stream ``url`` into ``target`` and commit it only if size and MD5 match."""
    with client.stream("GET", url) as response:
        status = response.status_code
        if status == 403:
            raise _Expired("the download URL answered 403 (expired)")
        if status == 429 or status >= 500:
            raise _Retry(f"the download URL answered {status}")
        if status >= 400:
            raise DeliveryError(f"the download URL answered {status}: the video's file cannot be fetched",
                                permanent=True)
        try:
            writer = _Writer(target, part_size)
        except _PERMANENT_STORE_ERRORS as exc:
            raise DeliveryError(f"destination {path_uri(target)}: {type(exc).__name__}: {exc}",
                                permanent=True) from None
        digest, count = md5_hasher(), 0
        try:
            for chunk in response.iter_bytes(CHUNK_SIZE):
                digest.update(chunk)
                count += len(chunk)
                writer.write(chunk)
            problem = (f"size {count} bytes, expected {size}" if size is not None and count != size else
                       f"MD5 {digest.hexdigest()}, expected {md5}" if md5 and digest.hexdigest() != md5 else None)
            if problem:
                raise _Retry(f"the copy came out wrong ({problem}): not committed")
            writer.commit()
        except BaseException:
            writer.abort()
            raise
    return {"size": count, "md5": digest.hexdigest()}


def _permanent(exc: BaseException) -> bool:
    return isinstance(exc, DeliveryError) and exc.permanent or isinstance(exc, _PERMANENT_STORE_ERRORS)


def deliver_video(hook: MetaStudioHook, video: Mapping[str, Any], target: ObjectStoragePath, *,
                  attempts: int = ATTEMPTS, part_size: int = PART_SIZE, wait_max: float = 10.0,
                  client: httpx.Client | None = None) -> dict[str, Any]:
    """Copy one video (a mapping with ``asset_id``; optional ``download_url``, ``file_size``, ``file_md5``,
    ``row_id``, ``title``) to ``target``; return its result (``status`` delivered or already_there)."""
    asset_id = video["asset_id"]
    info = {k: video.get(k) for k in ("download_url", "file_size", "file_md5")}
    renewed = 0
    if not info["download_url"] or info["file_size"] is None:
        info = main_file(hook, asset_id)
    uri = path_uri(target)
    result = {"asset_id": asset_id, "row_id": video.get("row_id"), "title": video.get("title"), "delivered_uri": uri}

    def expected() -> tuple[int | None, str | None]:
        size = info.get("file_size")
        return (int(size) if size is not None else None), md5_hex(info.get("file_md5"))

    if (found := _existing(target, *expected())) is not None:
        log.info("Video %s is already at %s (%s bytes): not copied again", asset_id, uri, found["size"])
        return {**result, **found, "status": "already_there", "renewed_urls": 0}

    def before_retry(state: RetryCallState) -> None:
        nonlocal info, renewed
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Expired):
            info = {**info, **main_file(hook, asset_id)}  # a fresh URL (and file info) from ShowAsset
            renewed += 1
            log.info("Video %s: the download URL had expired; renewed through ShowAsset", asset_id)
        else:
            log.warning("Video %s: try %d of %d failed (%s: %s); trying again", asset_id, state.attempt_number,
                        attempts, type(exc).__name__, _redacted(exc) if exc else "")

    own = client is None
    client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=10.0), follow_redirects=True)
    try:
        retrying = Retrying(stop=stop_after_attempt(attempts), reraise=True, before_sleep=before_retry,
                            wait=wait_exponential(multiplier=0.5, max=wait_max),
                            retry=retry_if_exception(lambda e: not _permanent(e)))
        copied = retrying(lambda: _copy_once(client, str(info["download_url"]), target, size=expected()[0],
                                             md5=expected()[1], part_size=part_size))
    except DeliveryError:
        raise
    except _PERMANENT_STORE_ERRORS as exc:
        raise DeliveryError(f"destination {uri}: {type(exc).__name__}: {_redacted(exc)}", permanent=True) from None
    except Exception as exc:
        raise DeliveryError(f"video {asset_id} → {uri}: {attempts} tries failed, the last with "
                            f"{type(exc).__name__}: {_redacted(exc)}", permanent=False) from None
    finally:
        if own:
            client.close()
    log.info("Video %s delivered to %s (%d bytes, MD5 %s)", asset_id, uri, copied["size"], copied["md5"])
    return {**result, **copied, "status": "delivered", "renewed_urls": renewed}


def _redacted(exc: BaseException) -> str:
    """An error's text without a pre-signed URL's query (its signature) or a URI's password."""
    from metastudio_provider.client.redact import redact_uri

    return re.sub(r"(https?://[^\s?'\"]+)\?[^\s'\"]*", r"\1?…", redact_uri(str(exc)))


def deliver_videos(hook: MetaStudioHook, videos: Iterable[Mapping[str, Any]], destination: ObjectStoragePath,
                   subfolder: str, *, max_parallel: int = 4,
                   deliver: Callable[..., dict[str, Any]] | None = None, **options: Any) -> list[dict[str, Any]]:
    """Deliver several videos at once (at most ``max_parallel`` copies streaming); one result per video, in
    order: a delivered / already_there result, or ``status: failed`` with ``error`` and ``permanent``."""
    deliver = deliver or deliver_video
    items = list(videos)
    targets = [target_path(destination, subfolder, v) for v in items]
    if len(set(map(path_uri, targets))) != len(targets):
        raise DeliveryError("two videos would be delivered to the same file: give each a distinct row_id "
                            "(or none, to name them by asset id)", permanent=True)

    def one(pair: tuple[Mapping[str, Any], ObjectStoragePath]) -> dict[str, Any]:
        video, target = pair
        try:
            return deliver(hook, video, target, **options)
        except DeliveryError as exc:
            return {"asset_id": video["asset_id"], "row_id": video.get("row_id"), "title": video.get("title"),
                    "delivered_uri": None, "status": "failed", "error": str(exc), "permanent": exc.permanent}
        except Exception as exc:  # a MetaStudio error from ShowAsset, ...: Airflow's retry may fix it
            return {"asset_id": video["asset_id"], "row_id": video.get("row_id"), "title": video.get("title"),
                    "delivered_uri": None, "status": "failed", "error": f"{type(exc).__name__}: {_redacted(exc)}",
                    "permanent": bool(getattr(exc, "permanent", False))}

    if not items:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(items)))) as pool:
        return list(pool.map(one, zip(items, targets, strict=True)))


def default_destination(fallback: str) -> str:
    """The delivery folder: Airflow Variable ``metastudio_delivery_uri``, else ``[metastudio] delivery_uri``,
    else ``fallback`` (the DAGs: ``file://<checkout>/include/deliveries``)."""
    return setting("metastudio_delivery_uri", "delivery_uri", fallback) or fallback


def default_storage_conn_id() -> str | None:
    """The delivery store's Airflow connection: Variable ``metastudio_delivery_conn_id``, else
    ``[metastudio] delivery_conn_id``, else None (s3fs then finds credentials as boto does)."""
    return setting("metastudio_delivery_conn_id", "delivery_conn_id")
