"""Airflow pools generated from the catalog: one per API per region, slots = the API's per-second limit.

A pool bounds how many task instances calling an API run at once; the client limiter bounds
how many calls per second start. Both are needed: see the README.
"""

from __future__ import annotations

from typing import Any

from metastudio_provider.catalog import REGIONS, all_apis, pool_name


def pools(region: str) -> dict[str, dict[str, Any]]:
    """What ``airflow pools import`` takes, for every catalog API in ``region``."""
    if region not in REGIONS:
        raise ValueError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}")
    return {
        pool_name(api, region): {
            "slots": api.limit(region),
            "description": f"MetaStudio {api.name} ({api.title}) in {region}: "
            f"{api.limit(region)} request(s)/second per tenant",
            "include_deferred": False,
        }
        for api in all_apis().values()
    }
