"""One operator per catalog API, generated: ``CreateDigitalAssetOperator``, ``StartSmartLiveOperator``, ...

Each takes templated ``path_params``, ``query`` and ``body``, returns the JSON response (its
XCom ``return_value``) and pushes each top-level resource id (``asset_id``, ``job_id``, ...)
as its own XCom key. Its default pool is its API's pool in its region.
"""

from __future__ import annotations

from typing import Any

from metastudio_provider.catalog import Api, all_apis, get_api
from metastudio_provider.hooks.metastudio import with_identity
from metastudio_provider.operators.base import MetaStudioBaseOperator, run_identity


class MetaStudioApiOperator(MetaStudioBaseOperator):
    """Call one MetaStudio API.

    :param api: the API's SDK name (set by each generated subclass).
    :param path_params: e.g. ``{"asset_id": "..."}`` (``project_id`` comes from the connection).
    :param query: query parameters; lists are sent as repeated keys.
    :param body: the JSON request body.
    """

    template_fields = ("path_params", "query", "body")
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
        return get_api(self.api_name)

    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        result = None
        body = self.body
        if self.api.dedupe and isinstance(body, dict):  # the create carries this task instance's identity
            body = with_identity(self.api_name, body, run_identity(context))
        if self.api.dedupe and ti.try_number > 1:  # a retried create carries on with what it made before
            result = self.hook.find_existing(self.api_name, body)
        if result is None:
            result = self.hook.call(self.api_name, self.path_params, self.query, body)
        for key in self.api.top_level_ids:
            if key in result:
                ti.xcom_push(key=key, value=result[key])
        return result


def _operator_class(api: Api) -> type[MetaStudioApiOperator]:
    doc = (
        f"{api.title} ({api.category}): ``{api.method} {api.path}``.\n\n"
        f"Path parameters: {', '.join(api.resource_params) or 'none'}. "
        f"Query: {', '.join(api.query_params) or 'none'}. "
        f"Body: {api.body_model or 'none'}{' (required: ' + ', '.join(api.body_required) + ')' if api.body_required else ''}. "
        f"Ids pushed to XCom: {', '.join(api.top_level_ids) or 'none'}."
    )
    return type(f"{api.name}Operator", (MetaStudioApiOperator,), {"api_name": api.name, "__doc__": doc, "__module__": __name__})


API_OPERATORS: dict[str, type[MetaStudioApiOperator]] = {name: _operator_class(api) for name, api in all_apis().items()}
globals().update({cls.__name__: cls for cls in API_OPERATORS.values()})

__all__ = ["API_OPERATORS", "MetaStudioApiOperator", *(cls.__name__ for cls in API_OPERATORS.values())]
