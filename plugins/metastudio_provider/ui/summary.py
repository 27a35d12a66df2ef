"""The MetaStudio view's figures, computed from records and listings (pure: no database, no network).

``build_summary`` returns the JSON of ``/metastudio/api/summary``: four panels, ``live``, ``rendering``,
``limits`` and ``usage``. docs/ui.md says what each figure is computed from.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from metastudio_provider.client import usage_log
from metastudio_provider.client.limiter import limiter_key
from metastudio_provider.livestream.steps import ShowState, exit_hours
from metastudio_provider.states import LIVE_HOLDS_ROOM, LIVE_ON_AIR, VIDEO_JOB
from metastudio_provider.ui.records import DAYS, Records, ShowTask, TaskRef
from metastudio_provider.ui.sources import Listing, Tenant
from metastudio_provider.utils.time import service_time

UNFINISHED_VIDEO = tuple(sorted(VIDEO_JOB.running))
CHART_SECONDS = 900
BUCKET = 10
LATEST_FAILURES = 10


def run_link(dag_id: str, run_id: str) -> str:
    return f"/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"


def task_link(task: TaskRef) -> str:
    link = f"{run_link(task.dag_id, task.run_id)}/tasks/{quote(task.task_id, safe='')}"
    return link + (f"/mapped/{task.map_index}" if task.map_index >= 0 else "")


def iso(epoch: float | None) -> str | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


# -- Live now ---------------------------------------------------------------------------------------
def live_panel(shows: list[ShowTask], jobs: Listing, now: float) -> dict[str, Any]:
    """Each show task with a livestream holding its room (``LIVE_HOLDS_ROOM`` in MetaStudio's list)."""
    by_id = {j.get("job_id"): j for j in jobs.items}
    rooms = []
    for show in shows:
        state = ShowState.from_json(show.show) if show.show else None
        job_id = show.job_id or (state.job_ids[-1] if state and state.job_ids else None)
        job = by_id.get(job_id) or {}
        ms_state = job.get("state")
        if job_id is None or (jobs.error is None and ms_state not in LIVE_HOLDS_ROOM):
            continue  # not started yet, or ended (the show task is about to finish)
        skew = state.plan.clock_skew if state else 0.0
        started = service_time(job.get("start_time"))
        live_since = state.live_since if state and state.live_since is not None else (
            started - skew if started is not None else None)
        duration = state.plan.duration if state else None
        planned_end = live_since + duration if live_since is not None and duration is not None else None
        rooms.append({
            "room_id": job.get("room_id") or (state.plan.room_id if state else None),
            "room_name": job.get("room_name"),
            "dag_id": show.task.dag_id, "run_id": show.task.run_id, "task_id": show.task.task_id,
            "map_index": show.task.map_index, "run_link": run_link(show.task.dag_id, show.task.run_id),
            "task_link": task_link(show.task), "task_state": show.state,
            "job_id": job_id, "metastudio_state": ms_state or "unknown",
            "live_since": iso(live_since), "planned_end": iso(planned_end),
            "seconds_left": round(planned_end - now, 1) if planned_end is not None else None,
            "restarts": state.restarts if state else 0, "max_restarts": state.plan.max_restarts if state else None,
            "stopped_by": stoppers(state, job_id, started, skew, planned_end),
        })
    rooms.sort(key=lambda r: (r["seconds_left"] is None, r["seconds_left"] or 0))
    return {"rooms": rooms, "error": jobs.error, "fetched_at": iso(jobs.fetched_at or None)}


def stoppers(state: ShowState | None, job_id: str, started: float | None, skew: float,
             planned_end: float | None) -> list[dict[str, Any]]:
    """What will stop the livestream: the watcher at the planned end, and MetaStudio's own limit
    (``play_policy.live_exit_config.max_live_duration``, the hours the show sent with this job's start)."""
    out: list[dict[str, Any]] = [{"by": "watcher", "at": iso(planned_end),
                                  "what": "the triggerer's watch stops it at the planned end"}]
    if state is None:
        return out
    attempt = next((a for a in state.start_attempts if a.job_id == job_id), None)
    sent_at = attempt.at - skew if attempt is not None else None
    if state.ends_at is not None and sent_at is not None and sent_at >= (state.live_since or 0):
        left = max(state.ends_at - sent_at, 0.0)
    else:
        left = state.plan.duration
    hours = exit_hours(left)
    base = started - skew if started is not None else sent_at
    out.append({"by": "server", "hours": hours, "at": iso(base + hours * 3600 if base is not None else None),
                "what": f"MetaStudio ends it by itself after {hours} h live (live_exit_config.max_live_duration)"})
    return out


# -- Rendering --------------------------------------------------------------------------------------
def rendering_panel(records: Records, jobs: Listing, now: float, rate: float | None = None) -> dict[str, Any]:
    """Video jobs of recent runs by DAG run: counts by MetaStudio state, rows still to submit, an estimated
    finish; latest failures. ``rate``: the rows per second a batch submits at (``submit_rate``)."""
    by_id = {j.get("job_id"): j for j in jobs.items}
    render = typical_render_seconds(jobs.items)
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    failures: list[dict[str, Any]] = []

    def group_of(dag_id: str, run_id: str, run_state: str | None) -> dict[str, Any]:
        return groups.setdefault((dag_id, run_id), {
            "dag_id": dag_id, "run_id": run_id, "run_state": run_state, "run_link": run_link(dag_id, run_id),
            "states": Counter(), "to_submit": 0, "finish": None})

    for ref in records.video_jobs:
        job = by_id.get(ref.job_id)
        state = job.get("state", "UNKNOWN") if job else "NOT_LISTED"
        group = group_of(ref.task.dag_id, ref.task.run_id, ref.run_state)
        group["states"][state] += 1
        if job and state in UNFINISHED_VIDEO and render is not None:
            begun = service_time(job.get("start_time")) or service_time(job.get("create_time")) or now
            group["finish"] = max(group["finish"] or 0.0, max(begun + render, now))
        if job and state in VIDEO_JOB.failure:
            info = job.get("error_info") or {}
            failures.append({"dag_id": ref.task.dag_id, "run_id": ref.task.run_id, "task_link": task_link(ref.task),
                             "task_id": ref.task.task_id, "job_id": ref.job_id, "row": ref.row,
                             "error_code": info.get("error_code"), "error_msg": info.get("error_msg"),
                             "at": iso(service_time(job.get("end_time")) or service_time(job.get("create_time")))})
    for failure in records.row_failures:
        failures.append({"dag_id": failure.task.dag_id, "run_id": failure.task.run_id, "task_id": failure.task.task_id,
                         "task_link": task_link(failure.task), "job_id": None, "row": failure.row,
                         "error_code": failure.error_code, "error_msg": failure.error, "at": iso(failure.at)})
    submitted_in = submit_seconds({(p.dag_id, p.run_id): p.rows for p in records.to_submit}, rate)
    for pending in records.to_submit:  # rows not submitted yet: sent at the shared rate, then rendered
        group = group_of(pending.dag_id, pending.run_id, pending.run_state)
        group["to_submit"] = pending.rows
        if submitted_in and render is not None:
            group["finish"] = max(group["finish"] or 0.0, now + submitted_in[(pending.dag_id, pending.run_id)] + render)
    runs = []
    for group in groups.values():
        in_flight = sum(group["states"][s] for s in UNFINISHED_VIDEO)
        if not in_flight and not group["to_submit"] and group["run_state"] not in ("running", "queued"):
            continue
        known = (bool(submitted_in) and render is not None) if group["to_submit"] else in_flight > 0
        runs.append({**group, "states": dict(group["states"]), "in_flight": in_flight,
                     "estimated_finish": iso(group["finish"]) if known else None})
    runs.sort(key=lambda r: (-r["in_flight"] - r["to_submit"], r["dag_id"], r["run_id"]))
    failures.sort(key=lambda f: f["at"] or "", reverse=True)
    return {"runs": runs, "failures": failures[:LATEST_FAILURES], "render_seconds": render, "submit_rate": rate,
            "error": jobs.error, "fetched_at": iso(jobs.fetched_at or None)}


def submit_seconds(rows: dict[tuple[str, str], int], rate: float | None) -> dict[tuple[str, str], float]:
    """Seconds until each run's last row is submitted, the runs sharing ``rate`` equally (the tenant's limiter
    serves them all): the run with the fewest rows is done first, then the others share what it leaves."""
    if not rate or not rows:
        return {}
    out: dict[tuple[str, str], float] = {}
    elapsed, done, runs = 0.0, 0, sorted(rows.items(), key=lambda item: item[1])
    for i, (run, left) in enumerate(runs):
        elapsed += (left - done) * (len(runs) - i) / rate
        done = left
        out[run] = elapsed
    return out


ROW_CREATES = ("CreateVideoScripts", "Create2DDigitalHumanVideo")
"""The creates each batch row makes (``batches.submission.submit_row``)."""


def submit_rate(tenant: Tenant | None, states: dict[str, dict[str, Any] | None]) -> float | None:
    """Rows per second a batch is submitted at: the slower of a row's two creates, each at the shared limiter's
    learned rate (Redis), else at the throttling table's limit for the region. None without a connection."""
    from metastudio_provider.catalog import all_apis

    if tenant is None:
        return None
    rates = []
    for name in ROW_CREATES:
        state = states.get(limiter_key(tenant.project_id, tenant.region, name))
        learned = state.get("learned") if state else None
        rates.append(float(learned) if learned else float(all_apis()[name].limit(tenant.region)))
    return min(rates)


def typical_render_seconds(jobs: list[dict[str, Any]]) -> float | None:
    """The median start-to-end time of the listed jobs that succeeded: the rate MetaStudio renders at, learned."""
    spans = []
    for job in jobs:
        start, end = service_time(job.get("start_time")), service_time(job.get("end_time"))
        if job.get("state") in VIDEO_JOB.success and start is not None and end is not None and end >= start:
            spans.append(end - start)
    return round(statistics.median(spans), 1) if spans else None


# -- Limits -----------------------------------------------------------------------------------------
def limits_panel(tenant: Tenant, states: dict[str, dict[str, Any] | None], counts: usage_log.Counts,
                 now: float) -> dict[str, Any]:
    """Per API used in the last hour (or with a shared limiter state): the table's limit, the learned one,
    calls in the last minute, 429s in the last hour, and the admitted rate in 10-s buckets over 15 minutes."""
    from metastudio_provider.catalog import all_apis

    apis = all_apis()
    rows = []
    start = int(now) - CHART_SECONDS + 1  # the 900 whole seconds up to and including now's
    for name, api in sorted(apis.items()):
        key = limiter_key(tenant.project_id, tenant.region, name)
        state, count = states.get(key), counts.get(key)
        admitted = count["admitted"] if count else {}
        throttled = count["throttled"] if count else {}
        recent = any(s >= now - 3600 for s in admitted) or any(s >= now - 3600 for s in throttled)
        if state is None and not recent:
            continue
        series = [0.0] * (CHART_SECONDS // BUCKET)
        for second, calls in admitted.items():
            if start <= second < start + CHART_SECONDS:
                series[(second - start) // BUCKET] += calls / BUCKET
        rows.append({
            "api": name, "table": api.limit(tenant.region),
            "learned": round(state["learned"], 2) if state else None,
            "calls_last_minute": sum(c for s, c in admitted.items() if s > now - 60),
            "throttled_last_hour": sum(c for s, c in throttled.items() if s > now - 3600),
            "blocked_for": round(state.get("blocked_for") or 0.0, 1) if state else 0.0,
            "series": [round(v, 2) for v in series],
        })
    shared = usage_log.uses_redis(tenant.storage)
    return {"apis": rows, "region": tenant.region, "shared": shared, "bucket_seconds": BUCKET,
            "note": None if shared else ("memory:// keeps each process's limiter to itself: no learned limit to "
                                          "show; calls and 429s are counted on this host")}


# -- Usage ------------------------------------------------------------------------------------------
def usage_panel(records: Records, live_rooms: list[dict[str, Any]], now: float,
                price_per_minute: float | None) -> dict[str, Any]:
    """Rendered video minutes and livestream minutes per UTC day and DAG, the last 30 days."""
    today = datetime.fromtimestamp(now, UTC).date()
    days = [(today - timedelta(days=i)).isoformat() for i in range(DAYS - 1, -1, -1)]
    index = {d: i for i, d in enumerate(days)}
    per: dict[str, dict[str, list[float]]] = defaultdict(lambda: {"video": [0.0] * DAYS, "live": [0.0] * DAYS})

    def add(dag_id: str, at: float, kind: str, seconds: float) -> None:
        day = datetime.fromtimestamp(at, UTC).date().isoformat()
        if day in index and seconds > 0:
            per[dag_id][kind][index[day]] += seconds / 60

    for dag_id, at, seconds in records.video_seconds:
        add(dag_id, at, "video", seconds)
    for dag_id, went, ended in records.live_spans:
        add(dag_id, went, "live", ended - went)
    for room in live_rooms:  # live now: the minutes so far
        since = datetime.fromisoformat(room["live_since"]).timestamp() if room["live_since"] else None
        if since is not None and room["metastudio_state"] in LIVE_ON_AIR:
            add(room["dag_id"], since, "live", now - since)
    dags = {d: {k: [round(v, 2) for v in vals] for k, vals in kinds.items()} for d, kinds in sorted(per.items())}
    video = round(sum(sum(k["video"]) for k in dags.values()), 2)
    live = round(sum(sum(k["live"]) for k in dags.values()), 2)
    cost = round((video + live) * price_per_minute, 2) if price_per_minute is not None else None
    killed = [{"dag_id": t.dag_id, "run_id": t.run_id, "task_id": t.task_id, "task_link": task_link(t)}
              for t in records.killed_shows]
    return {"days": days, "dags": dags, "video_minutes": video, "live_minutes": live,
            "price_per_minute": price_per_minute, "estimated_cost": cost, "killed_shows": killed}


def build_summary(records: Records, *, live_jobs: Listing, video_jobs: Listing, tenant: Tenant | None,
                  states: dict[str, dict[str, Any] | None], counts: usage_log.Counts, now: float,
                  price_per_minute: float | None, user: str | None = None) -> dict[str, Any]:
    live = live_panel(records.shows, live_jobs, now)
    return {
        "generated_at": iso(now), "user": user,
        "live": live,
        "rendering": rendering_panel(records, video_jobs, now, submit_rate(tenant, states)),
        "limits": limits_panel(tenant, states, counts, now) if tenant else {"apis": [], "note": "no connection"},
        "usage": usage_panel(records, live["rooms"], now, price_per_minute),
    }
