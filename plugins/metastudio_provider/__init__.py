"""Apache Airflow provider for Huawei Cloud MetaStudio (virtual-human videos and AI livestreams)."""

from __future__ import annotations

from typing import Any

from metastudio_provider.catalog import REGIONS

__version__ = "0.1.0"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata read by Airflow through the ``apache_airflow_provider`` entry point."""
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
        "hooks": [{"integration-name": "Huawei Cloud MetaStudio", "python-modules": ["metastudio_provider.hooks.metastudio"]}],
        "operators": [
            {
                "integration-name": "Huawei Cloud MetaStudio",
                "python-modules": ["metastudio_provider.operators.api", "metastudio_provider.operators.workflows"],
            }
        ],
        "sensors": [
            {"integration-name": "Huawei Cloud MetaStudio", "python-modules": ["metastudio_provider.sensors.metastudio"]}
        ],
        "triggers": [
            {"integration-name": "Huawei Cloud MetaStudio", "python-modules": ["metastudio_provider.triggers.metastudio"]}
        ],
        "extra-links": ["metastudio_provider.links.MetaStudioConsoleLink"],
        "config": {
            "metastudio": {
                "description": "Huawei Cloud MetaStudio provider settings.",
                "options": {
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
                },
            }
        },
        "connection-types": [
            {
                "connection-type": "metastudio",
                "hook-class-name": "metastudio_provider.hooks.metastudio.MetaStudioHook",
                "hook-name": "Huawei Cloud MetaStudio",
                "conn-fields": {
                    "region": {
                        "label": "Region",
                        "schema": {"type": ["string", "null"], "enum": list(REGIONS), "default": REGIONS[0]},
                    },
                    "project_id": {"label": "Project ID", "schema": {"type": ["string", "null"]}},
                    "endpoint": {
                        "label": "Endpoint override",
                        "description": "Base URL, e.g. the local emulator http://127.0.0.1:8765",
                        "schema": {"type": ["string", "null"]},
                    },
                    "app_user_id": {"label": "X-App-UserId", "schema": {"type": ["string", "null"]}},
                    "rate_limit_storage": {
                        "label": "Rate-limit storage",
                        "description": "memory:// (per process) or redis://host:6379/0 (shared by all workers)",
                        "schema": {"type": ["string", "null"]},
                    },
                },
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "host", "extra"],
                    "relabeling": {"login": "Access Key (AK)", "password": "Secret Key (SK)"},
                    "placeholders": {"login": "AK", "password": "SK"},
                },
            }
        ],
    }
