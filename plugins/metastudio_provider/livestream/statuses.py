"""The livestream's vocabularies, each in one enum. ``StrEnum``: a member *is* its string, so XComs,
trigger events and the logs carry the same plain strings as before, and readers compare them as strings."""

from __future__ import annotations

from enum import StrEnum


class ShowStatus(StrEnum):
    """``status`` of a show's ``outcome`` XCom (``show`` and ``plan_show``), and of a room in
    ``record_outcome``'s: the first six say what the show did; the last three only what the room's task
    states say when its tasks recorded nothing, or contradict what they recorded (``dag.room_outcome``)."""

    SUCCESS = "success"
    """Live until its planned end."""
    MISSED = "missed"
    """Not started: it would have gone live more than ``missed_grace`` after its planned start."""
    BLOCKED = "blocked"
    """Not started: the room is claimed by another run, or live with a livestream this run did not start."""
    NOT_LIVE = "not_live"
    """Started, but not live within ``live_within``: stopped."""
    CUT_SHORT = "cut_short"
    """Ended before its end, with no restart left (or seen only after its end)."""
    ERROR = "error"
    """Stopped at its end in a failed state, or the watch failed for good."""
    FAILED = "failed"
    """(``record_outcome``) a task of the room failed, or the show task did not end success."""
    MARKED_SUCCESS = "marked_success"
    """(``record_outcome``) the show task was marked success by hand."""
    NOT_RUN = "not_run"
    """(``record_outcome``) the room's tasks neither recorded anything nor failed."""


SHOW_RAN = frozenset({ShowStatus.SUCCESS, ShowStatus.MARKED_SUCCESS})
"""A room whose show counts as run to its end (``record_outcome``)."""


class WatchStatus(StrEnum):
    """``status`` of the one event of ``LivestreamWatchTrigger``."""

    COMPLETED = "completed"
    """The watch stopped the livestream at its end."""
    ENDED = "ended"
    """It ended by itself (FAILED, BLOCKED, SUCCEED...), also when that is seen only after its end."""
    NOT_LIVE = "not_live"
    """Not live by ``live_by``: the watch stopped it."""
    ERROR = "error"
    """A permanent error (``message``); the job may still be live."""


class RunState(StrEnum):
    """What ``claims.Runs.state`` says of a claiming run (None: this Airflow has no such run)."""

    RUNNING = "running"
    """Queued or running: its room and its livestreams are its own."""
    FINISHED = "finished"
    """Over, however it ended: what it left live is stopped."""


class IfLive(StrEnum):
    """``StartLivestreamOperator(if_live=...)``: what to do in a room that is already live."""

    FAIL = "fail"
    """Fail the task, naming the running job (a retried try adopts its own)."""
    ADOPT = "adopt"
    """Carry on with the running job."""
