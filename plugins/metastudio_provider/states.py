"""The asynchronous MetaStudio resources and their states, modelled once (wire notes §3).

Each ``Resource`` says which API shows it, which path parameters identify it, where its
state is, and which states mean success, failure or still running. A state in none of the
three sets is an error (``UnknownStateError``), never a silent wait. A livestream job is waited
for two ways, each a resource named for what success means: ``live_job_on_air`` (PROCESSING) and
``live_job_ended`` (SUCCEED); its states are named once, ``LIVE_ON_AIR``, ``LIVE_NOT_YET_ON_AIR``
and ``LIVE_HOLDS_ROOM``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from metastudio_provider.catalog import get_path


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    RUNNING = "running"


class UnknownStateError(ValueError):
    """MetaStudio reported a state this provider does not know: stop rather than wait forever."""


@dataclass(frozen=True)
class Resource:
    kind: str
    show_api: str
    id_params: tuple[str, ...]
    state_field: str
    success: frozenset[str]
    failure: frozenset[str]
    running: frozenset[str]
    error_fields: tuple[str, ...] = ("error_info",)
    result_fields: tuple[str, ...] = ()
    """Fields of the show response a waiting task needs besides ids, state and errors (``summary``)."""

    def state_of(self, response: dict[str, Any]) -> str:
        value = get_path(response, self.state_field)
        # booleans and a missing field read as TRUE / FALSE / NONE (tts_audition lists NONE as running)
        return str(value).upper() if value is None or isinstance(value, bool) else str(value)

    def outcome(self, state: str) -> Outcome:
        if state in self.success:
            return Outcome.SUCCESS
        if state in self.failure:
            return Outcome.FAILURE
        if state in self.running:
            return Outcome.RUNNING
        raise UnknownStateError(f"{self.kind}: unknown state {state!r}")

    def succeeded(self, state: str | None) -> bool:
        return state in self.success

    def failed(self, state: str | None) -> bool:
        return state in self.failure

    def error_info(self, response: dict[str, Any]) -> dict[str, Any]:
        return {f: response[f] for f in self.error_fields if response.get(f) not in (None, "", {})}

    def summary(self, response: dict[str, Any]) -> dict[str, Any]:
        """The part of a show response a trigger event carries: ids, state, errors and result fields
        (a short event, logged as such, instead of the whole resource)."""
        keys = (*self.id_params, self.state_field.split(".")[0], *self.error_fields, *self.result_fields)
        return {key: response[key] for key in dict.fromkeys(keys) if key in response}


def describe_error(info: dict[str, Any]) -> str:
    """``{"error_info": {"error_code": "X", "error_msg": "Y"}}`` → ``"X: Y"``; other fields as ``k=v``."""
    parts = []
    for key, value in info.items():
        if isinstance(value, dict) and ("error_code" in value or "error_msg" in value):
            parts.append(f"{value.get('error_code', '?')}: {value.get('error_msg', '')}".strip())
        else:
            parts.append(f"{key}={value}")
    return "; ".join(parts) or "no error info"


LIVE_ON_AIR = frozenset({"PROCESSING"})
"""A livestream job on air (live): the show's window is measured from its ``start_time``."""
LIVE_NOT_YET_ON_AIR = frozenset({"WAITING"})
"""A livestream job started, not on air yet."""
LIVE_HOLDS_ROOM = LIVE_NOT_YET_ON_AIR | LIVE_ON_AIR
"""A livestream job that holds its room (not yet or on air): StopSmartLive takes it, a second start is refused."""

_AVATAR_RUNNING = {
    "WAIT_FILE_UPLOAD", "AUTO_VERIFYING", "MANUAL_VERIFYING", "MANUAL_VERIFY_SUCCESS", "WAIT_TRAINING_DATA_PREPROCESS",
    "TRAINING_DATA_PREPROCESSING", "TRAINING_DATA_PREPROCESS_SUCCESS", "TRAINING", "TRAIN_SUCCESS",
    "INFERENCE_DATA_PREPROCESSING", "WAIT_MAIN_FILE_UPLOAD", "WAIT_ADMIN_CONFIRM", "WAIT_COMPILE", "COMPILING",
    "WAIT_GENERATE_ACTION", "WAIT_ARRANGE", "ACTION_GENERATE_DATA_PROCESSING", "ACTION_GENERATE_ORI_PROCESSING",
    "ACTION_GENERATE_ORI_SUCCESS", "WAIT_ADMIN_CALIBRATION", "WAIT_ASSET_SYNC", "WAIT_GENERATE_ACTION_MARK",
    "ACTION_MARKING", "WAIT_USER_CONFIRM", "JOB_PENDING", "WAIT_TEST_VIDEO_CHECK", "TEST_VIDEO_CHECK_PROCESSING",
    "TEST_VIDEO_CHECK_SUCCESS", "VIDEO_ANALYZE_PROCESSING", "VIDEO_ANALYZE_SUCCESS", "ACTION_MARK_SUCCESS",
    "ACTION_MARK_UPLOADED",
}
_AVATAR_FAILED = {
    "AUTO_VERIFY_FAILED", "MANUAL_VERIFY_FAILED", "TRAINING_DATA_PREPROCESS_FAILED", "TRAIN_FAILED",
    "INFERENCE_DATA_PREPROCESS_FAILED", "MANUAL_STOP_INFERENCE_DATA_PREPROCESS", "MANUAL_STOP_TRAIN",
    "MANUAL_STOP_TRAINING_DATA_PREPROCESS", "COMPILE_FAILED", "MANUAL_STOP_ACTION_GENERATE_DATA_PROCESSING",
    "MANUAL_STOP_ACTION_GENERATE_ORI_PROCESSING", "ACTION_GENERATE_DATA_FAILED", "ACTION_GENERATE_ORI_FAILED",
    "GENERATE_ACTION_PREPROCESS_FAILED", "JOB_REJECT", "TEST_VIDEO_CHECK_FAILED", "VIDEO_ANALYZE_FAILED",
    "ACTION_MARK_FAILED", "MANUL_STOP_ACTION_MARK",
}

RESOURCES: dict[str, Resource] = {
    r.kind: r
    for r in (
        Resource(
            "asset", "ShowAsset", ("asset_id",), "asset_state",
            success=frozenset({"ACTIVED"}),
            failure=frozenset({"FAILED", "UNACTIVED", "DELETING", "DELETED", "BLOCK", "WAITING_DELETE"}),
            running=frozenset({"CREATING"}),
            error_fields=("fail_type", "reason", "block_reason_code"),
            result_fields=("asset_name", "asset_type"),
        ),
        Resource(
            "video_job", "Show2DDigitalHumanVideo", ("job_id",), "state",
            success=frozenset({"SUCCEED"}),
            failure=frozenset({"FAILED", "CANCELED", "BLOCK"}),
            running=frozenset({"WAITING", "PROCESSING"}),
            result_fields=("output_asset_config", "script_id", "duration"),
        ),
        Resource(
            "live_job_on_air", "ShowSmartLive", ("room_id", "job_id"), "state",
            success=LIVE_ON_AIR,  # what "start and wait until live" waits for; an end before it is a failure
            failure=frozenset({"FAILED", "BLOCKED", "SUCCEED", "CANCELED"}),
            running=LIVE_NOT_YET_ON_AIR,
            error_fields=("error_info", "block_reason"),
        ),
        Resource(
            "live_job_ended", "ShowSmartLive", ("room_id", "job_id"), "state",
            success=frozenset({"SUCCEED"}),
            failure=frozenset({"FAILED", "BLOCKED", "CANCELED"}),
            running=LIVE_HOLDS_ROOM,
            error_fields=("error_info", "block_reason"),
        ),
        Resource(
            "avatar_training_job", "Show2dModelTrainingJob", ("job_id",), "state",
            success=frozenset({"JOB_SUCCESS", "JOB_FINISH"}),
            failure=frozenset(_AVATAR_FAILED),
            running=frozenset(_AVATAR_RUNNING),
            error_fields=("error_info", "reason"),
            result_fields=("asset_id",),
        ),
        Resource(
            "voice_training_job", "ShowVoiceTrainingJob", ("job_id",), "state",
            success=frozenset({"SUCCEED"}),
            failure=frozenset({"FAILED", "SPLIT_FAILED", "AUDIT_FAILED", "USER_REVIEW_REJECT"}),
            running=frozenset({"CREATING", "SYSTEM_AUDITING", "AUDITING", "WAITING_SPLIT", "SPLITTING", "ANNOTATING",
                               "WAITING", "PROCESSING", "RESULT_REVIEW", "USER_RESULT_REVIEW", "UPLOADING"}),
            error_fields=("job_failed_code", "job_failed_reason"),
            result_fields=("asset_id",),
        ),
        Resource(
            "tts_audition", "ShowTtsAuditionFile", ("job_id",), "is_file_complete",
            success=frozenset({"TRUE"}),
            failure=frozenset(),
            running=frozenset({"FALSE", "NONE"}),
            error_fields=("code", "message"),
            result_fields=("job_id", "files"),
        ),
    )
}

VIDEO_JOB = RESOURCES["video_job"]
ASSET = RESOURCES["asset"]
LIVE_JOB_ENDED = RESOURCES["live_job_ended"]
"""A livestream job waited for until it ends: running while it holds its room, SUCCEED when stopped."""

ASSET_ACTIVE = "ACTIVED"
"""The one usable asset state (MetaStudio's spelling)."""
UNUSABLE_ASSET_STATES = ASSET.failure - {"UNACTIVED"}
"""Assets that cannot be carried on with (an UNACTIVED asset can still be activated)."""
NOT_REUSABLE = frozenset({"FAILED", "CANCELED", "BLOCK"})
"""A resource a retry finds in one of these states is made again rather than carried on with."""
AVATAR_JOB = RESOURCES["avatar_training_job"]
VOICE_JOB = RESOURCES["voice_training_job"]
AVATAR_JOB_AWAITING_VIDEO = "WAIT_FILE_UPLOAD"
"""An avatar training job created but not yet submitted (its video uploaded, or not, through the create's URLs)."""
VOICE_JOB_AWAITING_DATA = "CREATING"
"""A voice training job created but not yet given its training data (ShowJobUploadingAddress gives a new URL)."""
CANCELLABLE_VIDEO_STATES = frozenset({"WAITING"})
"""Cancel2DDigitalHumanVideo accepts only a job that has not started rendering."""
