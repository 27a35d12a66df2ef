"""The livestream, one feature: prepare a room, run a whole show in it, watched from the triggerer, and stop
every livestream a run leaves behind.

    rooms.py       PrepareLivestreamRoomOperator: the room, its products and rules, claimed for the run
    show.py        LivestreamShowOperator: executes the show's steps (MetaStudio calls, deferrals, XComs)
    steps.py       the show's state and ``next_step(state, event, now)``: every decision, pure
    watch.py       LivestreamWatchTrigger: keeps a show live until its end, then stops it
    window.py      a room's show window: start, duration, restarts, missed grace
    claims.py      which run owns a live room; the janitor's rules
    statuses.py    the vocabularies (``StrEnum``): ShowStatus, WatchStatus, RunState, IfLive
    start_stop.py  StartLivestreamOperator, StopLivestreamOperator: a livestream started and stopped by hand
    dag.py         the DAG wiring: livestream_params, livestream_shows (record_outcome), janitor_task

The names below are imported when first used, so that ``steps``, ``window`` and ``statuses`` load
without Airflow.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from metastudio_provider.livestream.claims import Claim, settle_room, stop_orphans
    from metastudio_provider.livestream.dag import janitor_task, livestream_params, livestream_shows, room_outcome
    from metastudio_provider.livestream.rooms import PrepareLivestreamRoomOperator
    from metastudio_provider.livestream.show import LivestreamShowOperator
    from metastudio_provider.livestream.start_stop import StartLivestreamOperator, StopLivestreamOperator
    from metastudio_provider.livestream.statuses import IfLive, RunState, ShowStatus, WatchStatus
    from metastudio_provider.livestream.steps import Plan, ShowState, Step, next_step
    from metastudio_provider.livestream.watch import LivestreamWatchTrigger
    from metastudio_provider.livestream.window import ShowSettings, show_settings, show_window

_HOMES = {
    "Claim": "claims", "settle_room": "claims", "stop_orphans": "claims",
    "janitor_task": "dag", "livestream_params": "dag", "livestream_shows": "dag", "room_outcome": "dag",
    "PrepareLivestreamRoomOperator": "rooms",
    "LivestreamShowOperator": "show",
    "StartLivestreamOperator": "start_stop", "StopLivestreamOperator": "start_stop",
    "IfLive": "statuses", "RunState": "statuses", "ShowStatus": "statuses", "WatchStatus": "statuses",
    "Plan": "steps", "ShowState": "steps", "Step": "steps", "next_step": "steps",
    "LivestreamWatchTrigger": "watch",
    "ShowSettings": "window", "show_settings": "window", "show_window": "window",
}
__all__ = ["Claim", "IfLive", "LivestreamShowOperator", "LivestreamWatchTrigger", "Plan",
           "PrepareLivestreamRoomOperator", "RunState", "ShowSettings", "ShowState", "ShowStatus",
           "StartLivestreamOperator", "Step", "StopLivestreamOperator", "WatchStatus", "janitor_task",
           "livestream_params", "livestream_shows", "next_step", "room_outcome", "settle_room", "show_settings",
           "show_window", "stop_orphans"]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
