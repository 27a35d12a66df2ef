"""The livestream DAG's tasks, shared by ``dags/metastudio_daily_livestream.py`` and the tests' DAGs.

    with DAG(..., params=livestream_params(), render_template_as_native_obj=True):
        livestream_shows(include_dir=INCLUDE, timezone="Asia/Shanghai")

``rooms`` lists the room definitions of the run (the ``room_definitions`` Param, else every
``livestream/*.yaml``); one mapped task group per room then runs ``plan_show`` (the room file and
its show window: a missed show fails here, before anything is touched) → ``prepare_room``
(``PrepareLivestreamRoomOperator``, which claims the room for the run) → ``show``
(``LivestreamShowOperator``). ``record_outcome`` says what happened in every room (XCom
``outcome``) and fails the run unless every show ran to its end. ``janitor_task`` is the task of
the janitor DAG, which stops livestreams whose run is over.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from airflow.sdk import Param, XComArg, get_current_context, task, task_group

from metastudio_provider.livestream.statuses import SHOW_RAN, ShowStatus
from metastudio_provider.livestream.window import SHOW_LIMITS

log = logging.getLogger(__name__)


def livestream_params(schedule: str | None = None) -> dict[str, Param]:
    """The Trigger form: which rooms, and how long (both optional). ``schedule`` ("20:00 daily (Asia/Shanghai)")
    is named in the form's first field: the Trigger dialog's "Unpause on trigger" turns that schedule on."""
    low, high = SHOW_LIMITS["duration_minutes"]
    on = (f" Pressing Trigger with \"Unpause … on trigger\" checked (the dialog's default) also turns the daily "
          f"show on: every room then goes live {schedule} from now on. Uncheck it for a one-off show."
          if schedule else "")
    return {
        "room_definitions": Param(
            None, type=["null", "array"], items={"type": "string", "minLength": 1, "maxLength": 1024}, title="Rooms",
            description="Room definitions (YAML, relative to include/), one per line. Empty: every "
                        "include/livestream/*.yaml." + on,
        ),
        "duration_minutes": Param(
            None, type=["null", "number"], minimum=low, maximum=high, title="Minutes live",
            description="How long each room stays live, counted from the moment it goes live. Empty: each "
                        "room's own show.duration_minutes (60 unless set).",
        ),
    }


ROOM_LABEL = "{{ (ti.xcom_pull(task_ids='rooms') or ['?'] * (ti.map_index + 1))[ti.map_index]" \
             ".rsplit('/', 1)[-1].removesuffix('.yaml') }}"
"""``map_index_template`` of a room's tasks: its definition's file name (``evening-deals``), not ``0``."""


def livestream_shows(*, include_dir: Path | str, rooms_glob: str = "livestream/*.yaml", timezone: str = "UTC",
                     poll_interval: float = 5.0, group_id: str = "livestream",
                     metastudio_conn_id: str = "metastudio_default") -> Any:
    """Add the livestream tasks to the DAG being defined; return ``record_outcome``. The rooms are prepared
    and the shows run through the connection ``metastudio_conn_id`` (a tenant and region)."""
    from metastudio_provider.livestream.rooms import PrepareLivestreamRoomOperator
    from metastudio_provider.livestream.show import LivestreamShowOperator

    include = Path(include_dir)

    @task
    def rooms(params: dict | None = None) -> list[str]:
        """The run's room definitions, each an existing file under include/; bad conf fails the run here."""
        from metastudio_provider.checks.paths import resolve_under
        from metastudio_provider.checks.problems import Problems
        from metastudio_provider.checks.run_conf import check_run_conf

        context = get_current_context()
        found = Problems()
        check_run_conf(context, found)
        chosen = list((params or {}).get("room_definitions") or [])
        if not chosen:
            chosen = sorted(p.relative_to(include).as_posix() for p in include.glob(rooms_glob) if p.is_file())
            if not chosen:
                found.add(f"no room definition matches {rooms_glob} under {include}")
        for item in chosen:
            found.check(resolve_under, item, include, "room_definitions")
        found.fail_if_any(f"{context['dag'].dag_id}: bad input, nothing was created")
        log.info("Rooms of this run: %s", ", ".join(chosen))
        return chosen

    @task(multiple_outputs=True, map_index_template=ROOM_LABEL)
    def plan_show(room_definition: str, params: dict | None = None) -> dict[str, Any]:
        """Read and check the room file; plan its show; fail (recording why) if the show is already missed."""
        import yaml
        from airflow.sdk.exceptions import AirflowFailException

        from metastudio_provider.checks.paths import resolve_under
        from metastudio_provider.checks.problems import Problems
        from metastudio_provider.checks.rooms import room_problems
        from metastudio_provider.checks.shows import show_problems
        from metastudio_provider.hooks.metastudio import identity_token
        from metastudio_provider.livestream.window import (
            lateness,
            missed_message,
            planned_start,
            show_settings,
            show_window,
        )

        context = get_current_context()
        ti, run = context["ti"], context["dag_run"]
        path = resolve_under(room_definition, include, "room_definitions")
        found = Problems()
        try:
            definition = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            found.add(f"not valid YAML: {' '.join(str(exc).split())}")
            definition = {}
        if not isinstance(definition, dict):
            found.add(f"expected a mapping, got {type(definition).__name__}")
            definition = {}
        found.add(*room_problems(definition), *show_problems(definition))
        found.fail_if_any(f"room definition {room_definition}: nothing was created")
        settings = show_settings(definition)
        scheduled = getattr(run.run_type, "value", run.run_type) == "scheduled"
        starts = planned_start(settings, run.run_after, scheduled, timezone)
        window = show_window(settings, starts, (params or {}).get("duration_minutes"))
        timeout = context["dag"].dagrun_timeout  # a room's start time must leave room for its show
        ends = starts + timedelta(seconds=window["duration_seconds"])
        if scheduled and timeout is not None and ends > run.run_after + timeout:
            raise AirflowFailException(f"room definition {room_definition}: its show (start {window['starts_at']}, "
                                       f"{window['duration_seconds']:.0f} s) would end after the run's "
                                       f"dagrun_timeout ({timeout}): start it earlier or make it shorter")
        late = lateness(starts)
        if late > window["missed_grace_seconds"]:
            message = missed_message(window["starts_at"], late, window["missed_grace_seconds"], timezone)
            ti.xcom_push(key="outcome", value={"room_definition": room_definition, "status": ShowStatus.MISSED,
                                               "message": message, "went_live": False, **window})
            raise AirflowFailException(f"room {definition['room_name']} ({room_definition}): {message}")
        log.info("Room %s: live at %s for %.0f s (restarts %d, missed after %.0f s late)", definition["room_name"],
                 window["starts_at"], window["duration_seconds"], window["max_restarts"],
                 window["missed_grace_seconds"])
        return {"definition": definition, "identity": identity_token(ti.dag_id, room_definition), **window}

    @task_group(group_id=group_id)
    def show_room(room_definition: str) -> None:
        plan: Any = plan_show(room_definition)  # XComArgs: resolved per room when the tasks run
        prepared = PrepareLivestreamRoomOperator(task_id="prepare_room", definition=plan["definition"],
                                                 identity=plan["identity"], show_task_id=f"{group_id}.show",
                                                 map_index_template=ROOM_LABEL, metastudio_conn_id=metastudio_conn_id)
        room_id: Any = XComArg(prepared, key="room_id")
        clock_skew: Any = XComArg(prepared, key="clock_skew")
        LivestreamShowOperator(
            task_id="show", room_id=room_id, clock_skew=clock_skew,
            starts_at=plan["starts_at"], duration=plan["duration_seconds"], missed_grace=plan["missed_grace_seconds"],
            max_restarts=plan["max_restarts"], live_within=plan["live_within_seconds"], poll_interval=poll_interval,
            map_index_template=ROOM_LABEL, metastudio_conn_id=metastudio_conn_id,
        )

    @task(trigger_rule="all_done")
    def record_outcome() -> dict[str, Any]:
        """What happened in every room (XCom ``outcome`` and the log); fail unless every show ran to its end."""
        from airflow.sdk.exceptions import AirflowFailException

        context = get_current_context()
        ti = context["ti"]
        chosen = ti.xcom_pull(task_ids="rooms") or []
        states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[ti.run_id], task_group_id=group_id).get(ti.run_id, {})
        rooms_done, failed = [], []
        for index, room_definition in enumerate(chosen):
            def pull(task_id: str, index: int = index) -> Any:
                return ti.xcom_pull(task_ids=f"{group_id}.{task_id}", key="outcome", map_indexes=index)

            task_states = {t: states.get(f"{group_id}.{t}_{index}") for t in ("plan_show", "prepare_room", "show")}
            outcome = room_outcome(pull("show") or pull("plan_show"), task_states)
            outcome = {"room_definition": room_definition, **outcome, "tasks": task_states}
            rooms_done.append(outcome)
            log.info("Room %s: %s: %s", room_definition, outcome["status"], outcome.get("message", ""))
            if outcome["status"] not in SHOW_RAN:
                failed.append(f"{room_definition}: {outcome['status']}: {outcome.get('message', '')}")
        summary = {"success": not failed and bool(chosen), "rooms": rooms_done}
        ti.xcom_push(key="outcome", value=summary)
        from metastudio_provider.listeners.run_notes import note_for_run

        if not chosen:
            raise AirflowFailException(note_for_run(ti, "no room was shown: see the rooms task's log"))
        if failed:
            raise AirflowFailException(note_for_run(ti, f"{len(failed)} of {len(chosen)} show(s) did not run to "
                                                        "their end: " + " | ".join(failed)))
        note_for_run(ti, f"{len(chosen)} show(s) ran to their end")
        return summary

    shows = show_room.expand(room_definition=rooms())
    recorded = record_outcome()
    shows >> recorded
    return recorded


def room_outcome(recorded: dict[str, Any] | None, task_states: dict[str, str | None]) -> dict[str, Any]:
    """A room's outcome: what its tasks recorded, unless their states say otherwise. A ``success`` whose
    show task did not end success (marked failed by hand afterwards, failed after recording) is a
    failure: the run's colour follows what the tasks' states say happened."""
    if not recorded:
        return _without_outcome(task_states)
    show_state = task_states.get("show")
    if recorded.get("status") == ShowStatus.SUCCESS and show_state not in ("success", None):
        return {**recorded, "status": ShowStatus.FAILED,
                "message": f"the show recorded success, but its task ended {show_state}: see its log"}
    return recorded


def _without_outcome(task_states: dict[str, str | None]) -> dict[str, Any]:
    """A room whose tasks recorded nothing: say what their states tell."""
    if task_states.get("show") == "success":
        return {"status": ShowStatus.MARKED_SUCCESS, "message": "the show task was marked success by hand"}
    for task_id in ("plan_show", "prepare_room", "show"):
        if task_states.get(task_id) in ("failed", "upstream_failed"):
            return {"status": ShowStatus.FAILED, "message": f"{task_id} {task_states[task_id]}: see its log"}
    return {"status": ShowStatus.NOT_RUN, "message": f"the show did not run (tasks: {task_states})"}


def janitor_task(metastudio_conn_id: str = "metastudio_default") -> Any:
    """The janitor's one task: stop every livestream of a claimed room whose run is no longer running."""

    @task
    def stop_orphaned_livestreams() -> list[dict[str, Any]]:
        """One ListSmartLiveJobs call when nothing is live; stops what finished runs left live."""
        from metastudio_provider.hooks.metastudio import MetaStudioHook
        from metastudio_provider.livestream.claims import Runs, stop_orphans

        ti = get_current_context()["ti"]
        with MetaStudioHook(metastudio_conn_id) as hook:
            stopped = stop_orphans(hook, Runs(ti), log)
        log.info("Stopped %d orphaned livestream(s)", len(stopped))
        return stopped

    return stop_orphaned_livestreams()
