"""The records one tenant's resources are kept in: assets, files, stored objects, jobs and their endings.

Plain data (plus ``new_id`` and ``take_one``), importing nothing of the emulator: ``store.Store`` holds
these records and ``lifecycles`` computes their states, and both import them from here. With the records
inside ``store``, ``store`` and ``lifecycles`` imported each other.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar


def new_id() -> str:
    """A uuid-like id, 32 hex characters as MetaStudio uses."""
    return uuid.uuid4().hex


class Counted(Protocol):
    count: int


C = TypeVar("C", bound=Counted)


def take_one(queue: list[C]) -> C | None:
    """The head of a queue of "the next ``count`` times" entries, used once (dropped when used up)."""
    if not queue:
        return None
    head = queue[0]
    head.count -= 1
    if head.count <= 0:
        queue.pop(0)
    return head


@dataclass
class StoredObject:
    """An object in the fake OBS bucket: an upload slot until ``data`` is set."""

    key: str
    content_type: str = "application/octet-stream"
    expected_md5: str | None = None
    data: bytes | None = None


@dataclass
class FileRecord:
    file_id: str
    asset_id: str
    file_name: str
    file_md5: str
    file_size: int
    file_type: str
    category: str
    object_key: str
    state: str = "CREATING"


@dataclass
class Asset:
    asset_id: str
    asset_name: str
    asset_type: str
    created: float
    updated: float
    source: str = "CUSTOMIZATION"
    state: str = "CREATING"
    description: str = ""
    tags: list[str] = field(default_factory=list)
    extra_meta: dict[str, Any] = field(default_factory=dict)
    system_properties: list[dict[str, Any]] = field(default_factory=list)
    supported_service: list[str] = field(default_factory=list)
    app_user_id: str | None = None
    produce_id: str = field(default_factory=new_id)
    file_ids: list[str] = field(default_factory=list)
    state_before_delete: str | None = None


@dataclass
class Ending:
    """A scripted end of a job, set through the admin API (``/_emulator/*-jobs``).

    ``at`` is the epoch time it takes effect, ``state`` the final state and ``error_info`` the
    ``{error_code, error_msg}`` shown once it is reached.
    """

    at: float
    state: str
    error_info: dict[str, str] | None = None


@dataclass
class PlannedEnding:
    """How the next ``count`` created jobs of a kind end: in ``state``, ``after`` seconds from their start."""

    state: str
    error_info: dict[str, str] | None
    after: float
    count: int = 1


@dataclass
class VideoJob:
    job_id: str
    created: float
    body: dict[str, Any]
    fails: bool
    output_asset_id: str
    canceled_at: float | None = None
    done: bool = False
    ending: Ending | None = None


@dataclass
class LiveJob:
    job_id: str
    room_id: str
    created: float
    body: dict[str, Any]
    stopped_at: float | None = None
    commands: list[dict[str, Any]] = field(default_factory=list)
    ending: Ending | None = None
    exit_at: float | None = None  # MetaStudio stops it itself then (play_policy.live_exit_config)


@dataclass
class AvatarTrainingJob:
    job_id: str
    created: float
    updated: float
    body: dict[str, Any]
    submitted_at: float | None = None
    asset_id: str | None = None
    keys: dict[str, Any] = field(default_factory=dict)


@dataclass
class VoiceTrainingJob:
    job_id: str
    job_type: str
    created: float
    updated: float
    body: dict[str, Any]
    committed_at: float | None = None
    asset_id: str | None = None
    keys: dict[str, Any] = field(default_factory=dict)
    confirmed_index: set[int] = field(default_factory=set)


@dataclass
class TtsJob:
    job_id: str
    created: float
    body: dict[str, Any]
    object_key: str
