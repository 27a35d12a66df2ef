"""Apache Airflow provider for Huawei Cloud MetaStudio (virtual-human videos and AI livestreams)."""

from __future__ import annotations

from typing import Any

from metastudio_provider.catalog import DEFAULT_REGION, REGIONS

__version__ = "0.1.0"

REGION_NAMES = {"cn-north-4": "CN North-Beijing4", "cn-east-3": "CN East-Shanghai1", "ap-southeast-3": "AP-Singapore"}

# Connection extras the hook reads (hooks/metastudio.py ``settings_from_connection``): label, JSON schema,
# help text and the placeholder the form shows. Airflow 3.3's React form shows ``description`` under a field
# and offers ``examples`` as suggestions; ``ui-field-behaviour`` placeholders reach the standard fields.
_FIELDS: dict[str, dict[str, Any]] = {
    "region": {
        "label": "Region",
        "schema": {
            "type": ["string", "null"],
            "enum": list(REGIONS),
            "values_display": {r: f"{REGION_NAMES[r]} ({r})" for r in REGIONS},
            "default": DEFAULT_REGION,
        },
        "description": "The MetaStudio region: picks the endpoint and the API rate limits.",
        "placeholder": DEFAULT_REGION,
    },
    "project_id": {
        "label": "Project ID",
        "schema": {"type": ["string", "null"], "pattern": "^[0-9a-f]{32}$"},
        "description": "The project of that region (console: My Credentials ▸ API Credentials), 32 hex digits.",
        "placeholder": "0123456789abcdef0123456789abcdef",
    },
    "endpoint": {
        "label": "Endpoint",
        "schema": {
            "type": ["string", "null"],
            "examples": ["http://127.0.0.1:8765", *(f"https://metastudio.{r}.myhuaweicloud.com" for r in REGIONS)],
        },
        "description": "Empty: https://metastudio.<region>.myhuaweicloud.com. "
        "The local emulator (make emulator): http://127.0.0.1:8765.",
        "placeholder": "https://metastudio.cn-north-4.myhuaweicloud.com",
    },
    "app_user_id": {
        "label": "App user ID (X-App-UserId)",
        "schema": {"type": ["string", "null"]},
        "description": "Optional: sent as the X-App-UserId header, for calls made on behalf of your app's user.",
        "placeholder": "your-app-user-id",
    },
    "rate_limit_storage": {
        "label": "Rate-limit storage",
        "schema": {"type": ["string", "null"], "format": "password"},
        "description": "Where the client rate limiter counts calls: memory:// (per process) or "
        "redis://[:password@]host:6379/0 (shared by all workers). Empty: [metastudio] rate_limit_storage.",
        "placeholder": "redis://redis:6379/1",
    },
    "timeout": {
        "label": "Request timeout (seconds)",
        "schema": {"type": ["number", "null"], "exclusiveMinimum": 0},
        "description": "How long one HTTP request may take to connect, send or answer. Empty: 30.",
        "placeholder": "30",
    },
    "max_attempts": {
        "label": "Max attempts per call",
        "schema": {"type": ["integer", "null"], "minimum": 1},
        "description": "Tries of one call, the first included, on transient errors (5xx, 429, network). Empty: 6.",
        "placeholder": "6",
    },
    "max_backoff": {
        "label": "Longest wait between tries (seconds)",
        "schema": {"type": ["number", "null"], "exclusiveMinimum": 0},
        "description": "The backoff between two tries of a call grows (with jitter) up to this. Empty: 20.",
        "placeholder": "20",
    },
    "outage_seconds": {
        "label": "Ride out outages for (seconds)",
        "schema": {"type": ["number", "null"], "minimum": 0},
        "description": "While MetaStudio answers only 5xx or nothing, a call goes on trying this long (beyond "
        "Max attempts) before the task fails naming the outage. Empty: 300. 0: Max attempts alone.",
        "placeholder": "300",
    },
}
CONN_FIELDS: dict[str, dict[str, Any]] = {
    name: {k: v for k, v in spec.items() if k != "placeholder"} for name, spec in _FIELDS.items()
}


def _store_port_zero(mapper: Any, connection: Any, target: Any) -> None:
    """Before Airflow saves a ``metastudio`` connection without a port: store port 0.

    MetaStudio has no port (the endpoint is an extra). But Airflow 3.3.2's Test button (Admin ▸ Connections)
    posts ``port: Number(connection.port)``, which is 0 for a stored NULL, and ``POST /connections/test``
    refuses a port that differs from the stored one unless the request carries the credentials itself
    ("The host or port to test differs from the stored connection"; apache/airflow#73298, fixed after
    3.3.2). A stored 0 is what the button sends, so the check passes: it still compares the same fields,
    and a request naming another host or port is refused as before. The Add form cannot store it for the
    user (Airflow's ``ui-field-behaviour`` has no default value for the standard fields), nor can
    ``airflow connections add`` without ``--conn-port``, hence this.
    """
    if (mapper.class_.__module__ == "airflow.models.connection" and getattr(target, "conn_type", None) == "metastudio"
            and target.port is None):
        target.port = 0


def _register_port_zero() -> None:
    """Install ``_store_port_zero`` for every ORM save of this process (idempotent).

    Airflow calls ``get_provider_info`` when it discovers the providers, before anything saves a
    connection: the api-server (the UI's Add form, ``POST /connections``, bulk), and the ``airflow
    connections add`` / ``import`` commands. Listening on ``Mapper`` (all mapped classes) needs no import
    of Airflow's models here; the listener returns at once for anything but a connection.
    """
    from sqlalchemy import event
    from sqlalchemy.orm import Mapper

    for name in ("before_insert", "before_update"):
        if not event.contains(Mapper, name, _store_port_zero):
            event.listen(Mapper, name, _store_port_zero)


def get_provider_info() -> dict[str, Any]:
    """Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point."""
    _register_port_zero()
    return {
        "package-name": "airflow-provider-metastudio",
        "name": "Huawei Cloud MetaStudio",
        "description": "Virtual-human video production and AI livestreams on Huawei Cloud MetaStudio.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Huawei Cloud MetaStudio",
                "external-doc-url": "https://support.huaweicloud.com/intl/en-us/metastudio/index.html",
                "tags": ["service"],
            }
        ],
        "hooks": [
            {"integration-name": "Huawei Cloud MetaStudio", "python-modules": ["metastudio_provider.hooks.metastudio"]}
        ],
        "operators": [
            {
                "integration-name": "Huawei Cloud MetaStudio",
                "python-modules": ["metastudio_provider.operators.api", "metastudio_provider.operators.assets",
                                   "metastudio_provider.operators.videos", "metastudio_provider.livestream.rooms",
                                   "metastudio_provider.livestream.show", "metastudio_provider.livestream.start_stop",
                                   "metastudio_provider.operators.training", "metastudio_provider.operators.delivery"],
            }
        ],
        "sensors": [
            {"integration-name": "Huawei Cloud MetaStudio",
             "python-modules": ["metastudio_provider.sensors.metastudio"]}
        ],
        "triggers": [
            {"integration-name": "Huawei Cloud MetaStudio",
             "python-modules": ["metastudio_provider.triggers.metastudio", "metastudio_provider.livestream.watch"]}
        ],
        "extra-links": ["metastudio_provider.links.MetaStudioConsoleLink"],
        # metastudio://<region>/<project_id>/assets/<asset_id>: the videos the DAGs announce (assets/videos.py)
        "asset-uris": [
            {
                "schemes": ["metastudio"],
                "handler": "metastudio_provider.assets.videos.sanitize_uri",
                "factory": "metastudio_provider.assets.videos.create_asset",
            }
        ],
        # s3:// for Airflow's ObjectStoragePath (S3-compatible stores: OBS, AWS S3, MinIO) through s3fs: delivery.py
        "filesystems": ["metastudio_provider.fs.s3"],
        "config": {
            "metastudio": {
                "description": "Huawei Cloud MetaStudio provider settings.",
                "options": {
                    "delivery_uri": {
                        "description": "Where the video DAGs deliver their videos (an ObjectStoragePath URI, e.g. "
                        "s3://bucket/videos); the Variable metastudio_delivery_uri wins over it. Empty: the "
                        "checkout's include/deliveries.",
                        "version_added": "0.1.0", "type": "string", "example": "s3://videos/metastudio",
                        "default": "",
                    },
                    "delivery_conn_id": {
                        "description": "The Airflow connection of the delivery's store (an aws or generic connection: "
                        "login = access key, password = secret, extra endpoint_url); the Variable "
                        "metastudio_delivery_conn_id wins over it. Empty: none (local files, or s3fs's own "
                        "credentials).",
                        "version_added": "0.1.0", "type": "string", "example": "metastudio_s3", "default": "",
                    },
                    "batches_uri": {
                        "description": "The folder the backfill reads <date>.yaml/.csv/.jsonl manifests from (an "
                        "ObjectStoragePath URI); the Variable metastudio_batches_uri wins over it. Empty: the "
                        "checkout's include/batches.",
                        "version_added": "0.1.0", "type": "string", "example": "s3://batches/metastudio",
                        "default": "",
                    },
                    "batches_conn_id": {
                        "description": "The Airflow connection of the manifests' store; the Variable "
                        "metastudio_batches_conn_id wins over it. Empty: none.",
                        "version_added": "0.1.0", "type": "string", "example": "metastudio_s3", "default": "",
                    },
                    "default_region": {
                        "description": "Region used to pick a task's default pool when the task names none.",
                        "version_added": "0.1.0", "type": "string", "example": "cn-north-4", "default": "cn-north-4",
                    },
                    "rate_limit_storage": {
                        "description": "Storage of the client rate limiter shared by every task and trigger: "
                        "memory:// (per process) or redis://host:6379/0 (shared by all processes and hosts).",
                        "version_added": "0.1.0", "type": "string", "example": "redis://redis:6379/1",
                        "default": "memory://",
                    },
                    "limiter_fallback_share": {
                        "description": "While the limiter's Redis does not answer, each process paces each API in "
                        "memory at this share of its limit (0 < share <= 1), so that several processes stay within "
                        "it together; back on Redis when it answers (docs/limits.md).",
                        "version_added": "0.1.0", "type": "float", "example": "0.25", "default": "0.25",
                    },
                    "price_per_minute": {
                        "description": "Estimated price of one rendered video or livestream minute, in your "
                        "currency: the MetaStudio view (Airflow ▸ MetaStudio) turns the minutes of its Usage panel "
                        "into an estimated cost. Empty: no cost shown.",
                        "version_added": "0.1.0", "type": "float", "example": "0.5", "default": "",
                    },
                    "ui_conn_id": {
                        "description": "The connection the MetaStudio view lists jobs and reads limits with.",
                        "version_added": "0.1.0", "type": "string", "example": "metastudio_default",
                        "default": "metastudio_default",
                    },
                },
            }
        },
        "connection-types": [
            {
                "connection-type": "metastudio",
                "hook-class-name": "metastudio_provider.hooks.metastudio.MetaStudioHook",
                "hook-name": "Huawei Cloud MetaStudio",
                "conn-fields": CONN_FIELDS,
                "ui-field-behaviour": {
                    # `host` is covered by the Endpoint field; the extra JSON stays editable in its own section.
                    "hidden-fields": ["schema", "port", "host"],
                    "relabeling": {"login": "Access Key ID (AK)", "password": "Secret Access Key (SK)"},
                    "placeholders": {
                        "login": "AK from My Credentials ▸ Access Keys, e.g. HPUAXXXXXXXXXXXXXXXX",
                        "password": "SK paired with the AK (stored encrypted, never logged)",
                        **{name: spec["placeholder"] for name, spec in _FIELDS.items()},
                    },
                },
            }
        ],
    }
