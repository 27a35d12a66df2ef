"""Every one of the 66 generated MetaStudio API operators, chained so that each call succeeds.

Run by ``tests/operators/test_all_api_operators.py`` with ``dag.test()`` against the emulator.
Ids flow from task to task through XCom (each operator pushes the top-level ids of its
response as their own keys). The only steps that are not API operators are the PUTs to
pre-signed OBS upload URLs (``@task``, through the hook's client) and two sensors that wait
for a state a later call needs.

Timing needs (arranged by the test through emulator knobs, not here): ``Cancel2DDigitalHumanVideo``
needs its job still WAITING, so ``create_video_to_cancel`` runs directly before ``cancel_video``.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import DAG, chain, task

from metastudio_provider.operators.api import (
    BatchExecuteAssetActionOperator,
    Cancel2DDigitalHumanVideoOperator,
    CommitVoiceTrainingJobOperator,
    ConfirmFileUploadOperator,
    ConfirmTrainingSegmentOperator,
    CopyVideoScriptsOperator,
    Create2DDigitalHumanVideoOperator,
    Create2dModelTrainingJobOperator,
    CreateAssetByReplicationInfoOperator,
    CreateDigitalAssetOperator,
    CreateFileOperator,
    CreateInteractionRuleGroupOperator,
    CreateLargeFileOperator,
    CreateProductOperator,
    CreateSmartLiveRoomOperator,
    CreateTrainingAdvanceJobOperator,
    CreateTrainingBasicJobOperator,
    CreateTrainingMiddleJobOperator,
    CreateTtsAuditionOperator,
    CreateVideoScriptsOperator,
    Delete2dModelTrainingJobOperator,
    DeleteAssetOperator,
    DeleteFileOperator,
    DeleteInteractionRuleGroupOperator,
    DeleteProductOperator,
    DeleteSmartLiveRoomOperator,
    DeleteVideoScriptOperator,
    DeleteVoiceTrainingJobOperator,
    Execute2dModelTrainingCommandByUserOperator,
    ExecuteSmartLiveCommandOperator,
    List2dModelTrainingJobOperator,
    ListAssetsOperator,
    ListAssetSummaryOperator,
    ListDigitalHumanVideoOperator,
    ListInteractionRuleGroupsOperator,
    ListJobOperationLogOperator,
    ListProductsOperator,
    ListSmartLiveJobsOperator,
    ListSmartLiveOperator,
    ListSmartLiveRoomsOperator,
    ListVideoScriptsOperator,
    ListVoiceTrainingJobOperator,
    LiveEventReportOperator,
    RestoreAssetOperator,
    SetProductAssetOperator,
    Show2DDigitalHumanVideoOperator,
    Show2dModelTrainingJobOperator,
    ShowAssetOperator,
    ShowAssetReplicationInfoOperator,
    ShowJobAuditResultOperator,
    ShowJobUploadingAddressOperator,
    ShowProductOperator,
    ShowSmartLiveOperator,
    ShowSmartLiveRoomOperator,
    ShowTrainingSegmentInfoOperator,
    ShowTtsAuditionFileOperator,
    ShowVideoScriptOperator,
    ShowVoiceTrainingJobOperator,
    StartSmartLiveOperator,
    StopSmartLiveOperator,
    Update2dModelTrainingJobOperator,
    UpdateDigitalAssetOperator,
    UpdateInteractionRuleGroupOperator,
    UpdateProductOperator,
    UpdateSmartLiveRoomOperator,
    UpdateVideoScriptOperator,
)
from metastudio_provider.sensors.metastudio import AssetStateSensor, LivestreamJobSensor
from metastudio_provider.signing import content_md5

DAG_ID = "metastudio_all_api_operators"
POLL = 0.2

IMAGE = b"\x89PNG\r\n\x1a\n all_api_operators background image"
IMAGE_MD5 = content_md5(IMAGE)
TRAINING_VIDEO = b"\x00\x00\x00\x18ftypmp42 all_api_operators training video"
VOICE_ZIP = b"PK\x03\x04 all_api_operators voice training data"

NAME = "all-apis-{{ run_id }}"
"""Every resource this DAG makes is named after the run, so runs never see each other's resources."""


def xcom(task_id: str, key: str = "return_value", path: str = "") -> str:
    """A template pulling ``key`` (and ``path`` inside it, e.g. ``['assets'][0]``) from ``task_id``."""
    return "{{ ti.xcom_pull(task_ids='" + task_id + "', key='" + key + "')" + path + " }}"


ASSET = xcom("create_asset", "asset_id")
AVATAR = xcom("list_system_avatars", path="['assets'][0]['asset_id']")
VOICE = xcom("list_system_voices", path="['assets'][0]['asset_id']")
SCRIPT = xcom("create_script", "script_id")
ROOM = xcom("create_room", "room_id")
LIVE = {"room_id": ROOM, "job_id": xcom("start_live", "job_id")}
GROUP = xcom("create_rule_group", "group_id")
PRODUCT = xcom("create_product", "product_id")
AVATAR_JOB = xcom("create_avatar_job", "job_id")
BASIC_JOB = xcom("create_voice_basic", "job_id")
MIDDLE_JOB = xcom("create_voice_middle", "job_id")
ADVANCE_JOB = xcom("create_voice_advance", "job_id")


def _put(url: str, content: bytes, content_type: str) -> dict:
    from metastudio_provider.hooks.metastudio import MetaStudioHook

    MetaStudioHook().client.upload(url, content, content_md5=content_md5(content), content_type=content_type)
    return {"uploaded_bytes": len(content)}


@task
def put_image(upload_url: str) -> dict:
    """The OBS PUT of the asset's MAIN file (not a MetaStudio API: a pre-signed URL)."""
    return _put(upload_url, IMAGE, "image/png")


@task
def put_training_video(job: dict) -> dict:
    """Update2dModelTrainingJob hands out fresh single-use upload URLs: fill the first video part."""
    return _put(job["training_video_upload_url"][0], TRAINING_VIDEO, "application/octet-stream")


@task
def put_voice_data(address: dict) -> dict:
    return _put(address["package_url"]["training_data_uploading_url"], VOICE_ZIP, "application/zip")


with DAG(
    dag_id=DAG_ID,
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    tags=["metastudio", "test"],
    doc_md=__doc__,
) as dag:
    # -- system avatar and voice, the asset, its file ------------------------------------------
    list_system_avatars = ListAssetsOperator(
        task_id="list_system_avatars", query={"asset_type": "HUMAN_MODEL_2D", "asset_source": "SYSTEM", "limit": 1}
    )
    list_system_voices = ListAssetsOperator(
        task_id="list_system_voices", query={"asset_type": "VOICE_MODEL", "asset_source": "SYSTEM", "limit": 1}
    )
    create_asset = CreateDigitalAssetOperator(
        task_id="create_asset",
        body={"asset_name": NAME, "asset_type": "IMAGE", "tags": ["airflow-test"],
              "system_properties": [{"action": "ADD", "key": "BACKGROUND_IMG", "value": "Yes"}]},
    )
    create_file = CreateFileOperator(
        task_id="create_file",
        body={"file_name": "background.png", "file_md5": IMAGE_MD5, "file_size": len(IMAGE), "file_type": "png",
              "asset_id": ASSET, "asset_file_category": "MAIN"},
    )
    upload_image = put_image.override(task_id="put_image")(create_file.output["upload_url"])
    confirm_file = ConfirmFileUploadOperator(
        task_id="confirm_file", path_params={"file_id": xcom("create_file", "file_id")}, body={"state": "CREATED"}
    )
    asset_active = AssetStateSensor(task_id="asset_active", asset_id=ASSET, poll_interval=POLL, deferrable=False)
    show_asset = ShowAssetOperator(task_id="show_asset", path_params={"asset_id": ASSET})
    list_assets = ListAssetsOperator(
        task_id="list_assets", query={"name": NAME, "accurate_query_field": "name", "asset_type": "IMAGE"}
    )
    update_asset = UpdateDigitalAssetOperator(
        task_id="update_asset", path_params={"asset_id": ASSET},
        body={"asset_description": "updated by the all-API DAG", "tags": ["airflow-test", "updated"]},
    )
    asset_summary = ListAssetSummaryOperator(task_id="asset_summary", body={"asset_ids": [ASSET]})
    replication_info = ShowAssetReplicationInfoOperator(task_id="replication_info", path_params={"asset_id": ASSET})
    copy_asset = CreateAssetByReplicationInfoOperator(
        task_id="copy_asset",
        body={"asset_id": xcom("replication_info", "asset_id"), "asset_info": xcom("replication_info", "asset_info")},
    )
    create_large_file = CreateLargeFileOperator(
        task_id="create_large_file",
        body={"file_name": "extra.bin", "file_type": "bin", "asset_id": ASSET, "asset_file_category": "OTHER",
              "file_size": 1024, "file_multipart_count": 2},
    )
    delete_file = DeleteFileOperator(task_id="delete_file",
                                     path_params={"file_id": xcom("create_large_file", "file_id")})

    # -- video scripts ----------------------------------------------------------------------------
    create_script = CreateVideoScriptsOperator(
        task_id="create_script",
        body={
            "script_name": NAME, "model_asset_id": AVATAR, "model_asset_type": "HUMAN_MODEL_2D",
            "voice_config": {"voice_asset_id": VOICE},
            "shoot_scripts": [{"sequence_no": 0, "shoot_script": {
                "script_type": "TEXT", "text_config": {"text": "Hello from every MetaStudio operator"},
                "background_config": [{"background_type": "IMAGE", "background_asset_id": ASSET}]}}],
        },
    )
    list_scripts = ListVideoScriptsOperator(task_id="list_scripts", query={"name": NAME})
    show_script = ShowVideoScriptOperator(task_id="show_script", path_params={"script_id": SCRIPT})
    update_script = UpdateVideoScriptOperator(
        task_id="update_script", path_params={"script_id": SCRIPT}, body={"script_description": "updated"}
    )
    copy_script = CopyVideoScriptsOperator(task_id="copy_script", path_params={"script_id": SCRIPT})

    # -- video jobs -------------------------------------------------------------------------------
    create_video = Create2DDigitalHumanVideoOperator(
        task_id="create_video", body={"script_id": SCRIPT, "output_asset_config": {"asset_name": NAME + "-video"}}
    )
    show_video = Show2DDigitalHumanVideoOperator(
        task_id="show_video", path_params={"job_id": xcom("create_video", "job_id")}, query={"show_script": True}
    )
    create_video_to_cancel = Create2DDigitalHumanVideoOperator(
        task_id="create_video_to_cancel",
        body={"script_id": SCRIPT, "output_asset_config": {"asset_name": NAME + "-cancelled"}},
    )
    cancel_video = Cancel2DDigitalHumanVideoOperator(
        task_id="cancel_video", path_params={"job_id": xcom("create_video_to_cancel", "job_id")}
    )
    list_videos = ListDigitalHumanVideoOperator(
        task_id="list_videos",
        query={"job_ids": [xcom("create_video", "job_id"), xcom("create_video_to_cancel", "job_id")], "limit": 10},
    )

    # -- live rooms, rule libraries, products ----------------------------------------------------
    scene = {
        "script_name": "scene 1", "model_asset_id": AVATAR, "voice_config": {"voice_asset_id": VOICE},
        "background_config": [{"background_type": "IMAGE", "background_asset_id": ASSET}],
        "shoot_scripts": [{"sequence_no": 0, "title": "welcome", "text_config": {"text": "Welcome to the room"}}],
    }
    create_room = CreateSmartLiveRoomOperator(
        task_id="create_room", body={"room_name": NAME, "room_type": "NORMAL", "scene_scripts": [scene]}
    )
    list_rooms = ListSmartLiveRoomsOperator(task_id="list_rooms", query={"room_name": NAME})
    show_room = ShowSmartLiveRoomOperator(task_id="show_room", path_params={"room_id": ROOM})
    update_room = UpdateSmartLiveRoomOperator(
        task_id="update_room", path_params={"room_id": ROOM},
        body={"room_name": NAME, "room_description": "updated", "scene_scripts": [scene]},
    )
    create_rule_group = CreateInteractionRuleGroupOperator(
        task_id="create_rule_group",
        body={"group_name": NAME, "interaction_rules": [{"event_type": 1, "hit_condition": {"relation": "OR", "tags": [
            {"tag": "comment", "operation": "contain", "match": "any", "value": "price"}]}}]},
    )
    list_rule_groups = ListInteractionRuleGroupsOperator(task_id="list_rule_groups", query={"group_name": NAME})
    update_rule_group = UpdateInteractionRuleGroupOperator(
        task_id="update_rule_group", path_params={"group_id": GROUP}, body={"group_name": NAME + "-updated"}
    )
    create_product = CreateProductOperator(
        task_id="create_product", body={"name": NAME, "description": "a product", "tags": ["airflow-test"]}
    )
    list_products = ListProductsOperator(task_id="list_products", query={"name": NAME})
    update_product = UpdateProductOperator(
        task_id="update_product", path_params={"product_id": PRODUCT},
        body={"name": NAME, "description": "updated product"},
    )
    set_product_asset = SetProductAssetOperator(
        task_id="set_product_asset", path_params={"product_id": PRODUCT},
        body={"action": "LINK", "asset_item": {"asset_id": ASSET, "asset_type": "IMAGE", "order": 1}},
    )
    show_product = ShowProductOperator(task_id="show_product", path_params={"product_id": PRODUCT})

    # -- the livestream --------------------------------------------------------------------------
    start_live = StartSmartLiveOperator(task_id="start_live", path_params={"room_id": ROOM}, body={})
    wait_live = LivestreamJobSensor(task_id="wait_live", poll_interval=POLL, timeout=60, deferrable=False, **LIVE)
    show_live = ShowSmartLiveOperator(task_id="show_live", path_params=LIVE)
    list_live = ListSmartLiveOperator(task_id="list_live", path_params={"room_id": ROOM}, query={"limit": 10})
    list_live_jobs = ListSmartLiveJobsOperator(task_id="list_live_jobs", query={"room_name": NAME})
    live_command = ExecuteSmartLiveCommandOperator(
        task_id="live_command", path_params=LIVE,
        body={"command": "INSERT_PLAY_SCRIPT", "params": {"text": "An inserted announcement"}},
    )
    live_event_report = LiveEventReportOperator(
        task_id="live_event_report", path_params=LIVE,
        body={"total": 1, "events": [{"timestamp": 1767225600000, "type": 1, "content": "how much is it?"}]},
    )
    stop_live = StopSmartLiveOperator(task_id="stop_live", path_params=LIVE)

    # -- avatar training ---------------------------------------------------------------------------
    create_avatar_job = Create2dModelTrainingJobOperator(
        task_id="create_avatar_job", body={"name": NAME, "tags": ["airflow-test"]}
    )
    list_avatar_jobs = List2dModelTrainingJobOperator(
        task_id="list_avatar_jobs", query={"job_id": AVATAR_JOB, "name": NAME, "limit": 10}
    )
    show_avatar_job = Show2dModelTrainingJobOperator(task_id="show_avatar_job", path_params={"job_id": AVATAR_JOB})
    update_avatar_job = Update2dModelTrainingJobOperator(
        task_id="update_avatar_job", path_params={"job_id": AVATAR_JOB}, body={"contact": "ops@example.com"}
    )
    upload_training_video = put_training_video.override(task_id="put_training_video")(update_avatar_job.output)
    avatar_command = Execute2dModelTrainingCommandByUserOperator(
        task_id="avatar_command", path_params={"job_id": AVATAR_JOB}, body={"command": "GET_MULTIPART_UPLOADED"}
    )

    # -- voice training (three editions) ---------------------------------------------------------
    create_voice_basic = CreateTrainingBasicJobOperator(
        task_id="create_voice_basic", body={"voice_name": NAME + "-basic", "sex": "FEMALE", "language": "CN"}
    )
    create_voice_middle = CreateTrainingMiddleJobOperator(
        task_id="create_voice_middle", body={"voice_name": NAME + "-middle", "create_type": "SEGMENT"}
    )
    create_voice_advance = CreateTrainingAdvanceJobOperator(
        task_id="create_voice_advance", body={"voice_name": NAME + "-advance"}
    )
    list_voice_jobs = ListVoiceTrainingJobOperator(
        task_id="list_voice_jobs", query={"voice_name": NAME, "limit": 10}
    )
    show_voice_job = ShowVoiceTrainingJobOperator(task_id="show_voice_job", path_params={"job_id": BASIC_JOB})
    upload_address = ShowJobUploadingAddressOperator(task_id="upload_address", path_params={"job_id": BASIC_JOB})
    upload_voice_data = put_voice_data.override(task_id="put_voice_data")(upload_address.output)
    commit_voice = CommitVoiceTrainingJobOperator(task_id="commit_voice", path_params={"job_id": BASIC_JOB}, body={})
    op_logs = ListJobOperationLogOperator(task_id="op_logs", path_params={"job_id": BASIC_JOB})
    audit_result = ShowJobAuditResultOperator(task_id="audit_result", path_params={"job_id": BASIC_JOB})
    confirm_segment = ConfirmTrainingSegmentOperator(
        task_id="confirm_segment", query={"job_id": MIDDLE_JOB, "index": 3}
    )
    show_segments = ShowTrainingSegmentInfoOperator(task_id="show_segments", query={"job_id": MIDDLE_JOB})

    # -- TTS audition ----------------------------------------------------------------------------
    create_tts = CreateTtsAuditionOperator(
        task_id="create_tts", body={"text": "Hello from Airflow", "emotion": VOICE, "speed": 100}
    )
    show_tts = ShowTtsAuditionFileOperator(task_id="show_tts", path_params={"job_id": xcom("create_tts", "job_id")})

    # -- deletes at the end, restore, batch action ---------------------------------------------
    delete_script_copy = DeleteVideoScriptOperator(
        # CopyVideoScripts pushes no ``script_id`` key (catalog xcom_fields say "script_id (the new
        # script)"): take the new id from the return value
        task_id="delete_script_copy", path_params={"script_id": xcom("copy_script", path="['script_id']")}
    )
    delete_rule_group = DeleteInteractionRuleGroupOperator(task_id="delete_rule_group", path_params={"group_id": GROUP})
    delete_product = DeleteProductOperator(task_id="delete_product", path_params={"product_id": PRODUCT})
    delete_room = DeleteSmartLiveRoomOperator(task_id="delete_room", path_params={"room_id": ROOM})
    delete_avatar_job = Delete2dModelTrainingJobOperator(task_id="delete_avatar_job",
                                                         path_params={"job_id": AVATAR_JOB})
    delete_voice_middle = DeleteVoiceTrainingJobOperator(
        task_id="delete_voice_middle", path_params={"job_id": MIDDLE_JOB}
    )
    delete_voice_advance = DeleteVoiceTrainingJobOperator(
        task_id="delete_voice_advance", path_params={"job_id": ADVANCE_JOB}
    )
    delete_asset = DeleteAssetOperator(task_id="delete_asset", path_params={"asset_id": ASSET})
    restore_asset = RestoreAssetOperator(task_id="restore_asset", path_params={"asset_id": ASSET})
    batch_action = BatchExecuteAssetActionOperator(
        task_id="batch_action", body={"action": "UNACTIVE", "asset_ids": [ASSET]}
    )

    chain(
        list_system_avatars, list_system_voices,
        create_asset, create_file, upload_image, confirm_file, asset_active, show_asset, list_assets, update_asset,
        asset_summary, replication_info, copy_asset, create_large_file, delete_file,
        create_script, list_scripts, show_script, update_script, copy_script,
        create_video, show_video, create_video_to_cancel, cancel_video, list_videos,
        create_room, list_rooms, show_room, update_room,
        create_rule_group, list_rule_groups, update_rule_group,
        create_product, list_products, update_product, set_product_asset, show_product,
        start_live, wait_live, show_live, list_live, list_live_jobs, live_command, live_event_report, stop_live,
        create_avatar_job, list_avatar_jobs, show_avatar_job, update_avatar_job, upload_training_video, avatar_command,
        create_voice_basic, create_voice_middle, create_voice_advance, list_voice_jobs, show_voice_job,
        upload_address, upload_voice_data, commit_voice, op_logs, audit_result, confirm_segment, show_segments,
        create_tts, show_tts,
        delete_script_copy, delete_rule_group, delete_product, delete_room, delete_avatar_job,
        delete_voice_middle, delete_voice_advance, delete_asset, restore_asset, batch_action,
    )
