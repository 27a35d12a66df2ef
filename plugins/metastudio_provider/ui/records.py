"""What the MetaStudio view reads from Airflow's own database: task instances, XComs and asset events.

Only the DAGs the caller may read (``dag_ids``) are queried; nothing here calls MetaStudio.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeGuard

from sqlalchemy import select
from sqlalchemy.orm import Session

from metastudio_provider.batches.submission import CHUNK_TASK, MANIFEST_TASK
from metastudio_provider.livestream.claims import START_ATTEMPTS_XCOM

SHOW_OPERATORS = ("LivestreamShowOperator",)
"""Task types of a whole show (``livestream/show.py``): their deferral carries the show's state."""
UNFINISHED = ("scheduled", "queued", "running", "deferred", "up_for_retry", "up_for_reschedule", "restarting")
FINISHED = ("success", "failed")
DAYS = 30


@dataclass(frozen=True)
class TaskRef:
    """A task instance, enough to link to it."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1


@dataclass(frozen=True)
class ShowTask:
    """An unfinished show task; ``show`` is its ``ShowState`` JSON (None before its first deferral)."""

    task: TaskRef
    state: str | None
    show: dict[str, Any] | None
    job_id: str | None


@dataclass(frozen=True)
class VideoJobRef:
    """A video job an Airflow task created (XCom ``job_id`` of a video task, ``rows`` of a backfill chunk)."""

    job_id: str
    task: TaskRef
    run_state: str | None
    row: str | None = None


@dataclass(frozen=True)
class RowFailure:
    """A backfill row MetaStudio refused before rendering (XCom ``rows``, status failed)."""

    task: TaskRef
    row: str
    error_code: str | None
    error: str
    at: float


@dataclass(frozen=True)
class RowsToSubmit:
    """A running batch's rows that no chunk task has submitted yet: the rows of its chunks whose task has
    not finished (a running chunk counts whole: it records its rows when it ends)."""

    dag_id: str
    run_id: str
    run_state: str | None
    rows: int
    chunks: int


@dataclass
class Records:
    shows: list[ShowTask] = field(default_factory=list)
    video_jobs: list[VideoJobRef] = field(default_factory=list)
    row_failures: list[RowFailure] = field(default_factory=list)
    video_seconds: list[tuple[str, float, float]] = field(default_factory=list)
    """(dag id, when, seconds) of each video announced as an asset event (extra ``duration``)."""
    live_spans: list[tuple[str, float, float]] = field(default_factory=list)
    """(dag id, went live, ended) of each finished show (XCom ``outcome``), and of each show killed while
    live (no ``outcome``: ``killed_span``)."""
    killed_shows: list[TaskRef] = field(default_factory=list)
    """The show tasks that ended without an ``outcome`` whose minutes ``killed_span`` estimated."""
    to_submit: list[RowsToSubmit] = field(default_factory=list)
    """Running batches with rows not submitted yet (``rows_to_submit``)."""


def _kwargs(value: Any) -> dict[str, Any]:
    """A deferral's ``next_kwargs`` (serde-encoded by the task runner)."""
    if not isinstance(value, dict):
        return {}
    try:
        from airflow.sdk.serde import deserialize

        decoded = deserialize(value)
        return decoded if isinstance(decoded, dict) else value
    except Exception:  # noqa: BLE001 - an older encoding: the plain JSON is what we need
        return value


def _xcom(value: Any) -> Any:
    from airflow.models.xcom import XComModel

    try:
        return XComModel.deserialize_value(type("Row", (), {"value": value})())
    except Exception:  # noqa: BLE001
        return value


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    try:
        return datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def killed_span(state: Any, attempts: Any, end_date: datetime | None) -> tuple[float, float] | None:
    """(went live, ended) of a show task that finished without writing its ``outcome`` (marked failed or success
    while live, its worker lost for good): from when it went live to the task instance's ``end_date``, when the
    kill stopped its livestream (``on_kill``, or the triggerer cancelling the watch).

    ``state`` is the ``ShowState`` JSON of its last deferral (``next_kwargs``, kept by a mark-failed/success):
    its ``live_since`` once a watch has reported it, but None during the first live stint (the watch reports
    only when it ends). Then the first StartSmartLive that returned a job id (``attempts``: the XCom
    ``start_attempts``, else the state's), in Airflow's clock (``at`` minus ``plan.clock_skew``): it went live
    a little after that (at most ``live_within``), so this counts a little more than MetaStudio would.
    None: it never started a livestream, or no ``end_date``.
    """
    if end_date is None:
        return None
    state = state if isinstance(state, dict) else {}
    plan = state.get("plan") if isinstance(state.get("plan"), dict) else {}
    went = state.get("live_since")
    if not isinstance(went, int | float):
        if not isinstance(attempts, list) or not attempts:
            attempts = state.get("start_attempts")
        sent = [a["at"] for a in attempts or () if isinstance(a, dict) and a.get("job_id")
                and isinstance(a.get("at"), int | float)]
        skew = plan.get("clock_skew") if isinstance(plan.get("clock_skew"), int | float) else 0.0
        went = min(sent) - skew if sent else None
    ended = end_date.timestamp()
    return (float(went), ended) if went is not None and ended > went else None


def is_chunks(value: Any) -> TypeGuard[list[list[dict[str, Any]]]]:
    """A batch's manifest as its chunk tasks map over it: a list of lists of rows."""
    return isinstance(value, list) and all(isinstance(c, list) and all(isinstance(r, dict) for r in c) for c in value)


def rows_to_submit(session: Session, ids: list[str]) -> list[RowsToSubmit]:
    """Per running batch (a run with ``submit_chunk`` tasks, ``batches.wiring``): the rows of the chunks whose
    task has not finished, counted from the manifest the chunks map over (XCom of ``load_manifest``, the task
    beside ``submit_chunk``, in the same task group if any)."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel as X

    chunk_tis = session.execute(
        select(TI.dag_id, TI.run_id, TI.task_id, TI.map_index, TI.state, DagRun.state.label("run_state"))
        .join(DagRun, (DagRun.dag_id == TI.dag_id) & (DagRun.run_id == TI.run_id))
        .where(TI.dag_id.in_(ids), DagRun.state.in_(("queued", "running")), TI.map_index >= 0,
               (TI.task_id == CHUNK_TASK) | TI.task_id.like(f"%.{CHUNK_TASK}"))
    ).all()
    batches: dict[tuple[str, str, str], list[Any]] = {}
    for ti in chunk_tis:
        batches.setdefault((ti.dag_id, ti.run_id, ti.task_id), []).append(ti)
    out = []
    for (dag_id, run_id, task_id), tis in sorted(batches.items()):
        open_chunks = [t.map_index for t in tis if t.state is None or str(t.state) in UNFINISHED]
        if not open_chunks:
            continue
        manifest = task_id.removesuffix(CHUNK_TASK) + MANIFEST_TASK
        value = session.scalar(select(X.value).where(X.dag_id == dag_id, X.run_id == run_id, X.task_id == manifest,
                                                     X.map_index == -1, X.key == "return_value"))
        chunks = _xcom(value) if value is not None else None
        if not is_chunks(chunks):
            continue
        rows = sum(len(chunks[i]) for i in open_chunks if i < len(chunks))
        run_state = tis[0].run_state
        out.append(RowsToSubmit(dag_id, run_id, str(run_state) if run_state else None, rows, len(open_chunks)))
    return out


def read_records(session: Session, dag_ids: set[str], now: datetime) -> Records:
    """Everything the view needs from the database, for the DAGs in ``dag_ids``."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance as TI
    from airflow.models.xcom import XComModel as X

    out = Records()
    if not dag_ids:
        return out
    since = now - timedelta(days=DAYS)
    recent = now - timedelta(days=2)
    ids = sorted(dag_ids)

    shows = session.execute(
        select(TI.dag_id, TI.run_id, TI.task_id, TI.map_index, TI.state, TI.next_kwargs)
        .where(TI.dag_id.in_(ids), TI.operator.in_(SHOW_OPERATORS), TI.state.in_(UNFINISHED))
    ).all()
    show_refs = {TaskRef(r.dag_id, r.run_id, r.task_id, r.map_index): r for r in shows}
    job_xcoms: dict[TaskRef, str] = {}
    if show_refs:
        for x in session.execute(select(X.dag_id, X.run_id, X.task_id, X.map_index, X.value).where(
                X.dag_id.in_(ids), X.key == "job_id", X.run_id.in_({r.run_id for r in shows}))).all():
            job_xcoms[TaskRef(x.dag_id, x.run_id, x.task_id, x.map_index)] = str(_xcom(x.value))
    for ref, row in show_refs.items():
        state = _kwargs(row.next_kwargs).get("state")
        out.shows.append(ShowTask(ref, str(row.state) if row.state else None,
                                  state if isinstance(state, dict) else None, job_xcoms.get(ref)))

    # video jobs of recent runs (job ids in XCom), and their runs' state
    xcoms = session.execute(
        select(X.dag_id, X.run_id, X.task_id, X.map_index, X.key, X.value, X.timestamp, DagRun.state, TI.operator)
        .join(DagRun, (DagRun.dag_id == X.dag_id) & (DagRun.run_id == X.run_id))
        .join(TI, (TI.dag_id == X.dag_id) & (TI.run_id == X.run_id) & (TI.task_id == X.task_id)
              & (TI.map_index == X.map_index))
        .where(X.dag_id.in_(ids), X.key.in_(("job_id", "rows", "outcome")), X.timestamp >= since)
    ).all()
    for x in xcoms:
        ref, value = TaskRef(x.dag_id, x.run_id, x.task_id, x.map_index), _xcom(x.value)
        run_state = str(x.state) if x.state else None
        if x.key == "outcome":
            if x.operator in SHOW_OPERATORS and isinstance(value, dict):
                went, ended = _epoch(value.get("live_since")), _epoch(value.get("ended_at"))
                if went is not None and ended is not None and ended > went:
                    out.live_spans.append((x.dag_id, went, ended))
            continue
        if x.operator in SHOW_OPERATORS or x.timestamp < recent:
            continue
        if x.key == "job_id" and value:
            out.video_jobs.append(VideoJobRef(str(value), ref, run_state))
        elif x.key == "rows" and isinstance(value, list):
            for row in value:
                if not isinstance(row, dict):
                    continue
                if row.get("job_id"):
                    out.video_jobs.append(VideoJobRef(str(row["job_id"]), ref, run_state, row.get("row")))
                elif row.get("status") == "failed":
                    out.row_failures.append(RowFailure(ref, str(row.get("row")), row.get("error_code"),
                                                       str(row.get("error") or ""), x.timestamp.timestamp()))

    # shows killed while live never write ``outcome``: their minutes from their state and start attempts
    finished = session.execute(
        select(TI.dag_id, TI.run_id, TI.task_id, TI.map_index, TI.end_date, TI.next_kwargs)
        .where(TI.dag_id.in_(ids), TI.operator.in_(SHOW_OPERATORS), TI.state.in_(FINISHED), TI.end_date >= since)
    ).all()
    if finished:
        written: dict[tuple[TaskRef, str], Any] = {}
        for x in session.execute(select(X.dag_id, X.run_id, X.task_id, X.map_index, X.key, X.value).where(
                X.dag_id.in_(ids), X.run_id.in_({r.run_id for r in finished}),
                X.key.in_(("outcome", START_ATTEMPTS_XCOM)))).all():
            written[(TaskRef(x.dag_id, x.run_id, x.task_id, x.map_index), x.key)] = x.value
        for r in finished:
            ref = TaskRef(r.dag_id, r.run_id, r.task_id, r.map_index)
            if (ref, "outcome") in written:
                continue
            attempts = written.get((ref, START_ATTEMPTS_XCOM))
            span = killed_span(_kwargs(r.next_kwargs).get("state"), _xcom(attempts) if attempts is not None else None,
                               r.end_date)
            if span is not None:
                out.live_spans.append((r.dag_id, *span))
                out.killed_shows.append(ref)

    out.to_submit = rows_to_submit(session, ids)

    events = session.execute(
        select(AssetEvent.source_dag_id, AssetEvent.timestamp, AssetEvent.extra)
        .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
        .where(AssetModel.uri.like("metastudio://%"), AssetEvent.source_dag_id.in_(ids),
               AssetEvent.timestamp >= since)
    ).all()
    for e in events:
        duration = (e.extra or {}).get("duration")
        if isinstance(duration, int | float) and duration > 0:
            out.video_seconds.append((str(e.source_dag_id), e.timestamp.timestamp(), float(duration)))
    return out
