# Generated from catalog/apis.json by `python -m metastudio_provider.catalog.codegen` (make generate): do not edit.
# Change the catalog or catalog/codegen.py and regenerate; tests/test_codegen.py fails while this file is stale.
"""One typed operator per catalog API: ``CreateDigitalAssetOperator``, ``StartSmartLiveOperator``, ...

Each takes its path parameters by name (``asset_id=...``, templated; ``project_id`` comes from the
connection), templated ``query`` and ``body``, and the arguments of ``MetaStudioApiOperator`` and
BaseOperator. It returns the JSON response (its XCom ``return_value``) and pushes each of its API's
top-level XCom fields (ids such as ``asset_id`` and ``job_id``, states, counts, upload URLs) under its
own XCom key. Its default pool is its API's pool in its region.
"""

from __future__ import annotations

from typing import Any

from airflow.sdk import XComArg

from metastudio_provider.operators.api_base import MetaStudioApiOperator, merge_path_params


class CreateDigitalAssetOperator(MetaStudioApiOperator):
    """Creating an Asset (Digital Asset Management).

    ``POST /v1/{project_id}/digital-assets``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateDigitalAssetRequestBody`` (required: ``asset_name``,
        ``asset_type``).

    XCom: the JSON response; also ``asset_id``, ``produce_id``, each under its own key.

    A retried try finds what its earlier try made (``ListAssets``) instead of creating it again; the task
    instance's identity token goes in ``tags``.
    """

    api_name = "CreateDigitalAsset"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListAssetsOperator(MetaStudioApiOperator):
    """Querying Assets (Digital Asset Management).

    ``GET /v1/{project_id}/digital-assets``

    :param query: query parameters: ``limit``, ``offset``, ``name``, ``tag``, ``tag_combination_type``,
        ``start_time``, ``end_time``, ``asset_type``, ``sort_key``, ``sort_dir``, ``asset_source``,
        ``asset_state``, ``style_id``, ``accurate_query_field``, ``asset_id``, ``sex``, ``language``,
        ``system_property``, ``action_editable``, ``is_with_action_library``, ``is_movable``,
        ``voice_provider``, ``role``, ``is_realtime_voice``, ``human_model_2d_version``,
        ``include_device_name``, ``exclude_device_name``, ``supported_service``, ``app_user_id``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListAssets"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class UpdateDigitalAssetOperator(MetaStudioApiOperator):
    """Updating an Asset (Digital Asset Management).

    ``PUT /v1/{project_id}/digital-assets/{asset_id}``

    :param asset_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``UpdateDigitalAssetRequestBody``.

    XCom: the JSON response; also ``asset_id``, ``asset_state``, each under its own key.
    """

    api_name = "UpdateDigitalAsset"

    def __init__(
        self,
        *,
        asset_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"asset_id": asset_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteAssetOperator(MetaStudioApiOperator):
    """Deleting an Asset (Digital Asset Management).

    ``DELETE /v1/{project_id}/digital-assets/{asset_id}``

    :param asset_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: ``mode``.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteAsset"

    def __init__(
        self,
        *,
        asset_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"asset_id": asset_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowAssetOperator(MetaStudioApiOperator):
    """Querying Asset Details (Digital Asset Management).

    ``GET /v1/{project_id}/digital-assets/{asset_id}``

    :param asset_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``asset_id``, ``asset_state``, each under its own key.
    """

    api_name = "ShowAsset"

    def __init__(
        self,
        *,
        asset_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"asset_id": asset_id})
        super().__init__(query=query, body=body, **kwargs)


class RestoreAssetOperator(MetaStudioApiOperator):
    """Restoring a Deleted Asset (Digital Asset Management).

    ``POST /v1/{project_id}/digital-assets/{asset_id}/restore``

    :param asset_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "RestoreAsset"

    def __init__(
        self,
        *,
        asset_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"asset_id": asset_id})
        super().__init__(query=query, body=body, **kwargs)


class BatchExecuteAssetActionOperator(MetaStudioApiOperator):
    """Batch Asset Operations (Digital Asset Management).

    ``POST /v1/{project_id}/digital-assets/batch-action``

    :param query: query parameters: none.
    :param body: the JSON body, model ``BatchAssetActionReq`` (required: ``action``, ``asset_ids``).

    XCom: the JSON response.
    """

    api_name = "BatchExecuteAssetAction"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListAssetSummaryOperator(MetaStudioApiOperator):
    """Querying Asset Summary (Digital Asset Management).

    ``POST /v1/{project_id}/digital-assets/summarys``

    :param query: query parameters: none.
    :param body: the JSON body, model ``ListAssetSummarysReq`` (required: ``asset_ids``).

    XCom: the JSON response.
    """

    api_name = "ListAssetSummary"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ShowAssetReplicationInfoOperator(MetaStudioApiOperator):
    """Querying Asset Copy Information (Digital Asset Management).

    ``GET /v1/{project_id}/digital-assets/{asset_id}/replication-info``

    :param asset_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``asset_id``, ``asset_info``, ``encryption_info``, ``expire_time``, each
    under its own key.
    """

    api_name = "ShowAssetReplicationInfo"

    def __init__(
        self,
        *,
        asset_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"asset_id": asset_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateAssetByReplicationInfoOperator(MetaStudioApiOperator):
    """Copying an Asset (Digital Asset Management).

    ``POST /v1/{project_id}/digital-assets-by-replication-info``

    :param query: query parameters: none.
    :param body: the JSON body, model ``ReplicationAssetInfo``.

    XCom: the JSON response.
    """

    api_name = "CreateAssetByReplicationInfo"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CreateFileOperator(MetaStudioApiOperator):
    """Creating a File and Obtaining the URL for File Upload (File Management).

    ``POST /v1/{project_id}/files``

    :param query: query parameters: none.
    :param body: the JSON body, model ``FilesCreateReq`` (required: ``file_name``, ``file_md5``,
        ``file_size``, ``file_type``, ``asset_id``, ``asset_file_category``).

    XCom: the JSON response; also ``file_id``, ``upload_url``, each under its own key.
    """

    api_name = "CreateFile"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class DeleteFileOperator(MetaStudioApiOperator):
    """Deleting a File (File Management).

    ``DELETE /v1/{project_id}/files/{file_id}``

    :param file_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteFile"

    def __init__(
        self,
        *,
        file_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"file_id": file_id})
        super().__init__(query=query, body=body, **kwargs)


class ConfirmFileUploadOperator(MetaStudioApiOperator):
    """Confirming the Upload of a File (File Management).

    ``POST /v1/{project_id}/files/{file_id}/complete``

    :param file_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``ConfirmFileUploadRequestBody`` (required: ``state``).

    XCom: the JSON response.
    """

    api_name = "ConfirmFileUpload"

    def __init__(
        self,
        *,
        file_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"file_id": file_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateLargeFileOperator(MetaStudioApiOperator):
    """Creating a Large File (File Management).

    ``POST /v1/{project_id}/large-files``

    :param query: query parameters: none.
    :param body: the JSON body, model ``LargeFilesCreateReq`` (required: ``file_name``, ``file_type``,
        ``asset_id``, ``asset_file_category``).

    XCom: the JSON response; also ``file_id``, each under its own key.
    """

    api_name = "CreateLargeFile"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CreateVideoScriptsOperator(MetaStudioApiOperator):
    """Creating a Video Script (Video Script Management).

    ``POST /v1/{project_id}/digital-human-video-scripts``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateVideoScriptsReq``.

    XCom: the JSON response; also ``script_id``, each under its own key.

    A retried try finds what its earlier try made (``ListVideoScripts``) instead of creating it again; the
    task instance's identity token goes in ``script_description``.
    """

    api_name = "CreateVideoScripts"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListVideoScriptsOperator(MetaStudioApiOperator):
    """Querying Video Scripts (Video Script Management).

    ``GET /v1/{project_id}/digital-human-video-scripts``

    :param query: query parameters: ``offset``, ``limit``, ``name``, ``script_catalog``, ``view_mode``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListVideoScripts"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ShowVideoScriptOperator(MetaStudioApiOperator):
    """Querying Video Script Details (Video Script Management).

    ``GET /v1/{project_id}/digital-human-video-scripts/{script_id}``

    :param script_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``script_id``, ``model_asset_id``, each under its own key.
    """

    api_name = "ShowVideoScript"

    def __init__(
        self,
        *,
        script_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"script_id": script_id})
        super().__init__(query=query, body=body, **kwargs)


class UpdateVideoScriptOperator(MetaStudioApiOperator):
    """Updating a Video Script (Video Script Management).

    ``PUT /v1/{project_id}/digital-human-video-scripts/{script_id}``

    :param script_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``UpdateVideoScriptsReq``.

    XCom: the JSON response; also ``script_id``, each under its own key.
    """

    api_name = "UpdateVideoScript"

    def __init__(
        self,
        *,
        script_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"script_id": script_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteVideoScriptOperator(MetaStudioApiOperator):
    """Deleting a Video Script (Video Script Management).

    ``DELETE /v1/{project_id}/digital-human-video-scripts/{script_id}``

    :param script_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteVideoScript"

    def __init__(
        self,
        *,
        script_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"script_id": script_id})
        super().__init__(query=query, body=body, **kwargs)


class CopyVideoScriptsOperator(MetaStudioApiOperator):
    """Copying a Video Script (Video Script Management).

    ``POST /v1/{project_id}/digital-human-video-scripts/{script_id}/copy``

    :param script_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``script_id``, each under its own key.
    """

    api_name = "CopyVideoScripts"

    def __init__(
        self,
        *,
        script_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"script_id": script_id})
        super().__init__(query=query, body=body, **kwargs)


class ListDigitalHumanVideoOperator(MetaStudioApiOperator):
    """Querying Video Production Tasks (Virtual Human Video Production Management).

    ``GET /v1/{project_id}/digital-human-videos``

    :param query: query parameters: ``offset``, ``limit``, ``state``, ``sort_key``, ``sort_dir``,
        ``create_until``, ``create_since``, ``fuzzy_query_field``, ``script_id``, ``asset_name``,
        ``job_type``, ``job_id``, ``job_ids``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListDigitalHumanVideo"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class Create2DDigitalHumanVideoOperator(MetaStudioApiOperator):
    """Creating a Virtual Avatar Video Production Task (Virtual Avatar Video Production Management).

    ``POST /v1/{project_id}/2d-digital-human-videos``

    :param query: query parameters: none.
    :param body: the JSON body, model ``Create2DDigitalHumanVideoReq``.

    XCom: the JSON response; also ``job_id``, each under its own key.

    A retried try finds what its earlier try made (``ListDigitalHumanVideo``) instead of creating it again.
    """

    api_name = "Create2DDigitalHumanVideo"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class Show2DDigitalHumanVideoOperator(MetaStudioApiOperator):
    """Querying Virtual Avatar Video Production Task Details (Virtual Avatar Video Production Management).

    ``GET /v1/{project_id}/2d-digital-human-videos/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: ``show_script``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``job_id``, ``state``, ``error_info``, ``script_id``, ``model_asset_id``,
    each under its own key.
    """

    api_name = "Show2DDigitalHumanVideo"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class Cancel2DDigitalHumanVideoOperator(MetaStudioApiOperator):
    """Canceling a Virtual Avatar Video Production Task in the Waiting Status (Virtual Avatar Video Production
    Management).

    ``POST /v1/{project_id}/2d-digital-human-videos/{job_id}/cancel``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "Cancel2DDigitalHumanVideo"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateSmartLiveRoomOperator(MetaStudioApiOperator):
    """Creating an Intelligent Live Room (Intelligent Live Room Management).

    ``POST /v1/{project_id}/smart-live-rooms``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateSmartLiveRoomReq`` (required: ``room_name``).

    XCom: the JSON response; also ``room_id``, each under its own key.

    A retried try finds what its earlier try made (``ListSmartLiveRooms``) instead of creating it again; the
    task instance's identity token goes in ``room_description``.
    """

    api_name = "CreateSmartLiveRoom"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListSmartLiveRoomsOperator(MetaStudioApiOperator):
    """Querying Intelligent Live Rooms (Intelligent Live Room Management).

    ``GET /v1/{project_id}/smart-live-rooms``

    :param query: query parameters: ``offset``, ``limit``, ``room_name``, ``dh_id``, ``model_name``,
        ``live_state``, ``start_time``, ``end_time``, ``room_type``, ``template_own_type``, ``confirm_state``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListSmartLiveRooms"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ShowSmartLiveRoomOperator(MetaStudioApiOperator):
    """Querying Intelligent Livestreaming Script Details (Intelligent Live Room Management).

    ``GET /v1/{project_id}/smart-live-rooms/{room_id}``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``room_id``, ``room_state``, each under its own key.
    """

    api_name = "ShowSmartLiveRoom"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id})
        super().__init__(query=query, body=body, **kwargs)


class UpdateSmartLiveRoomOperator(MetaStudioApiOperator):
    """Updating Intelligent Live Room Information (Intelligent Live Room Management).

    ``PUT /v1/{project_id}/smart-live-rooms/{room_id}``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateSmartLiveRoomReq`` (required: ``room_name``).

    XCom: the JSON response; also ``room_id``, ``room_state``, ``script_version``, each under its own key.
    """

    api_name = "UpdateSmartLiveRoom"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteSmartLiveRoomOperator(MetaStudioApiOperator):
    """Deleting an Intelligent Live Room (Intelligent Live Room Management).

    ``DELETE /v1/{project_id}/smart-live-rooms/{room_id}``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteSmartLiveRoom"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateInteractionRuleGroupOperator(MetaStudioApiOperator):
    """Creating an Interaction Rule Library for Live Rooms (Intelligent Live Room Management).

    ``POST /v1/{project_id}/smart-live-interaction-rule-groups``

    :param query: query parameters: none.
    :param body: the JSON body, model ``InteractionRuleGroup`` (required: ``group_name``).

    XCom: the JSON response; also ``group_id``, each under its own key.

    A retried try finds what its earlier try made (``ListInteractionRuleGroups``) instead of creating it
    again.
    """

    api_name = "CreateInteractionRuleGroup"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListInteractionRuleGroupsOperator(MetaStudioApiOperator):
    """Querying Interaction Rule Libraries for Live Rooms (Intelligent Live Room Management).

    ``GET /v1/{project_id}/smart-live-interaction-rule-groups``

    :param query: query parameters: ``offset``, ``limit``, ``create_since``, ``create_until``, ``group_name``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListInteractionRuleGroups"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class UpdateInteractionRuleGroupOperator(MetaStudioApiOperator):
    """Updating an Interaction Rule Library for Live Rooms (Intelligent Live Room Management).

    ``PUT /v1/{project_id}/smart-live-interaction-rule-groups/{group_id}``

    :param group_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``InteractionRuleGroup`` (required: ``group_name``).

    XCom: the JSON response; also ``group_id``, each under its own key.
    """

    api_name = "UpdateInteractionRuleGroup"

    def __init__(
        self,
        *,
        group_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"group_id": group_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteInteractionRuleGroupOperator(MetaStudioApiOperator):
    """Deleting an Interaction Rule Library for Live Rooms (Intelligent Live Room Management).

    ``DELETE /v1/{project_id}/smart-live-interaction-rule-groups/{group_id}``

    :param group_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteInteractionRuleGroup"

    def __init__(
        self,
        *,
        group_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"group_id": group_id})
        super().__init__(query=query, body=body, **kwargs)


class StartSmartLiveOperator(MetaStudioApiOperator):
    """Starting a Virtual Human Intelligent Livestreaming Task (Livestreaming Task Management).

    ``POST /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``StartSmartLiveReq``.

    XCom: the JSON response; also ``job_id``, ``live_event_report_url``, ``rtc_room_info``,
    ``limit_duration``, each under its own key.
    """

    api_name = "StartSmartLive"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id})
        super().__init__(query=query, body=body, **kwargs)


class ListSmartLiveOperator(MetaStudioApiOperator):
    """Querying Livestreaming Tasks of a Live Room (Livestreaming Task Management).

    ``GET /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: ``offset``, ``limit``, ``state``, ``sort_key``, ``sort_dir``,
        ``create_since``, ``create_until``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListSmartLive"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowSmartLiveOperator(MetaStudioApiOperator):
    """Querying Virtual Human Intelligent Livestreaming Task Details (Livestreaming Task Management).

    ``GET /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs/{job_id}``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``job_id``, ``room_id``, ``state``, ``error_info``,
    ``live_event_report_url``, each under its own key.
    """

    api_name = "ShowSmartLive"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id, "job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class StopSmartLiveOperator(MetaStudioApiOperator):
    """Ending a Virtual Human Intelligent Livestreaming Task (Livestreaming Task Management).

    ``POST /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs/{job_id}/stop``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "StopSmartLive"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id, "job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ExecuteSmartLiveCommandOperator(MetaStudioApiOperator):
    """Controlling Virtual Human Intelligent Livestreaming (Livestreaming Task Management).

    ``POST /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs/{job_id}/command``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``ControlSmartLiveReq`` (required: ``command``).

    XCom: the JSON response; also ``command_id``, ``command``, ``result``, each under its own key.
    """

    api_name = "ExecuteSmartLiveCommand"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id, "job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ListSmartLiveJobsOperator(MetaStudioApiOperator):
    """Querying All Virtual Human Livestreaming Tasks of a Tenant (Livestreaming Task Management).

    ``GET /v1/{project_id}/smart-live-jobs``

    :param query: query parameters: ``offset``, ``limit``, ``state``, ``sort_key``, ``sort_dir``,
        ``create_since``, ``create_until``, ``room_name``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListSmartLiveJobs"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class LiveEventReportOperator(MetaStudioApiOperator):
    """Reporting Livestreaming Events (Livestreaming Task Management).

    ``POST /v1/{project_id}/smart-live-rooms/{room_id}/smart-live-jobs/{job_id}/live-event-report``

    :param room_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: ``auth_key``, ``expires_time``, ``refresh_url``.
    :param body: the JSON body, model ``ReportLiveEventReq`` (required: ``total``).

    XCom: the JSON response; also ``live_event_report_url``, each under its own key.
    """

    api_name = "LiveEventReport"

    def __init__(
        self,
        *,
        room_id: str | XComArg | None = None,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"room_id": room_id, "job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateProductOperator(MetaStudioApiOperator):
    """Creating a Product (Live Product Management).

    ``POST /v1/{project_id}/products``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateProductRequestBody`` (required: ``name``).

    XCom: the JSON response; also ``product_id``, each under its own key.

    A retried try finds what its earlier try made (``ListProducts``) instead of creating it again; the task
    instance's identity token goes in ``tags``.
    """

    api_name = "CreateProduct"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListProductsOperator(MetaStudioApiOperator):
    """Querying Products (Live Product Management).

    ``GET /v1/{project_id}/products``

    :param query: query parameters: ``offset``, ``limit``, ``sort_key``, ``sort_dir``, ``create_until``,
        ``create_since``, ``name``, ``tag``, ``state``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListProducts"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class UpdateProductOperator(MetaStudioApiOperator):
    """Updating a Product (Live Product Management).

    ``PUT /v1/{project_id}/products/{product_id}``

    :param product_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``UpdateProductRequestBody`` (required: ``name``).

    XCom: the JSON response.
    """

    api_name = "UpdateProduct"

    def __init__(
        self,
        *,
        product_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"product_id": product_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowProductOperator(MetaStudioApiOperator):
    """Querying Product Details (Live Product Management).

    ``GET /v1/{project_id}/products/{product_id}``

    :param product_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``product_id``, ``state``, each under its own key.
    """

    api_name = "ShowProduct"

    def __init__(
        self,
        *,
        product_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"product_id": product_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteProductOperator(MetaStudioApiOperator):
    """Deleting a Product (Live Product Management).

    ``DELETE /v1/{project_id}/products/{product_id}``

    :param product_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteProduct"

    def __init__(
        self,
        *,
        product_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"product_id": product_id})
        super().__init__(query=query, body=body, **kwargs)


class SetProductAssetOperator(MetaStudioApiOperator):
    """Configuring a Product Asset Portfolio (Live Product Management).

    ``POST /v1/{project_id}/products/{product_id}/assets``

    :param product_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``ProductAssetReleation``.

    XCom: the JSON response.
    """

    api_name = "SetProductAsset"

    def __init__(
        self,
        *,
        product_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"product_id": product_id})
        super().__init__(query=query, body=body, **kwargs)


class Create2dModelTrainingJobOperator(MetaStudioApiOperator):
    """Creating a Virtual Avatar Model Training Task (Image Modeling Management).

    ``POST /v1/{project_id}/digital-human-training-manage/user/jobs``

    :param query: query parameters: none.
    :param body: the JSON body, model ``Create2dModelTrainingJobReq`` (required: ``name``).

    XCom: the JSON response; also ``job_id``, ``audio_upload_url``, ``cover_upload_url``,
    ``id_card_image1_upload_url``, ``id_card_image2_upload_url``, ``grant_file_upload_url``, each under its
    own key.

    A retried try finds what its earlier try made (``List2dModelTrainingJob``) instead of creating it again;
    the task instance's identity token goes in ``tags``.
    """

    api_name = "Create2dModelTrainingJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class List2dModelTrainingJobOperator(MetaStudioApiOperator):
    """Querying Virtual Avatar Model Training Tasks (Image Modeling Management).

    ``GET /v1/{project_id}/digital-human-training-manage/user/jobs``

    :param query: query parameters: ``offset``, ``limit``, ``state``, ``sort_key``, ``sort_dir``,
        ``create_until``, ``create_since``, ``query_project_id``, ``update_since``, ``update_until``,
        ``batch_name``, ``tag``, ``job_id``, ``name``, ``model_resolution``, ``is_flexus``, ``is_live_copy``,
        ``train_location``, ``is_ondemand_resource``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "List2dModelTrainingJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class Show2dModelTrainingJobOperator(MetaStudioApiOperator):
    """Querying Virtual Avatar Model Training Task Details (Image Modeling Management).

    ``GET /v1/{project_id}/digital-human-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``job_id``, ``state``, ``asset_id``, ``voice_train_job_id``, each under its
    own key.
    """

    api_name = "Show2dModelTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class Delete2dModelTrainingJobOperator(MetaStudioApiOperator):
    """Deleting a Virtual Avatar Model Training Task (Image Modeling Management).

    ``DELETE /v1/{project_id}/digital-human-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "Delete2dModelTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class Update2dModelTrainingJobOperator(MetaStudioApiOperator):
    """Updating a Virtual Avatar Model Training Task (Image Modeling Management).

    ``PUT /v1/{project_id}/digital-human-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``Update2dModelTrainingJobReq``.

    XCom: the JSON response; also ``job_id``, ``cover_upload_url``, ``id_card_image1_upload_url``,
    ``id_card_image2_upload_url``, ``grant_file_upload_url``, each under its own key.
    """

    api_name = "Update2dModelTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class Execute2dModelTrainingCommandByUserOperator(MetaStudioApiOperator):
    """Executing a Virtual Avatar Model Training Task as a Tenant (Image Modeling Management).

    ``POST /v1/{project_id}/digital-human-training-manage/user/jobs/{job_id}/command``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``Execute2dModelTrainingCommandByUserReq`` (required: ``command``).

    XCom: the JSON response; also ``commond_result``, ``excute_failed_msg``, ``error_info``, each under its
    own key.
    """

    api_name = "Execute2dModelTrainingCommandByUser"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class CreateTrainingBasicJobOperator(MetaStudioApiOperator):
    """Creating a Voice Training Task (Basic Edition) (Voice Modeling Task Management).

    ``POST /v1/{project_id}/voice-training-manage/user/basic-jobs``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateTrainingJobReq`` (required: ``voice_name``).

    XCom: the JSON response; also ``job_id``, ``training_data_uploading_url``,
    ``authorization_letter_uploading_url``, each under its own key.

    A retried try finds what its earlier try made (``ListVoiceTrainingJob``) instead of creating it again; the
    task instance's identity token goes in ``tag``.
    """

    api_name = "CreateTrainingBasicJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CreateTrainingMiddleJobOperator(MetaStudioApiOperator):
    """Creating a Voice Training Task (Advanced Edition) (Voice Modeling Task Management).

    ``POST /v1/{project_id}/voice-training-manage/user/middle-jobs``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateTrainingJobReq`` (required: ``voice_name``).

    XCom: the JSON response; also ``job_id``, ``training_data_uploading_url``,
    ``authorization_letter_uploading_url``, each under its own key.

    A retried try finds what its earlier try made (``ListVoiceTrainingJob``) instead of creating it again; the
    task instance's identity token goes in ``tag``.
    """

    api_name = "CreateTrainingMiddleJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CreateTrainingAdvanceJobOperator(MetaStudioApiOperator):
    """Creating a Voice Training Task (Premium Edition) (Voice Modeling Task Management).

    ``POST /v1/{project_id}/voice-training-manage/user/advance-jobs``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateTrainingJobReq`` (required: ``voice_name``).

    XCom: the JSON response; also ``job_id``, ``training_data_uploading_url``,
    ``authorization_letter_uploading_url``, each under its own key.

    A retried try finds what its earlier try made (``ListVoiceTrainingJob``) instead of creating it again; the
    task instance's identity token goes in ``tag``.
    """

    api_name = "CreateTrainingAdvanceJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ListVoiceTrainingJobOperator(MetaStudioApiOperator):
    """Querying Voice Training Tasks (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/jobs``

    :param query: query parameters: ``offset``, ``limit``, ``create_until``, ``create_since``,
        ``update_until``, ``update_since``, ``state``, ``job_id``, ``voice_name``, ``tag``, ``job_type``,
        ``batch_name``, ``sort_key``, ``sort_dir``, ``is_ondemand_resource``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListVoiceTrainingJob"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CommitVoiceTrainingJobOperator(MetaStudioApiOperator):
    """Submitting a Voice Training Task (Voice Modeling Task Management).

    ``POST /v1/{project_id}/voice-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the JSON body, model ``CommitJobReq``.

    XCom: the JSON response.
    """

    api_name = "CommitVoiceTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowVoiceTrainingJobOperator(MetaStudioApiOperator):
    """Querying Voice Training Task Details (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``job_id``, ``state``, ``asset_id``, ``job_type``, ``job_failed_code``,
    ``job_failed_reason``, each under its own key.
    """

    api_name = "ShowVoiceTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class DeleteVoiceTrainingJobOperator(MetaStudioApiOperator):
    """Deleting a Voice Training Task (Voice Modeling Task Management).

    ``DELETE /v1/{project_id}/voice-training-manage/user/jobs/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "DeleteVoiceTrainingJob"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ListJobOperationLogOperator(MetaStudioApiOperator):
    """Querying Task Operation Logs (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/jobs/{job_id}/op-logs``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: ``offset``, ``limit``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``count``, each under its own key.
    """

    api_name = "ListJobOperationLog"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowJobUploadingAddressOperator(MetaStudioApiOperator):
    """Obtaining the URL for Uploading a Voice File (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/jobs/{job_id}/uploading-address-url``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``authorization_letter_uploading_url``, each under its own key.
    """

    api_name = "ShowJobUploadingAddress"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ShowJobAuditResultOperator(MetaStudioApiOperator):
    """Obtaining the Review Result of a Voice Training Task (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/jobs/{job_id}/audit-result``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``system_audit_result``, ``admin_audit_result``, each under its own key.
    """

    api_name = "ShowJobAuditResult"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


class ConfirmTrainingSegmentOperator(MetaStudioApiOperator):
    """Confirming the Online Recording Result (Voice Modeling Task Management).

    ``POST /v1/{project_id}/voice-training-manage/user/training-segment``

    :param query: query parameters: ``job_id``, ``index``.
    :param body: the API takes no body.

    XCom: the JSON response; also ``confirm_result``, each under its own key.
    """

    api_name = "ConfirmTrainingSegment"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ShowTrainingSegmentInfoOperator(MetaStudioApiOperator):
    """Obtaining the Confirmed Online Recording Result (Voice Modeling Task Management).

    ``GET /v1/{project_id}/voice-training-manage/user/training-segment``

    :param query: query parameters: ``job_id``.
    :param body: the API takes no body.

    XCom: the JSON response.
    """

    api_name = "ShowTrainingSegmentInfo"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class CreateTtsAuditionOperator(MetaStudioApiOperator):
    """Creating a TTS Preview Task (TTS Management).

    ``POST /v1/{project_id}/ttsc/audition``

    :param query: query parameters: none.
    :param body: the JSON body, model ``CreateTtsAuditionRequestBody`` (required: ``text``, ``emotion``).

    XCom: the JSON response; also ``job_id``, each under its own key.
    """

    api_name = "CreateTtsAudition"

    def __init__(
        self,
        *,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(query=query, body=body, **kwargs)


class ShowTtsAuditionFileOperator(MetaStudioApiOperator):
    """Obtaining a TTS Preview File (TTS Management).

    ``GET /v1/{project_id}/ttsc/audition-file/{job_id}``

    :param job_id: path parameter, templated (a string or an upstream ``XComArg``).
    :param query: query parameters: none.
    :param body: the API takes no body.

    XCom: the JSON response; also ``is_file_complete``, ``code``, ``message``, each under its own key.
    """

    api_name = "ShowTtsAuditionFile"

    def __init__(
        self,
        *,
        job_id: str | XComArg | None = None,
        query: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs["path_params"] = merge_path_params(kwargs.get("path_params"), {"job_id": job_id})
        super().__init__(query=query, body=body, **kwargs)


API_OPERATORS: dict[str, type[MetaStudioApiOperator]] = {
    "CreateDigitalAsset": CreateDigitalAssetOperator,
    "ListAssets": ListAssetsOperator,
    "UpdateDigitalAsset": UpdateDigitalAssetOperator,
    "DeleteAsset": DeleteAssetOperator,
    "ShowAsset": ShowAssetOperator,
    "RestoreAsset": RestoreAssetOperator,
    "BatchExecuteAssetAction": BatchExecuteAssetActionOperator,
    "ListAssetSummary": ListAssetSummaryOperator,
    "ShowAssetReplicationInfo": ShowAssetReplicationInfoOperator,
    "CreateAssetByReplicationInfo": CreateAssetByReplicationInfoOperator,
    "CreateFile": CreateFileOperator,
    "DeleteFile": DeleteFileOperator,
    "ConfirmFileUpload": ConfirmFileUploadOperator,
    "CreateLargeFile": CreateLargeFileOperator,
    "CreateVideoScripts": CreateVideoScriptsOperator,
    "ListVideoScripts": ListVideoScriptsOperator,
    "ShowVideoScript": ShowVideoScriptOperator,
    "UpdateVideoScript": UpdateVideoScriptOperator,
    "DeleteVideoScript": DeleteVideoScriptOperator,
    "CopyVideoScripts": CopyVideoScriptsOperator,
    "ListDigitalHumanVideo": ListDigitalHumanVideoOperator,
    "Create2DDigitalHumanVideo": Create2DDigitalHumanVideoOperator,
    "Show2DDigitalHumanVideo": Show2DDigitalHumanVideoOperator,
    "Cancel2DDigitalHumanVideo": Cancel2DDigitalHumanVideoOperator,
    "CreateSmartLiveRoom": CreateSmartLiveRoomOperator,
    "ListSmartLiveRooms": ListSmartLiveRoomsOperator,
    "ShowSmartLiveRoom": ShowSmartLiveRoomOperator,
    "UpdateSmartLiveRoom": UpdateSmartLiveRoomOperator,
    "DeleteSmartLiveRoom": DeleteSmartLiveRoomOperator,
    "CreateInteractionRuleGroup": CreateInteractionRuleGroupOperator,
    "ListInteractionRuleGroups": ListInteractionRuleGroupsOperator,
    "UpdateInteractionRuleGroup": UpdateInteractionRuleGroupOperator,
    "DeleteInteractionRuleGroup": DeleteInteractionRuleGroupOperator,
    "StartSmartLive": StartSmartLiveOperator,
    "ListSmartLive": ListSmartLiveOperator,
    "ShowSmartLive": ShowSmartLiveOperator,
    "StopSmartLive": StopSmartLiveOperator,
    "ExecuteSmartLiveCommand": ExecuteSmartLiveCommandOperator,
    "ListSmartLiveJobs": ListSmartLiveJobsOperator,
    "LiveEventReport": LiveEventReportOperator,
    "CreateProduct": CreateProductOperator,
    "ListProducts": ListProductsOperator,
    "UpdateProduct": UpdateProductOperator,
    "ShowProduct": ShowProductOperator,
    "DeleteProduct": DeleteProductOperator,
    "SetProductAsset": SetProductAssetOperator,
    "Create2dModelTrainingJob": Create2dModelTrainingJobOperator,
    "List2dModelTrainingJob": List2dModelTrainingJobOperator,
    "Show2dModelTrainingJob": Show2dModelTrainingJobOperator,
    "Delete2dModelTrainingJob": Delete2dModelTrainingJobOperator,
    "Update2dModelTrainingJob": Update2dModelTrainingJobOperator,
    "Execute2dModelTrainingCommandByUser": Execute2dModelTrainingCommandByUserOperator,
    "CreateTrainingBasicJob": CreateTrainingBasicJobOperator,
    "CreateTrainingMiddleJob": CreateTrainingMiddleJobOperator,
    "CreateTrainingAdvanceJob": CreateTrainingAdvanceJobOperator,
    "ListVoiceTrainingJob": ListVoiceTrainingJobOperator,
    "CommitVoiceTrainingJob": CommitVoiceTrainingJobOperator,
    "ShowVoiceTrainingJob": ShowVoiceTrainingJobOperator,
    "DeleteVoiceTrainingJob": DeleteVoiceTrainingJobOperator,
    "ListJobOperationLog": ListJobOperationLogOperator,
    "ShowJobUploadingAddress": ShowJobUploadingAddressOperator,
    "ShowJobAuditResult": ShowJobAuditResultOperator,
    "ConfirmTrainingSegment": ConfirmTrainingSegmentOperator,
    "ShowTrainingSegmentInfo": ShowTrainingSegmentInfoOperator,
    "CreateTtsAudition": CreateTtsAuditionOperator,
    "ShowTtsAuditionFile": ShowTtsAuditionFileOperator,
}

__all__ = [
    "API_OPERATORS",
    "MetaStudioApiOperator",
    "CreateDigitalAssetOperator",
    "ListAssetsOperator",
    "UpdateDigitalAssetOperator",
    "DeleteAssetOperator",
    "ShowAssetOperator",
    "RestoreAssetOperator",
    "BatchExecuteAssetActionOperator",
    "ListAssetSummaryOperator",
    "ShowAssetReplicationInfoOperator",
    "CreateAssetByReplicationInfoOperator",
    "CreateFileOperator",
    "DeleteFileOperator",
    "ConfirmFileUploadOperator",
    "CreateLargeFileOperator",
    "CreateVideoScriptsOperator",
    "ListVideoScriptsOperator",
    "ShowVideoScriptOperator",
    "UpdateVideoScriptOperator",
    "DeleteVideoScriptOperator",
    "CopyVideoScriptsOperator",
    "ListDigitalHumanVideoOperator",
    "Create2DDigitalHumanVideoOperator",
    "Show2DDigitalHumanVideoOperator",
    "Cancel2DDigitalHumanVideoOperator",
    "CreateSmartLiveRoomOperator",
    "ListSmartLiveRoomsOperator",
    "ShowSmartLiveRoomOperator",
    "UpdateSmartLiveRoomOperator",
    "DeleteSmartLiveRoomOperator",
    "CreateInteractionRuleGroupOperator",
    "ListInteractionRuleGroupsOperator",
    "UpdateInteractionRuleGroupOperator",
    "DeleteInteractionRuleGroupOperator",
    "StartSmartLiveOperator",
    "ListSmartLiveOperator",
    "ShowSmartLiveOperator",
    "StopSmartLiveOperator",
    "ExecuteSmartLiveCommandOperator",
    "ListSmartLiveJobsOperator",
    "LiveEventReportOperator",
    "CreateProductOperator",
    "ListProductsOperator",
    "UpdateProductOperator",
    "ShowProductOperator",
    "DeleteProductOperator",
    "SetProductAssetOperator",
    "Create2dModelTrainingJobOperator",
    "List2dModelTrainingJobOperator",
    "Show2dModelTrainingJobOperator",
    "Delete2dModelTrainingJobOperator",
    "Update2dModelTrainingJobOperator",
    "Execute2dModelTrainingCommandByUserOperator",
    "CreateTrainingBasicJobOperator",
    "CreateTrainingMiddleJobOperator",
    "CreateTrainingAdvanceJobOperator",
    "ListVoiceTrainingJobOperator",
    "CommitVoiceTrainingJobOperator",
    "ShowVoiceTrainingJobOperator",
    "DeleteVoiceTrainingJobOperator",
    "ListJobOperationLogOperator",
    "ShowJobUploadingAddressOperator",
    "ShowJobAuditResultOperator",
    "ConfirmTrainingSegmentOperator",
    "ShowTrainingSegmentInfoOperator",
    "CreateTtsAuditionOperator",
    "ShowTtsAuditionFileOperator",
]
