"""A batch's report: every row of the manifest with its result, its video and its delivery; what failed, grouped by
cause; the run's verdict."""

from __future__ import annotations

from typing import Any

from metastudio_provider.batches.submission import CHUNK_ERROR, CHUNK_TASK, MANIFEST_TASK
from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.states import VIDEO_JOB


def row_results(ti: Any, manifest_task: str = MANIFEST_TASK, chunk_task: str = CHUNK_TASK) -> list[dict]:
    """Every row of the manifest with its result, counted from the manifest's chunks, not from what the
    chunk tasks returned: a chunk that failed before recording its rows (a wrong AK/SK, a missing
    connection, a worker lost after its last retry, a bug) makes each of its rows a failed row, with the
    chunk's error when it could record one."""
    chunks = ti.xcom_pull(task_ids=manifest_task) or []
    indexes = list(range(len(chunks)))
    per_chunk = ti.xcom_pull(task_ids=chunk_task, key="rows", map_indexes=indexes) if chunks else []
    errors = ti.xcom_pull(task_ids=chunk_task, key=CHUNK_ERROR, map_indexes=indexes) if chunks else []
    return [row for index, chunk in enumerate(chunks)
            for row in (per_chunk[index] or _unsubmitted(chunk, index, errors[index], chunk_task))]


def _unsubmitted(chunk: list[dict[str, Any]], index: int, error: dict | None, chunk_task: str) -> list[dict]:
    """The rows of a chunk that recorded no result: each failed, with the chunk's error."""
    task = f"chunk {index} ({chunk_task}[{index}])"
    reason = (f"{task} failed before submitting: {error['error']}" if error else
              f"{task} recorded no result: its task failed or was lost before reporting (see its log)")
    return [{"row": row["id"], "title": row.get("title"), "status": "failed", "error": reason,
             "error_code": (error or {}).get("error_code"), "retryable": False} for row in chunk]


def summarize(rows: list[dict[str, Any]], jobs: dict[str, dict[str, Any]] | None,
              deliveries: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every row with its job's final state and output asset, and which rows did not make a video:
    ``failures`` gives each one's id, error code and message (the API's refusal, or the job's error_info);
    ``failure_groups`` the same grouped by cause (one line for 1,000 rows refused for one reason).

    With ``deliveries`` (``delivery_results``) each SUCCEED row also gets its ``delivered_uri`` (None when
    it was not delivered: then it is a failed row too, with the delivery's error) and ``delivery``
    (delivered / already_there / failed); ``delivered`` counts the rows delivered."""
    jobs = jobs or {}
    failures = []
    for r in rows:
        job = jobs.get(r.get("job_id") or "") or {}
        r["state"], r["output_asset_id"] = job.get("state"), job.get("output_asset_id")
        if r["status"] == "failed":
            failures.append({"row": r["row"], "error_code": r.get("error_code"), "error": r["error"]})
        elif not VIDEO_JOB.succeeded(r["state"]):
            info = job.get("error_info") or {}
            failures.append({"row": r["row"], "job_id": r.get("job_id"), "error_code": info.get("error_code"),
                             "error": f"video job ended {r['state'] or 'without a final state'}"
                             + (f": {info.get('error_msg')}" if info.get("error_msg") else "")})
        elif deliveries is not None:
            result = (deliveries.get("results") or {}).get(r["row"])
            if result and result.get("status") != "failed":
                r["delivered_uri"], r["delivery"] = result["delivered_uri"], result["status"]
                continue
            r["delivered_uri"], r["delivery"] = None, "failed"
            error = (result or {}).get("error") or deliveries.get("error") or \
                f"{DELIVER_TASK} recorded no result for it: its task failed or was lost (see its log)"
            failures.append({"row": r["row"], "job_id": r.get("job_id"), "error_code": None,
                             "error": f"video made but not delivered: {error}", "delivery": True})
    groups: dict[tuple[str | None, str], list[str]] = {}
    for f in failures:
        groups.setdefault((f["error_code"], f["error"]), []).append(f["row"])
    summary = {"rows": len(rows), "succeeded": sum(VIDEO_JOB.succeeded(r["state"]) for r in rows),
               "failed_rows": [f["row"] for f in failures], "failures": failures,
               "failure_groups": [{"error_code": code, "error": error, "rows": ids}
                                  for (code, error), ids in groups.items()],
               "details": rows}
    if deliveries is not None:
        summary["delivered"] = sum(bool(r.get("delivered_uri")) for r in rows)
        summary["not_delivered"] = [f["row"] for f in failures if f.get("delivery")]
    return summary


DELIVER_TASK = "deliver_videos"
DELIVERY_ERROR = "error"
"""XCom key of a delivery task that failed before it had a result per video: why (for the report)."""


def videos_to_deliver(rows: list[dict[str, Any]], jobs: dict[str, dict[str, Any]] | None) -> list[dict[str, Any]]:
    """The videos of the rows whose job ended SUCCEED: ``asset_id``, ``row_id``, ``title``."""
    jobs = jobs or {}
    out = []
    for r in rows:
        job = jobs.get(r.get("job_id") or "") or {}
        if r.get("status") != "failed" and VIDEO_JOB.succeeded(job.get("state")) and job.get("output_asset_id"):
            out.append({"asset_id": job["output_asset_id"], "row_id": r["row"], "title": r.get("title")})
    return out


def delivery_results(ti: Any, task_id: str = DELIVER_TASK) -> dict[str, Any]:
    """What the delivery task recorded: ``results`` by row id (its return value, or the ``delivered`` and
    ``failed`` XComs of a try that failed some videos), and ``error`` if it failed before any result."""
    results = ti.xcom_pull(task_ids=task_id) or []
    if not results:
        results = (ti.xcom_pull(task_ids=task_id, key="delivered") or []) + \
            (ti.xcom_pull(task_ids=task_id, key="failed") or [])
    return {"results": {r["row_id"]: r for r in results if r.get("row_id")},
            "error": ti.xcom_pull(task_ids=task_id, key=DELIVERY_ERROR)}


def report_lineage(hook: MetaStudioHook, summary: dict[str, Any]) -> int:
    """Each SUCCEED row's lineage (avatar, voice, background, script → video) to Airflow's hook lineage
    collector (``lineage``); return how many videos were reported."""
    from metastudio_provider.assets.lineage import report_video

    settings = hook.settings
    made = [r for r in summary["details"] if VIDEO_JOB.succeeded(r.get("state")) and r.get("output_asset_id")]
    for row in made:
        report_video(hook, region=settings.region, project_id=settings.credentials.project_id,
                     input_asset_ids=row.get("inputs") or [], script_id=row.get("script_id"),
                     video_asset_id=row["output_asset_id"])
    return len(made)


def describe_rows(ids: list[str], shown: int = 10, total: int | None = None) -> str:
    """``a, b, c`` or ``a, b, … (and 990 more)``: row ids for a line a person reads (``total``: how many
    there are when ``ids`` holds only the first ones)."""
    total = max(total or 0, len(ids))
    return ", ".join(ids[:shown]) + (f", … (and {total - shown} more)" if total > shown else "")


REPORT_ROWS = 100
"""Row ids the report's XCom names at most, per list (``report_xcom``)."""


def report_xcom(summary: dict[str, Any], limit: int = REPORT_ROWS) -> dict[str, Any]:
    """The report's XCom, sized by need and not by N: the counts, the failure groups and at most ``limit``
    failed rows (``failed_rows``, ``failures``, each group's ``rows``; ``failed`` and each group's ``count``
    say how many there are). No per-row details: each row's result stays in the chunks' XCom ``rows``
    and the delivery's, as ``row_results`` and ``delivery_results`` read them."""
    out = {k: v for k, v in summary.items() if k not in ("details", "failed_rows", "failures", "failure_groups",
                                                         "not_delivered")}
    out.update({
        "failed": len(summary["failed_rows"]), "failed_rows": summary["failed_rows"][:limit],
        "failures": summary["failures"][:limit],
        "failure_groups": [{**g, "count": len(g["rows"]), "rows": g["rows"][:limit]}
                           for g in summary["failure_groups"][:limit]],
    })
    if len(summary["failure_groups"]) > limit:
        out["failure_groups_not_shown"] = len(summary["failure_groups"]) - limit
    if "not_delivered" in summary:
        out["not_delivered"] = summary["not_delivered"][:limit]
        out["not_delivered_count"] = len(summary["not_delivered"])
    return out


def report_lines(summary: dict[str, Any]) -> list[str]:
    """The report's lines: rows made of rows in the manifest, then each cause of failure with its rows."""
    lines = [f"Batch: {summary['succeeded']} of {summary['rows']} videos made"
             + (f", {summary['delivered']} delivered" if "delivered" in summary else "")]
    for group in summary["failure_groups"]:
        count = group.get("count", len(group["rows"]))
        lines.append(f"  {count} row(s) failed: {group['error_code'] or '-'} {group['error']}: "
                     f"{describe_rows(group['rows'], total=count)}")
    return lines


def verdict(summary: dict[str, Any] | None) -> str | None:
    """Why the batch's run must fail (None: every row of the manifest made its video)."""
    if not summary:
        return "no report: see the report task's log"
    if summary.get("manifest_error"):
        return f"manifest refused: {summary['manifest_error']}"
    if not summary["rows"]:
        return "the report counted no rows: the manifest task made none (see load_manifest's log)"
    if summary["failed_rows"]:
        what = "made no video or were not delivered" if summary.get("not_delivered") else "made no video"
        return (f"{summary.get('failed', len(summary['failed_rows']))} of {summary['rows']} row(s) {what}: "
                + "; ".join(f"{describe_rows(g['rows'], 5, g.get('count'))}: {g['error']}"
                            for g in summary["failure_groups"])
                + " (details in the report task)")
    return None
