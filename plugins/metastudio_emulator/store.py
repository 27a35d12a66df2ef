"""In-memory state of one tenant: records, stored objects (the fake OBS) and completion side effects."""

from __future__ import annotations

import random
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from metastudio_provider.signing import content_md5

from . import lifecycles
from .config import EmulatorConfig
from .media import sample_video


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


class Store:
    """All resources of the tenant. Handlers hold ``lock`` while they read or change it."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.rng = random.Random(config.seed)
        self.objects: dict[str, StoredObject] = {}
        self.assets: dict[str, Asset] = {}
        self.files: dict[str, FileRecord] = {}
        self.scripts: dict[str, dict[str, Any]] = {}
        self.video_jobs: dict[str, VideoJob] = {}
        self.rooms: dict[str, dict[str, Any]] = {}
        self.live_jobs: dict[str, LiveJob] = {}
        self.rule_groups: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.avatar_jobs: dict[str, AvatarTrainingJob] = {}
        self.voice_jobs: dict[str, VoiceTrainingJob] = {}
        self.tts_jobs: dict[str, TtsJob] = {}
        self.large_file_parts: dict[str, list[str]] = {}
        self.planned_endings: dict[str, list[PlannedEnding]] = {"video": [], "live": []}

    # -- the fake OBS ---------------------------------------------------------------------------

    def new_upload_slot(self, prefix: str, *, expected_md5: str | None = None,
                        content_type: str = "application/octet-stream", name: str | None = None) -> str:
        """An empty object that a pre-signed PUT may fill; returns its key ``prefix/name``."""
        key = f"{prefix}/{name or new_id()}"
        self.objects[key] = StoredObject(key, content_type, expected_md5)
        return key

    def put_object(self, key: str, data: bytes, content_type: str) -> str:
        self.objects[key] = StoredObject(key, content_type, content_md5(data), data)
        return key

    # -- assets ---------------------------------------------------------------------------------

    def add_asset(self, name: str, asset_type: str, now: float, **kwargs: Any) -> Asset:
        asset = Asset(asset_id=kwargs.pop("asset_id", None) or new_id(), asset_name=name,
                      asset_type=asset_type, created=now, updated=now, **kwargs)
        self.assets[asset.asset_id] = asset
        return asset

    def add_ready_asset(self, name: str, asset_type: str, now: float, *, data: bytes, file_name: str,
                        content_type: str, **kwargs: Any) -> Asset:
        """An ACTIVED asset with a MAIN file whose bytes are stored (system or produced assets)."""
        asset = self.add_asset(name, asset_type, now, state="ACTIVED", **kwargs)
        key = self.put_object(f"assets/{asset.asset_id}/{new_id()}", data, content_type)
        record = FileRecord(new_id(), asset.asset_id, file_name, content_md5(data), len(data),
                            file_name.rsplit(".", 1)[-1].upper(), "MAIN", key, "CREATED")
        self.files[record.file_id] = record
        asset.file_ids.append(record.file_id)
        return asset

    # -- scripted endings (admin API) ----------------------------------------------------------

    def plan_ending(self, kind: str, planned: PlannedEnding) -> None:
        """Make the next ``planned.count`` jobs of ``kind`` ("video" or "live") end as planned."""
        self.planned_endings[kind].append(planned)

    def take_planned_ending(self, kind: str, start: float) -> Ending | None:
        """The ending of a job of ``kind`` created now whose delay counts from ``start`` (consumes one)."""
        planned = take_one(self.planned_endings[kind])
        return None if planned is None else Ending(start + planned.after, planned.state, planned.error_info)

    # -- lazy completion ------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Apply the side effects of jobs that have finished by ``now`` (output and trained assets)."""
        cfg = self.config
        for job in self.video_jobs.values():
            if not job.done and lifecycles.video_state(job, now, cfg) == "SUCCEED":
                job.done = True
                name = (job.body.get("output_asset_config") or {}).get("asset_name") or f"video-{job.job_id}"
                data = sample_video()  # a real 10 s MP4; its file_md5 (base64, as MetaStudio) is in the file info
                end = lifecycles.video_end(job, cfg)
                self.add_ready_asset(name, "VIDEO", end, asset_id=job.output_asset_id, data=data,
                                     file_name=f"{job.job_id}.mp4", content_type="video/mp4",
                                     extra_meta={"video_meta": {"duration": 10, "width": 1920, "height": 1080,
                                                                "video_transcoding_status": "SUCCEEDED"}})
        for avatar in self.avatar_jobs.values():
            if avatar.asset_id is None and lifecycles.avatar_training_state(avatar, now, cfg) == "JOB_SUCCESS":
                asset = self.add_ready_asset(
                    avatar.body.get("name") or "avatar", "HUMAN_MODEL_2D", now, data=b"EMULATED-AVATAR-MODEL",
                    file_name="model.zip", content_type="application/zip",
                    extra_meta={"human_model_2d_meta": {"support_live": True, "model_version": "V3.2",
                                                        "model_resolution": "1080P"}},
                    supported_service=["VIDEO_2D", "LIVE_2D"])
                avatar.asset_id = asset.asset_id
        for voice in self.voice_jobs.values():
            if voice.asset_id is None and lifecycles.voice_training_state(voice, now, cfg) == "SUCCEED":
                asset = self.add_ready_asset(
                    voice.body.get("voice_name") or "voice", "VOICE_MODEL", now, data=b"EMULATED-VOICE-MODEL",
                    file_name="voice.zip", content_type="application/zip",
                    extra_meta={"voice_model_meta": {"model_type": "FLEXUS", "sex": voice.body.get("sex") or "FEMALE",
                                                     "language": voice.body.get("language") or "CN",
                                                     "is_realtime_voice": True}})
                voice.asset_id = asset.asset_id


def fake_video(tag: str) -> bytes:
    """A few bytes that start like an MP4 file."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + f"emulated video {tag}".encode()


def tiny_wav(tag: str) -> bytes:
    """A valid, silent 16 kHz mono WAV of 0.1 s."""
    samples = b"\x00\x00" * 1600
    header = b"RIFF" + (36 + len(samples)).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little")
    header += (1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little")
    header += (32000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little")
    return header + b"data" + len(samples).to_bytes(4, "little") + samples
