"""The tenant's resources (``Store``): what the handlers read and change, and what a job leaves when it finishes.

One job: hold the records of ``records`` by id, store the fake OBS's objects, and on ``tick`` apply the side
effects of jobs finished by then (their output and trained assets). Not to be confused with ``runtime``,
which holds one ``Store`` beside the gateway's parts (throttle, faults) and runs handlers on it.
"""

from __future__ import annotations

import random
import threading
from typing import Any

from metastudio_provider.signing import content_md5

from . import lifecycles
from .config import EmulatorConfig
from .media import sample_video
from .records import (
    Asset,
    AvatarTrainingJob,
    Ending,
    FileRecord,
    LiveJob,
    PlannedEnding,
    StoredObject,
    TtsJob,
    VideoJob,
    VoiceTrainingJob,
    new_id,
    take_one,
)


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
