"""Upload an asset and wait until MetaStudio has it ACTIVED."""

from __future__ import annotations

from typing import Any

from metastudio_provider.operators.base import entry_point, run_identity
from metastudio_provider.operators.workflow import WorkflowOperator, deterministic_name, read_source
from metastudio_provider.utils.waiting import event_result


class UploadAssetOperator(WorkflowOperator):
    """Upload a local file or ``ObjectStoragePath`` as a MetaStudio asset and wait until it is ACTIVED.

    :param source: the file.
    :param asset_name: default: deterministic per task instance.
    :param asset_type: IMAGE, VIDEO, AUDIO, ...
    :param asset_fields: more CreateDigitalAsset fields (tags, system_properties, ...).
    Returns and pushes ``asset_id``.
    """

    template_fields = ("source", "asset_name", "asset_type", "asset_fields", "metastudio_conn_id")
    api_name = "CreateDigitalAsset"

    def __init__(self, *, source: Any, asset_name: str | None = None, asset_type: str = "IMAGE",
                 asset_fields: dict[str, Any] | None = None, wait_for_active: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.asset_name = asset_name
        self.asset_type = asset_type
        self.asset_fields = asset_fields or {}
        self.wait_for_active = wait_for_active

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        file_name, content = read_source(self.source)
        asset_id = self.hook.upload_asset(
            asset_name=self.asset_name or deterministic_name(context, "asset"),
            file_name=file_name,
            content=content,
            asset_type=self.asset_type,
            reuse_existing=self._retrying(context),
            identity=run_identity(context),
            **self.asset_fields,
        )
        self.log.info("Uploaded %s as asset %s", file_name, asset_id)
        context["ti"].xcom_push(key="asset_id", value=asset_id)
        self._link(context, "asset", {"asset_id": asset_id})
        if not self.wait_for_active:
            return {"asset_id": asset_id}
        event = self._wait("asset", {"asset_id": asset_id})
        return self.execute_complete(context, event)

    @entry_point
    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {"asset_id": response["asset_id"], "asset_state": response["asset_state"]}
