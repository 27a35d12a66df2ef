"""What the livestream show tests share: a fake task instance, a room prepared and claimed for a run, a
livestream started and watched, and the emulator's admin endings (tests/operators/test_livestream_*.py)."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import httpx
import pendulum

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.livestream.rooms import PrepareLivestreamRoomOperator
from metastudio_provider.livestream.show import LivestreamShowOperator
from metastudio_provider.livestream.watch import LivestreamWatchTrigger

from .helpers import emu_call

LIVE = {"live_start_seconds": 0.3}


XCOMS: dict[tuple[str, str, str, int, str], Any] = {}
"""Every XCom the fake task instances pushed: (dag, run, task, map index, key) → value."""


class FakeTaskInstance:
    """What the operators and the claims use of ``context["ti"]``; ``runs`` holds other runs' states."""

    def __init__(self, run_id: str, runs: dict[str, str] | None = None, try_number: int = 1) -> None:
        self.dag_id, self.run_id, self.task_id, self.map_index = "show_tests", run_id, "show", -1
        self.try_number = try_number
        self.runs = {run_id: "running", **(runs or {})}
        self.xcoms: dict[str, Any] = {}

    def xcom_push(self, key: str, value: Any) -> None:
        self.xcoms[key] = value
        XCOMS[(self.dag_id, self.run_id, self.task_id, self.map_index, key)] = value

    def xcom_pull(self, task_ids: str, dag_id: str, run_id: str, key: str, map_indexes: int) -> Any:
        return XCOMS.get((dag_id, run_id, task_ids, map_indexes, key))

    def get_dr_count(self, dag_id: str, run_ids: list[str], states: list[str] | None = None) -> int:
        state = self.runs.get(run_ids[0]) if dag_id == self.dag_id else None
        return int(state is not None and (states is None or state in states))


def context(run_id: str, **kwargs: Any) -> dict[str, Any]:
    return {"ti": FakeTaskInstance(run_id, **kwargs), "dag_run": SimpleNamespace(run_after=pendulum.now("UTC"))}


def definition(name: str, **show: Any) -> dict[str, Any]:
    return {"room_name": name, "products": [{"name": f"{name} mug"}],
            "scenes": [{"script_name": "s", "paragraphs": [{"title": "hi", "text": "Hello.",
                                                            "product": f"{name} mug"}]}],
            "interaction_rules": {"group_name": f"{name}-rules", "rules": [{"event_type": 1, "reply": "Hi!"}]},
            **({"show": show} if show else {})}


def prepare(name: str, run_id: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    ctx = context(run_id, **kwargs)
    out = PrepareLivestreamRoomOperator(task_id="prepare_room", definition=definition(name),
                                        show_task_id="show", deferrable=False).execute(ctx)
    return out, ctx


def start(room_id: str, recorded_by: str | None = None) -> str:
    """StartSmartLive; ``recorded_by``: the run whose show task records it (as the show operator does)."""
    job_id = MetaStudioHook().call("StartSmartLive", {"room_id": room_id}, body={})["job_id"]
    if recorded_by:
        key = ("show_tests", recorded_by, "show", -1, "job_ids")
        XCOMS[key] = [*XCOMS.get(key, []), job_id]
    return job_id


def job_state(emu: Any, room_id: str, job_id: str) -> dict[str, Any]:
    return emu_call(emu, "ShowSmartLive", {"room_id": room_id, "job_id": job_id})


def end_job(emu: Any, job_id: str, **body: Any) -> None:
    resp = httpx.post(f"{emu.base_url}/_emulator/live-jobs/{job_id}/end", json=body)
    assert resp.status_code == 200, resp.text


def first_event(trigger: LivestreamWatchTrigger, timeout: float = 20) -> dict[str, Any]:
    async def first() -> dict[str, Any]:
        async for event in trigger.run():
            return event.payload
        raise AssertionError("no event")

    return asyncio.run(asyncio.wait_for(first(), timeout))


def wait_live(emu: Any, room_id: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while (shown := job_state(emu, room_id, job_id))["state"] != "PROCESSING":
        assert time.monotonic() < deadline, shown
        time.sleep(0.05)
    return shown


def watch(room_id: str, job_id: str, **kwargs: Any) -> LivestreamWatchTrigger:
    return LivestreamWatchTrigger(room_id=room_id, job_id=job_id, poll_interval=0.2, **kwargs)


def show(room_id: str, duration: float = 1.5, **kwargs: Any) -> LivestreamShowOperator:
    return LivestreamShowOperator(task_id="show", room_id=room_id, duration=duration, deferrable=False,
                                  poll_interval=0.2, **kwargs)
