"""The catalog of the 66 throttled MetaStudio APIs: the project's single source of truth.

The data lives in ``apis.json`` beside this module (one object per API, matched to the
official SDK ``huaweicloudsdkmetastudio`` 3.1.219). Hook calls, operators, pools, emulator
routes and docs are all derived from it; nothing here is typed per API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

REGIONS: tuple[str, ...] = ("cn-north-4", "cn-east-3", "ap-southeast-3")
"""Region ids of the throttling table's columns: CN North-Beijing4, CN East-Shanghai1, AP-Singapore."""

DEFAULT_REGION = "cn-north-4"

_NON_IDEMPOTENT_ACTIONS = frozenset({"ExecuteSmartLiveCommand", "LiveEventReport"})
_PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Dedupe:
    """How to find what a non-idempotent create made (its response was lost, or a task is retried).

    ``query`` maps a query parameter of the ``list`` API to a dotted path in the create's
    body (or to ``=literal``); ``match`` is the dotted path that must be equal in the body
    and in an item of ``items``. ``identity`` is the field (stored and listed back by MetaStudio)
    that carries the creator's identity token (``client.identity``): when set, only an item
    carrying the body's token is a match, never one with the same name alone. A resource with
    no such field (video jobs: identified by their script, rule libraries: shared definitions)
    matches on ``match`` and the query.
    """

    list: str
    query: Mapping[str, str]
    items: str
    match: str
    identity: str | None = None


@dataclass(frozen=True)
class Api:
    """One MetaStudio API as the throttling table and the SDK describe it."""

    name: str
    title: str
    category: str
    method: str
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    headers: tuple[str, ...]
    body_model: str | None
    body_required: tuple[str, ...]
    xcom_fields: tuple[str, ...]
    """Response fields worth an XCom key of their own: ids, states, counts, errors, upload URLs (dotted
    paths; ``[]`` marks a list). Only the top-level ones are pushed (``top_level_xcom_fields``)."""
    limits: Mapping[str, int]
    dedupe: Dedupe | None = None
    resource_params: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "resource_params", tuple(p for p in self.path_params if p != "project_id")
        )

    @property
    def has_body(self) -> bool:
        return self.body_model is not None

    @property
    def is_read_only(self) -> bool:
        """A GET, or a POST that only queries (ListAssetSummary)."""
        return self.method == "GET" or self.name == "ListAssetSummary"

    @property
    def creates(self) -> bool:
        """A POST that makes something new: re-sending it after a lost response could duplicate it."""
        return self.method == "POST" and (
            self.name.startswith(("Create", "Start", "Copy")) or self.name in _NON_IDEMPOTENT_ACTIONS
        )

    @property
    def top_level_xcom_fields(self) -> tuple[str, ...]:
        """The ``xcom_fields`` that are plain top-level fields (``job_id``, not ``jobs[].job_id``): each API
        operator pushes these under their own XCom keys."""
        return tuple(name for name in self.xcom_fields if re.fullmatch(r"\w+", name))

    def limit(self, region: str) -> int:
        try:
            return self.limits[region]
        except KeyError:
            raise ValueError(f"unknown region {region!r}; expected one of {', '.join(REGIONS)}") from None

    def format_path(self, project_id: str, path_params: Mapping[str, Any] | None = None) -> str:
        """Fill the URI template; every placeholder but ``project_id`` must be given."""
        from urllib.parse import quote

        values = {"project_id": project_id, **(path_params or {})}
        missing = [p for p in self.path_params if values.get(p) in (None, "")]
        if missing:
            raise ValueError(f"{self.name}: missing path parameter(s) {', '.join(missing)}")
        return _PLACEHOLDER.sub(lambda m: quote(str(values[m.group(1)]), safe=""), self.path)


def _load() -> dict[str, Api]:
    raw = json.loads(resources.files(__package__).joinpath("apis.json").read_text("utf-8"))
    apis: dict[str, Api] = {}
    for item in raw:
        dedupe = item.pop("dedupe", None)
        api = Api(
            name=item["name"],
            title=item["title"],
            category=item["category"],
            method=item["method"],
            path=item["path"],
            path_params=tuple(item["path_params"]),
            query_params=tuple(item["query_params"]),
            headers=tuple(item["headers"]),
            body_model=item["body_model"],
            body_required=tuple(item["body_required"]),
            xcom_fields=tuple(item["xcom_fields"]),
            limits=MappingProxyType(dict(item["limits"])),
            dedupe=Dedupe(**{**dedupe, "query": MappingProxyType(dedupe["query"])}) if dedupe else None,
        )
        apis[api.name] = api
    return apis


@cache
def all_apis() -> Mapping[str, Api]:
    """All 66 APIs by SDK operation name, in the throttling table's order."""
    return MappingProxyType(_load())


def get_api(name: str) -> Api:
    """The API called ``name`` (its SDK operation name, e.g. ``CreateDigitalAsset``)."""
    try:
        return all_apis()[name]
    except KeyError:
        raise KeyError(f"unknown MetaStudio API {name!r}") from None


def pool_name(api: str | Api, region: str) -> str:
    """The Airflow pool that bounds ``api`` in ``region``: one naming rule for operators and pools."""
    name = api.name if isinstance(api, Api) else get_api(api).name
    return f"metastudio_{region}_{name}"


def get_path(data: Any, dotted: str) -> Any:
    """``data["a"]["b"]`` for ``"a.b"``; None where any step is missing."""
    for part in dotted.split("."):
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data


__all__ = ["REGIONS", "DEFAULT_REGION", "Api", "Dedupe", "all_apis", "get_api", "get_path", "pool_name"]
