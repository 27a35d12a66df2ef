"""``s3://`` for Airflow's ObjectStoragePath through fsspec's s3fs, for any S3-compatible store: Huawei OBS,
AWS S3, MinIO (registered in the provider info's ``filesystems``; Airflow asks ``get_fs(conn_id, options)``).

The Airflow connection (type ``aws`` or ``generic``; ``ObjectStoragePath("s3://bucket/x", conn_id=...)`` or
``s3://<conn_id>@bucket/x``) gives: login = access key, password = secret key (else extra
``aws_access_key_id`` / ``aws_secret_access_key``), extra ``endpoint_url`` (or the Amazon provider's
``service_config.s3.endpoint_url``, or the connection's host) and ``region_name``; extra
``addressing_style`` (default ``path`` with an endpoint: MinIO and moto need it; OBS takes both) and
``max_attempts`` (botocore's retries of one request; the delivery retries a whole copy). Without a
connection, s3fs finds credentials as boto does (environment, ``~/.aws``). The secret is registered with
Airflow's secret masker and is never part of an error or a log line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem  # type: ignore[import-untyped]

schemes = ["s3", "s3a"]


def connection_options(conn: Any) -> dict[str, Any]:
    """S3FileSystem's options from an Airflow connection (see the module's docstring)."""
    extra = dict(conn.extra_dejson or {})
    key = conn.login or extra.get("aws_access_key_id")
    secret = conn.password or extra.get("aws_secret_access_key")
    endpoint = (
        extra.get("endpoint_url")
        or ((extra.get("service_config") or {}).get("s3") or {}).get("endpoint_url")
        or (f"{conn.schema or 'https'}://{conn.host}{f':{conn.port}' if conn.port else ''}" if conn.host else None)
    )
    if secret:
        try:
            from airflow.sdk.log import mask_secret

            mask_secret(secret)
        except ImportError:  # pragma: no cover - older Task SDK
            pass
    client_kwargs = {k: v for k, v in {"endpoint_url": endpoint, "region_name": extra.get("region_name")}.items() if v}
    style = extra.get("addressing_style") or ("path" if endpoint else None)
    options: dict[str, Any] = {"client_kwargs": client_kwargs}
    if key or secret:
        options.update(key=key, secret=secret)
    config: dict[str, Any] = {"s3": {"addressing_style": style}} if style else {}
    if attempts := extra.get("max_attempts"):  # botocore's own retries of one request
        config["retries"] = {"max_attempts": int(attempts), "mode": "standard"}
    if config:
        options["config_kwargs"] = config
    return options


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> AbstractFileSystem:
    """An S3FileSystem for ``conn_id`` (Airflow's filesystem factory signature)."""
    try:
        from s3fs import S3FileSystem  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError("s3:// paths need s3fs: pip install 'airflow-provider-metastudio[s3]'") from None
    options: dict[str, Any] = {}
    if conn_id:
        from airflow.sdk import BaseHook

        options = connection_options(BaseHook.get_connection(conn_id))
    options.update(storage_options or {})
    options.setdefault("skip_instance_cache", True)  # one connection's credentials never serve another's path
    return S3FileSystem(**options)
