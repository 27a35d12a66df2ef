"""``MetaStudioHook``: an Airflow connection turned into a signed, throttled MetaStudio client.

Connection (type ``metastudio``): login = AK, password = SK; extras ``region``,
``project_id``, optional ``endpoint`` (base URL override, e.g. the emulator), ``app_user_id``
(sent as X-App-UserId), ``rate_limit_storage`` (``redis://…`` to share the limiter
across processes; else the Airflow option ``[metastudio] rate_limit_storage``, else memory),
``timeout`` (seconds per HTTP request, default 30), ``max_attempts`` (tries of a call, default 6),
``max_backoff`` (the longest wait between tries, default 20) and ``outage_seconds`` (how long a call
rides out MetaStudio answering only 5xx or nothing, default 300; 0: not).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable, Mapping
from functools import cached_property
from types import TracebackType
from typing import Any

import httpx
from airflow.sdk import BaseHook
from airflow.sdk.exceptions import AirflowNotFoundException

from metastudio_provider import signing
from metastudio_provider.catalog import DEFAULT_REGION, get_api
from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.uploads import check_upload
from metastudio_provider.client import AsyncMetaStudioClient, ClientSettings, Credentials, MetaStudioClient
from metastudio_provider.client.errors import MetaStudioConfigError
from metastudio_provider.client.identity import identity_token, with_token
from metastudio_provider.client.settings import number_setting
from metastudio_provider.hooks.failures import (
    MetaStudioConfigFailure,
    MetaStudioPermanentError,
    mask_connection_secrets,
    mask_uri_password,
    permanent_errors,
)
from metastudio_provider.states import ASSET_ACTIVE, NOT_REUSABLE, UNUSABLE_ASSET_STATES
from metastudio_provider.utils import files
from metastudio_provider.utils.options import option

Params = Mapping[str, Any] | None
Resume = Callable[[dict[str, Any]], "dict[str, Any] | None"]
"""Brings a found resource on from its state (see ``MetaStudioHook.create_or_resume``); None: make it again."""

CONN_TYPE = "metastudio"

class MetaStudioHook(BaseHook):
    """Call any of the 66 catalog APIs: ``call(api, path_params, query, body)`` or ``await acall(...)``.

    :param metastudio_conn_id: the Airflow connection to use.
    :param region: overrides the connection's ``region`` extra.
    :param transport: an httpx transport for the clients instead of the network (``httpx.MockTransport``
        in tests, a proxy's); one that is both sync and async (as ``MockTransport``) serves both clients.

    ``close()`` (or ``with MetaStudioHook() as hook:``) closes the sync client; operators do it when
    their ``execute`` / ``execute_complete`` ends. A call after ``close()`` opens a new client.
    """

    conn_name_attr = "metastudio_conn_id"
    default_conn_name = "metastudio_default"
    conn_type = CONN_TYPE
    hook_name = "Huawei Cloud MetaStudio"

    def __init__(self, metastudio_conn_id: str = default_conn_name, region: str | None = None, *,
                 transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__()
        self.metastudio_conn_id = metastudio_conn_id
        self.region_override = region
        self.transport = transport
        self._async_client: AsyncMetaStudioClient | None = None

    # -- settings -----------------------------------------------------------------------
    @classmethod
    def settings_from_connection(cls, conn: Any, region: str | None = None) -> ClientSettings:
        """Build client settings from an Airflow connection.

        Every secret of the connection is registered with Airflow's secrets masker first; a wrong
        setting raises ``MetaStudioConfigFailure`` (no retry) naming the connection field to fix.
        """
        extras = _extras(conn)
        mask_connection_secrets(conn, extras)

        def extra(name: str) -> Any:
            values = (extras.get(name), extras.get(f"extra__{CONN_TYPE}__{name}"))
            return next((value for value in values if value not in (None, "")), None)

        missing = [label for label, value in (("login (AK)", conn.login), ("password (SK)", conn.password))
                   if not value]
        if missing:
            raise MetaStudioConfigFailure("login/password", f"{' and '.join(missing)} not set: give the AK as "
                                          "login and the SK as password")
        if not extra("project_id"):
            raise MetaStudioConfigFailure("extra project_id", "not set: give the MetaStudio project id in the "
                                          "connection's extra, e.g. {\"project_id\": \"...\"}")
        storage = extra("rate_limit_storage") or _configured_storage()
        mask_uri_password(storage)  # also when it comes from the Airflow option
        numbers: dict[str, Any] = {}
        for name, value in (("timeout", extra("timeout")), ("max_attempts", extra("max_attempts")),
                            ("max_backoff", extra("max_backoff")), ("outage_seconds", extra("outage_seconds"))):
            if name == "outage_seconds" and value in (0, "0"):
                numbers[name] = 0.0  # no riding out: max_attempts alone
            elif value is not None:
                try:
                    numbers[name] = number_setting(name, value, integer=name == "max_attempts")
                except MetaStudioConfigError as exc:
                    raise MetaStudioConfigFailure(f"extra {name}", str(exc).split(": ", 2)[-1]) from None
        try:
            return ClientSettings(
                credentials=Credentials(ak=conn.login, sk=conn.password, project_id=extra("project_id")),
                region=region or extra("region") or DEFAULT_REGION,
                endpoint=extra("endpoint") or conn.host or None,
                app_user_id=extra("app_user_id"),
                rate_limit_storage=storage,
                **numbers,
            )
        except MetaStudioConfigError as exc:
            raise MetaStudioConfigFailure.from_error(exc) from None

    @cached_property
    def settings(self) -> ClientSettings:
        conn: Any
        try:
            conn = self.get_connection(self.metastudio_conn_id)
        except AirflowNotFoundException:  # outside a task, also look where `airflow connections get` does
            conn = _connection_outside_a_task(self.metastudio_conn_id)
            if conn is None:
                raise self._no_connection() from None
        return self.settings_from_connection(conn, self.region_override)

    def _no_connection(self) -> MetaStudioConfigFailure:
        return MetaStudioConfigFailure(
            "metastudio_conn_id", f"no connection {self.metastudio_conn_id!r}: create it (type metastudio)")

    @property
    def region(self) -> str:
        return self.settings.region

    # -- calls --------------------------------------------------------------------------
    @cached_property
    def client(self) -> MetaStudioClient:
        transport = self.transport if isinstance(self.transport, httpx.BaseTransport) else None
        try:
            return MetaStudioClient(self.settings, transport=transport)
        except MetaStudioConfigError as exc:
            raise MetaStudioConfigFailure.from_error(exc) from None

    def get_conn(self) -> MetaStudioClient:
        return self.client

    def close(self) -> None:
        """Close the sync client's connections, if one was opened (the next call opens a new one)."""
        client = self.__dict__.pop("client", None)
        if client is not None:
            client.close()

    def __enter__(self) -> MetaStudioHook:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def call(self, api: str, path_params: Params = None, query: Params = None, body: Params = None) -> dict:
        """Call a catalog API by its SDK name (e.g. ``"CreateDigitalAsset"``); return the parsed JSON.

        A permanent error (a 4xx other than 429) is raised as ``MetaStudioPermanentError``: Airflow
        does not retry it. Transient ones (5xx, 429, network) were already retried with backoff.
        """
        with permanent_errors():
            return self.client.call(api, path_params, query, body)

    def find_existing(self, api: str, body: Params, *, identity: str | None = None) -> dict | None:
        """The resource an earlier create of ``body`` made (catalog ``dedupe`` rule), or None.

        Only a resource carrying the identity token (``identity``, or the one already in ``body``) is
        found, for every resource whose rule has an identity field: never one with the same name alone.
        """
        with permanent_errors():
            return self.client.find_existing(api, with_identity(api, body, identity))

    def create_or_resume(self, api: str, body: Mapping[str, Any], *, identity: str | None = None,
                         look: bool = True, resume: Resume | None = None, path_params: Params = None,
                         query: Params = None) -> dict:
        """Create ``body`` carrying the ``identity`` token, or carry on with what an earlier create with
        that token made: the one way every operator creates something exactly once.

        ``identity`` is a token from ``identity_token(...)``: the run identity of a task instance, or
        whatever must map to exactly one resource (e.g. dag id, logical date and manifest row id).
        ``look``: look for an earlier resource first (a retried try, a re-run); a first try passes False,
        as nothing can exist yet. Whether it looked or not, a create whose answer was lost is resolved by
        the client looking for it (``client.duplicates.Lookup``): both ways end in ``resume``.

        ``resume(found)`` brings a found resource on from the state it is in (uploads what it never got,
        sends the command it never got) and returns it, or returns None when it cannot be carried on
        with (it deleted it): then it is made again. Without ``resume``, a found resource is carried on
        with unless it failed, was cancelled or blocked. A found resource has ``found_existing: true``.
        """
        body = with_identity(api, body, identity)
        carry_on = resume or _reusable
        if look and (found := self.find_existing(api, body)) is not None:
            if (resumed := carry_on({**found, "found_existing": True})) is not None:
                return resumed
        made = self.call(api, path_params, query, body)
        if made.get("found_existing"):  # the create's answer was lost; the client found what it made
            if (resumed := carry_on(made)) is not None:
                return resumed
            made = self.call(api, path_params, query, body)
        return made

    async def acall(self, api: str, path_params: Params = None, query: Params = None, body: Params = None) -> dict:
        """The asyncio twin of ``call``, for triggers."""
        if self._async_client is None:
            conn: Any
            try:
                conn = await self.aget_connection(self.metastudio_conn_id)
            except AirflowNotFoundException:
                conn = await asyncio.to_thread(_connection_outside_a_task, self.metastudio_conn_id)
                if conn is None:
                    raise self._no_connection() from None
            with permanent_errors():
                transport = self.transport if isinstance(self.transport, httpx.AsyncBaseTransport) else None
                self._async_client = AsyncMetaStudioClient(
                    self.settings_from_connection(conn, self.region_override), transport=transport)
        with permanent_errors():
            return await self._async_client.call(api, path_params, query, body)

    async def aclose(self) -> None:
        if self._async_client is not None:
            await self._async_client.aclose()
            self._async_client = None

    def test_connection(self) -> tuple[bool, str]:
        """List one asset: proves the endpoint, the signature and the project id."""
        try:
            result = self.call("ListAssets", query={"limit": 1})
        except Exception as exc:  # the UI shows the message; it never holds the SK
            return False, str(exc)
        return True, f"Connected to MetaStudio {self.region}: {result.get('count', 0)} asset(s) visible"

    # -- typed conveniences -------------------------------------------------------------
    def show_asset(self, asset_id: str) -> dict:
        return self.call("ShowAsset", {"asset_id": asset_id})

    def list_assets(self, **filters: Any) -> dict:
        return self.call("ListAssets", query=filters)

    def system_asset_id(self, asset_type: str) -> str:
        """The first SYSTEM asset of ``asset_type`` (HUMAN_MODEL_2D, VOICE_MODEL) the tenant may use."""
        assets = self.list_assets(asset_type=asset_type, asset_source="SYSTEM", asset_state=ASSET_ACTIVE,
                                  limit=1)
        if not assets.get("assets"):
            raise ValueError(f"no SYSTEM {asset_type} asset is available in {self.region}")
        return assets["assets"][0]["asset_id"]

    def show_video_job(self, job_id: str) -> dict:
        return self.call("Show2DDigitalHumanVideo", {"job_id": job_id})

    def show_live_job(self, room_id: str, job_id: str) -> dict:
        return self.call("ShowSmartLive", {"room_id": room_id, "job_id": job_id})

    def upload_asset(
        self,
        *,
        asset_name: str,
        file_name: str,
        content: bytes,
        asset_type: str = "IMAGE",
        reuse_existing: bool = False,
        identity: str | None = None,
        **asset_fields: Any,
    ) -> str:
        """Create an asset and upload its MAIN file: CreateDigitalAsset → CreateFile → PUT → ConfirmFileUpload.

        The name and the file are checked first (``checks.uploads.check_upload``), so a bad one creates nothing.
        Returns the ``asset_id``; the asset turns ACTIVED shortly after (wait with the asset sensor).
        With ``reuse_existing`` (a retried task), the asset carrying the same ``identity`` token that
        an earlier try created is carried on with, and a finished upload is not repeated. If the
        upload fails for good half-way, the new asset is deleted so the next try starts clean.
        """
        asset_name = check_name(asset_name, "asset_name")
        check_upload(file_name, content, asset_type)
        asset = self.create_or_resume(
            "CreateDigitalAsset", {"asset_name": asset_name, "asset_type": asset_type, **asset_fields},
            identity=identity, look=reuse_existing,
            # deleted after a failed upload (or frozen): make a new one; else the upload below carries on
            resume=lambda found: None if found.get("asset_state") in UNUSABLE_ASSET_STATES else found)
        asset_id = asset["asset_id"]
        try:
            self._upload_main_file(asset_id, file_name, content)
        except Exception as exc:
            if getattr(exc, "retryable", False):
                raise  # transient: the asset stays, and a retry (same identity) carries on with it
            self._delete_half_made(asset_id, exc)
            raise
        return asset_id

    def _upload_main_file(self, asset_id: str, file_name: str, content: bytes) -> None:
        asset_files = self.show_asset(asset_id).get("files") or []
        main = next((f for f in asset_files if f.get("asset_file_category") == "MAIN"), None)
        if main and main.get("state") in ("CREATED", "UPLOADED", "REVIEW"):
            return  # an earlier try finished the upload
        if main:  # an earlier try stopped half-way: start the file again
            self.call("DeleteFile", {"file_id": main["file_id"]})
        md5 = signing.content_md5(content)
        created = self.call(
            "CreateFile",
            body={
                "file_name": file_name,
                "file_md5": md5,
                "file_size": len(content),
                "file_type": files.file_type(file_name),
                "asset_id": asset_id,
                "asset_file_category": "MAIN",
            },
        )
        self.client.upload(created["upload_url"], content, content_md5=md5, content_type=files.content_type(file_name))
        self.call("ConfirmFileUpload", {"file_id": created["file_id"]}, body={"state": "CREATED"})

    def _delete_half_made(self, asset_id: str, cause: Exception) -> None:
        """Delete an asset whose upload failed for good; log (never raise) if even that fails."""
        try:
            self.call("DeleteAsset", {"asset_id": asset_id})
            self.log.warning("Upload to asset %s failed for good (%s): deleted the asset", asset_id, cause)
        except Exception as exc:
            self.log.error("Upload to asset %s failed (%s) and deleting it failed too (%s): delete it by hand",
                           asset_id, cause, exc)


def _reusable(found: dict[str, Any]) -> dict[str, Any] | None:
    """The default ``resume``: carry on with a found resource unless it failed, was cancelled or blocked."""
    return None if found.get("state") in NOT_REUSABLE else found


def with_identity(api: str, body: Params, identity: str | None) -> dict[str, Any]:
    """``body`` with ``identity`` in the field the API's dedupe rule reads (unchanged without either)."""
    rule = get_api(api).dedupe
    if identity is None or rule is None or rule.identity is None:
        return dict(body or {})
    return with_token(dict(body or {}), rule.identity, identity)


def _in_task_context() -> bool:
    """True where Airflow's Task SDK serves connections through the API server: a task, a trigger in the
    triggerer, a DAG file being parsed (their supervisor set ``SUPERVISOR_COMMS``, or the triggerer marked
    its runner a ``client``). No reading of the metadata database there."""
    if os.environ.get("_AIRFLOW_PROCESS_CONTEXT") == "client":
        return True
    task_runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    return getattr(task_runner, "SUPERVISOR_COMMS", None) is not None


def _connection_outside_a_task(conn_id: str) -> Any | None:
    """The connection ``conn_id`` as ``airflow connections get`` finds it, outside a task; else None.

    Outside a task (the ``metastudio`` command, a script, a shell) and outside Airflow's servers, the Task
    SDK's lookup (``BaseHook.get_connection``) reads only environment variables and external secrets
    backends, never Airflow's database, where the UI, ``airflow connections add`` and ``make demo`` store
    connections. ``airflow.models.Connection.get_connection_from_secrets`` reads every backend, the
    database included (it needs airflow-core, absent on a Task-SDK-only worker: then None).
    """
    if _in_task_context():
        return None
    try:
        from airflow.models.connection import Connection
    except ImportError:
        return None
    try:
        return Connection.get_connection_from_secrets(conn_id)
    except AirflowNotFoundException:  # the Task SDK's class: airflow.exceptions re-exports it
        return None


def _configured_storage() -> str:
    return option("rate_limit_storage", "memory://")


def _extras(conn: Any) -> dict[str, Any]:
    """The connection's extra as a dict; a malformed one says so (Airflow would silently read it as {})."""
    raw = conn.extra
    if raw in (None, ""):
        return {}
    if isinstance(raw, dict):
        return raw
    try:
        extras = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MetaStudioConfigFailure("extra", f"is not valid JSON ({exc.msg} at line {exc.lineno} column "
                                      f"{exc.colno}): fix the connection's extra") from None
    if not isinstance(extras, dict):
        raise MetaStudioConfigFailure("extra", f"must be a JSON object, not {type(extras).__name__}")
    return extras


__all__ = ["CONN_TYPE", "MetaStudioConfigFailure", "MetaStudioHook", "MetaStudioPermanentError", "identity_token",
           "with_identity"]
