"""The reason a run failed (or was skipped), written where the run is looked at: the DAG run's note.

A task cannot write a run's note (the Task SDK has no call for it), so the project's tasks push the
reason as XCom ``run_note`` (``note_for_run``) and this Airflow listener, registered by
``plugins.MetaStudioRunNotesPlugin``, copies it into the note when the scheduler ends the run. The note
shows on the run's page and in the grid's tooltip, where "see the task log" used to be the only way.
A note someone already wrote is never replaced.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.listeners import hookimpl

RUN_NOTE_KEY = "run_note"
"""XCom key of a task's sentence for its run's note."""

log = logging.getLogger(__name__)


def note_for_run(ti: Any, text: str) -> str:
    """Push ``text`` (one or two lines a person reads first) as the run's note, once the run ends; return it."""
    ti.xcom_push(key=RUN_NOTE_KEY, value=text[:1000])
    return text


def run_note(notes: list[tuple[str, Any]], failed_tasks: list[str]) -> str | None:
    """The note of a run from its tasks' ``run_note`` XComs ((task id, value), in order); for a failed run
    without any, which tasks failed. ``failed_tasks`` is empty for a run that succeeded."""
    texts = [f"{task_id}: {value}" if len(notes) > 1 else str(value) for task_id, value in notes if value]
    if failed_tasks and not texts:
        texts = [", ".join(failed_tasks) + " failed: see the task log"]
    if not texts:
        return None
    return (("Failed: " if failed_tasks else "") + " | ".join(texts))[:1000]


def _write_note(dag_run: Any) -> None:
    """In the scheduler, the run is bound to its session and the note goes in with its new state; elsewhere
    (``airflow dags test``) the run is detached and the note is written in a session of its own."""
    from sqlalchemy.orm import object_session

    state = str(getattr(dag_run.state, "value", dag_run.state))
    if (session := object_session(dag_run)) is not None:
        _add_note(session, dag_run.id, dag_run.dag_id, dag_run.run_id, state)
        return
    from airflow.utils.session import create_session

    with create_session() as own:
        _add_note(own, dag_run.id, dag_run.dag_id, dag_run.run_id, state)


def _add_note(session: Any, run_pk: int, dag_id: str, run_id: str, state: str) -> None:
    from types import SimpleNamespace

    from airflow.models.dagrun import DagRunNote
    from airflow.models.taskinstance import TaskInstance
    from airflow.models.xcom import XComModel
    from sqlalchemy import select

    if session.get(DagRunNote, run_pk) is not None:
        return  # someone's note: never replaced
    rows = session.execute(select(XComModel.task_id, XComModel.value)
                           .where(XComModel.dag_run_id == run_pk, XComModel.key == RUN_NOTE_KEY)
                           .order_by(XComModel.timestamp)).all()
    notes = [(task_id, XComModel.deserialize_value(SimpleNamespace(value=value))) for task_id, value in rows]
    failed = sorted(set(session.scalars(select(TaskInstance.task_id).where(
        TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id, TaskInstance.state == "failed")))
    ) if state == "failed" else []
    if text := run_note(notes, failed):
        note = DagRunNote(content=text)
        note.dag_run_id = run_pk
        session.add(note)


@hookimpl
def on_dag_run_failed(dag_run: Any, msg: str) -> None:
    try:
        _write_note(dag_run)
    except Exception:  # a note is a courtesy: never in the scheduler's way
        log.exception("Could not write the note of %s", dag_run)


@hookimpl
def on_dag_run_success(dag_run: Any, msg: str) -> None:
    try:
        _write_note(dag_run)
    except Exception:
        log.exception("Could not write the note of %s", dag_run)
