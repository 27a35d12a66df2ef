"""States computed lazily from timestamps: nothing runs in the background.

Each function takes a record and ``now`` (epoch seconds) and returns the state the real service
would report at that moment. The WAITING/verifying phase is the first fifth of a duration.
"""

from __future__ import annotations

from typing import Any

from .config import EmulatorConfig
from .records import AvatarTrainingJob, LiveJob, TtsJob, VideoJob, VoiceTrainingJob

FIRST_PHASE = 0.2
"""Share of a duration spent in the first phase (WAITING, AUTO_VERIFYING, SYSTEM_AUDITING)."""

VIDEO_FINAL = frozenset({"SUCCEED", "FAILED", "CANCELED", "BLOCK"})
LIVE_ACTIVE = frozenset({"WAITING", "PROCESSING"})


def video_end(job: VideoJob, config: EmulatorConfig) -> float:
    """When the job reaches its final state: a scripted ending's time, else ``job_seconds`` after creation."""
    return job.ending.at if job.ending is not None else job.created + config.job_seconds


def video_state(job: VideoJob, now: float, config: EmulatorConfig) -> str:
    """WAITING → PROCESSING → SUCCEED | FAILED over ``job_seconds``; CANCELED once cancelled.

    A scripted ending (admin API) replaces the normal end: its state from its time on.
    """
    if job.canceled_at is not None:
        return "CANCELED"
    if now >= video_end(job, config):
        if job.ending is not None:
            return job.ending.state
        return "FAILED" if job.fails else "SUCCEED"
    if now - job.created < config.job_seconds * FIRST_PHASE:
        return "WAITING"
    return "PROCESSING"


def video_times(job: VideoJob, now: float, config: EmulatorConfig) -> tuple[float | None, float | None]:
    """(start_time, end_time) of processing, each None until reached (no start if it ended first)."""
    if job.canceled_at is not None:
        return None, job.canceled_at
    start = job.created + config.job_seconds * FIRST_PHASE
    end = video_end(job, config)
    return (start if now >= start and start < end else None), (end if now >= end else None)


def live_state(job: LiveJob, now: float, config: EmulatorConfig) -> str:
    """WAITING for ``live_start_seconds``, PROCESSING until stopped (then SUCCEED), a scripted ending, or
    its ``live_exit_config`` time (SUCCEED: MetaStudio stopped it), whichever comes first."""
    if job.stopped_at is not None:
        return "SUCCEED"
    if job.ending is not None and now >= job.ending.at and (job.exit_at is None or job.ending.at <= job.exit_at):
        return job.ending.state
    if job.exit_at is not None and now >= job.exit_at:
        return "SUCCEED"
    if now - job.created < config.live_start_seconds:
        return "WAITING"
    return "PROCESSING"


def live_end_time(job: LiveJob, now: float) -> float | None:
    """When the job ended (stopped, scripted ending or live_exit_config time reached), None while it runs."""
    ends = [t for t in (job.ending.at if job.ending is not None else None, job.exit_at) if t is not None]
    if job.stopped_at is not None:
        return job.stopped_at
    if ends and now >= min(ends):
        return min(ends)
    return None


def live_exit_seconds(body: dict[str, Any], config: EmulatorConfig) -> float | None:
    """Seconds after going live at which MetaStudio stops a job by itself: ``play_policy.live_exit_config
    .max_live_duration`` hours (0 or absent: no limit; an hour is ``config.live_exit_hour_seconds``). Every
    ``auto_stop_mode`` stops it at that time here (FORCE_EXIT; the emulator has no segments to wait for)."""
    hours = (((body.get("play_policy") or {}).get("live_exit_config")) or {}).get("max_live_duration")
    return float(hours) * config.live_exit_hour_seconds if hours else None


def ending_error(job: VideoJob | LiveJob, state: str, default: dict[str, str]) -> dict[str, str] | None:
    """``error_info`` of a FAILED job: its scripted ``{error_code, error_msg}``, else ``default``."""
    if state != "FAILED":
        return None
    scripted: dict[str, Any] | None = job.ending.error_info if job.ending is not None else None
    return scripted or default


def live_start_time(job: LiveJob, config: EmulatorConfig) -> float:
    return job.created + config.live_start_seconds


def _training_state(started_at: float | None, now: float, seconds: float, states: tuple[str, str, str, str]) -> str:
    """A training job's four phases: waiting for its data, then checks (the first fifth), training, done."""
    waiting, checking, training, done = states
    if started_at is None:
        return waiting
    elapsed = now - started_at
    if elapsed < seconds * FIRST_PHASE:
        return checking
    return training if elapsed < seconds else done


def avatar_training_state(job: AvatarTrainingJob, now: float, config: EmulatorConfig) -> str:
    """WAIT_FILE_UPLOAD until SUBMITVERIFYING, then AUTO_VERIFYING → TRAINING → JOB_SUCCESS."""
    return _training_state(job.submitted_at, now, config.training_seconds,
                           ("WAIT_FILE_UPLOAD", "AUTO_VERIFYING", "TRAINING", "JOB_SUCCESS"))


def voice_training_state(job: VoiceTrainingJob, now: float, config: EmulatorConfig) -> str:
    """CREATING until committed, then SYSTEM_AUDITING → PROCESSING → SUCCEED."""
    return _training_state(job.committed_at, now, config.training_seconds,
                           ("CREATING", "SYSTEM_AUDITING", "PROCESSING", "SUCCEED"))


def tts_complete(job: TtsJob, now: float, config: EmulatorConfig) -> bool:
    return now - job.created >= config.tts_seconds
