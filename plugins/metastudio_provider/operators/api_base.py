"""The hand-written base of the generated API operators (``operators/api.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias

from airflow.sdk import XComArg

from metastudio_provider.catalog import Api, get_api
from metastudio_provider.operators.base import MetaStudioBaseOperator, entry_point, run_identity

PathParam: TypeAlias = str | XComArg | None
"""A path parameter given by name: a string (templated) or an upstream task's ``XComArg``."""


def merge_path_params(path_params: Mapping[str, Any] | None, named: Mapping[str, PathParam]) -> dict[str, Any] | None:
    """``path_params`` with the path parameters given by name added; the same one given both ways is an error."""
    given = {key: value for key, value in named.items() if value is not None}
    both = sorted(key for key in given if key in (path_params or {}))
    if both:
        raise ValueError(f"give {', '.join(both)} by name or in path_params, not both")
    if path_params is None and not given:
        return None
    return {**(path_params or {}), **given}


class MetaStudioApiOperator(MetaStudioBaseOperator):
    """Call one MetaStudio API.

    :param api: the API's SDK name (set by each generated subclass).
    :param path_params: e.g. ``{"asset_id": "..."}`` (``project_id`` comes from the connection); the
        generated subclasses also take each path parameter by name (``asset_id=...``).
    :param query: query parameters; lists are sent as repeated keys.
    :param body: the JSON request body.
    """

    template_fields = ("path_params", "query", "body", "metastudio_conn_id")
    template_fields_renderers = {"path_params": "json", "query": "json", "body": "json"}
    ui_color = "#e8f1ff"

    def __init__(
        self,
        *,
        api: str | None = None,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if api is not None:
            self.api_name = get_api(api).name
        if not self.api_name:
            raise ValueError("MetaStudioApiOperator needs api=<one of the catalog's API names>")
        super().__init__(**kwargs)
        self.path_params = path_params
        self.query = query
        self.body = body

    @property
    def api(self) -> Api:
        if not self.api_name:
            raise ValueError(f"{type(self).__name__} has no api_name")
        return get_api(self.api_name)

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        api = self.api
        if api.dedupe and isinstance(self.body, dict):
            # the create carries this task instance's identity; a retried try carries on with what it made
            result = self.hook.create_or_resume(api.name, self.body, identity=run_identity(context),
                                                look=ti.try_number > 1, path_params=self.path_params,
                                                query=self.query)
        else:
            result = self.hook.call(api.name, self.path_params, self.query, self.body)
        for key in api.top_level_xcom_fields:
            if key in result:
                ti.xcom_push(key=key, value=result[key])
        return result


__all__ = ["MetaStudioApiOperator", "PathParam", "merge_path_params"]
