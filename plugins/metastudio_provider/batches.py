"""Video batches: validate manifest rows and submit them concurrently through the shared limiter.

The submit rate is set by the client limiter (the API's per-second limit, or the lower one it learned
from the gateway's 429s), not by how fast Airflow starts tasks: one task submits a chunk of rows on a
thread pool, and a batch has few chunks, all submitting at once (``chunked``). Every row gets its
own result — which job it made, or why it failed — and a re-run reuses what was made before: a
row's script carries the identity token of ``<prefix>`` (dag and date) and its manifest id, and
its video is found by that script, so nothing is created twice. The video is named
``<prefix>-<row id>`` (a label for people). What exists is read once per chunk (``existing_tokens``),
not looked up per row.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from metastudio_provider import bodies
from metastudio_provider.client import MetaStudioError
from metastudio_provider.client.identity import token_in
from metastudio_provider.hooks.metastudio import MetaStudioHook, identity_token
from metastudio_provider.inputs import InvalidInputError, check_script_text
from metastudio_provider.lineage import script_inputs
from metastudio_provider.states import VIDEO_JOB

_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")


class BadRowError(ValueError):
    """A manifest row that cannot become a video; the message names the row."""


class ManifestError(ValueError):
    """A manifest that cannot be used at all (unreadable, not YAML, rows without unique ids)."""


def load_manifest(path: Path | Any) -> list[dict[str, Any]]:
    """Read, parse (YAML, CSV or JSON Lines, by the extension: ``manifests``) and check a manifest file, a
    ``Path`` or an ``ObjectStoragePath``; ``ManifestError`` says what is wrong and where."""
    from metastudio_provider.manifests import read_manifest

    return read_manifest(path)


def validate_rows(rows: Any, source: str) -> list[dict[str, Any]]:
    """Check the manifest's shape: a list of mappings, each with an explicit ``id`` unique in the manifest.

    Ids are what ties a row to its video across re-runs (the video is named ``<prefix>-<id>``), so a
    positional id would map videos to the wrong rows once a row is inserted: every problem is
    collected and raised as one ``ManifestError`` naming the rows. Per-row content is checked later.
    """
    if not isinstance(rows, list):
        raise ManifestError(f"{source}: expected a list of rows, got {type(rows).__name__}")
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"row {number} is not a mapping ({row!r})")
            continue
        raw = row.get("id")
        if raw is None or isinstance(raw, bool) or not isinstance(raw, (str, int)) or not str(raw).strip():
            title = f" (title {row['title']!r})" if row.get("title") else ""
            problems.append(f"row {number}{title} has no id")
            continue
        row_id = str(raw).strip()
        if not _ROW_ID.match(row_id):
            problems.append(f"row {number}: id {row_id!r} must be 1-41 letters, digits, '_', '.' or '-'")
            continue
        if row_id in first_seen:
            duplicates.setdefault(row_id, [first_seen[row_id]]).append(number)
            continue
        first_seen[row_id] = number
        out.append({**row, "id": row_id, "_number": number})
    problems += [f"rows {', '.join(map(str, numbers))} share the id {row_id!r}" for row_id, numbers in duplicates.items()]
    if problems:
        raise ManifestError(f"{source}: every row needs an explicit id, unique in the manifest: " + "; ".join(problems))
    return out


def video_bodies(row: dict[str, Any], *, prefix: str, models: dict[str, str]) -> tuple[dict, dict]:
    """The CreateVideoScripts and Create2DDigitalHumanVideo bodies of one row; BadRowError if it cannot be."""
    label = f"row {row.get('_number', '?')} (id {row['id']!r})"
    if not str(row.get("script") or "").strip():
        raise BadRowError(f"{label}: 'script' is empty")
    try:
        text = check_script_text(str(row["script"]), "'script'")
    except InvalidInputError as exc:
        raise BadRowError(f"{label}: {exc}") from None
    name = f"{prefix}-{row['id']}"
    script = bodies.video_script(
        script_name=name,
        text=text,
        model_asset_id=row.get("avatar") or models["model_asset_id"],
        voice_asset_id=row.get("voice") or models["voice_asset_id"],
        background_asset_id=row.get("background"),
    )
    video = {"output_asset_config": {"asset_name": name}}
    return script, video


def existing_tokens(hook: MetaStudioHook, prefix: str, page_size: int = 100) -> set[str] | None:
    """The identity tokens of the scripts an earlier run of this batch made: one ListVideoScripts listing
    filtered by ``name`` = ``prefix`` (MetaStudio matches names by substring; every row's script is named
    ``<prefix>-<row id>``), paged. None when the listing fails: then every row looks for itself.

    Why a listing and not Airflow's word (a retried try, an earlier DAG run of the date): what MetaStudio
    holds is the truth, whatever run, try, deployment or hand made it, and on a first try the listing is
    one call per chunk where a look-up per row was one call per row (1,000 ListVideoScripts at N=1,000).
    Newest first and paged by offset: scripts created meanwhile by other chunks shift the pages later,
    so a page may repeat an item but never skips one that existed when the listing began."""
    tokens: set[str] = set()
    offset = 0
    try:
        while True:
            page = hook.call("ListVideoScripts", query={"name": prefix, "limit": page_size, "offset": offset})
            items = page.get("video_scripts") or []
            tokens.update(t for s in items if (t := token_in(s.get("script_description"))))
            offset += len(items)
            if not items or offset >= int(page.get("count") or 0):
                return tokens
    except MetaStudioError as exc:
        print(f"could not list the batch's scripts ({exc}): every row looks for what it made before")
        return None


def submit_row(hook: MetaStudioHook, row: dict[str, Any], *, prefix: str, models: dict[str, str],
               existing: set[str] | None = None) -> dict[str, Any]:
    """Submit one row (script, then video job), reusing what an earlier run made. Never raises.

    ``existing`` (``existing_tokens``): the row looks for its earlier script only when its token is
    there (None: always), and for its earlier job only when it carries on with an earlier script (a
    script made now has no job yet). A create whose answer was lost is still found by the client."""
    result: dict[str, Any] = {"row": row["id"], "title": row.get("title")}
    try:
        script_body, video_body = video_bodies(row, prefix=prefix, models=models)
        # the row's identity: its manifest id within the batch (dag and date), whatever task or try submits it
        token = identity_token(prefix, row["id"])
        script = hook.create_or_resume("CreateVideoScripts", script_body, identity=token,
                                       look=existing is None or token in existing)
        job = hook.create_or_resume("Create2DDigitalHumanVideo", {**video_body, "script_id": script["script_id"]},
                                    look=bool(script.get("found_existing")))
    except (BadRowError, MetaStudioError, ValueError) as exc:
        return {**result, "status": "failed", "error": str(exc), "error_code": getattr(exc, "error_code", None),
                "retryable": bool(getattr(exc, "retryable", False))}
    return {**result, "status": "reused" if job.get("found_existing") else "submitted",
            "script_id": script["script_id"], "job_id": job["job_id"], "inputs": script_inputs(script_body)}


def submit_rows(hook: MetaStudioHook, rows: list[dict[str, Any]], *, prefix: str, models: dict[str, str],
                workers: int = 16) -> list[dict[str, Any]]:
    """Submit rows concurrently; the shared rate limiter paces the calls. Results keep the rows' order.
    What an earlier run made is listed once first (``existing_tokens``)."""
    existing = existing_tokens(hook, prefix)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(rows)))) as pool:
        return list(pool.map(lambda row: submit_row(hook, row, prefix=prefix, models=models, existing=existing),
                             rows))


MAX_CHUNKS = 4
"""Chunks of one batch, at most: all of them submit at once, so none waits for another to end."""


def chunked(rows: list[dict[str, Any]], size: int, max_chunks: int | None = MAX_CHUNKS) -> list[list[dict[str, Any]]]:
    """Chunks of ``size`` rows, or bigger ones (equal, in row order) when that would make more than ``max_chunks``.

    Pacing is the limiter's job: each chunk task submits its rows on 16 threads waiting on the shared
    limiter, and one chunk already keeps a region's create limit busy. So a batch needs few chunks, and
    they all run at once: the rows of every chunk wait on the limiter from the start, and there is no
    chunk boundary where the calls stop until the next chunk's task is scheduled and started (about 1 s
    of Airflow, plus the task's start-up). Few task processes also start faster on a busy machine (16
    starting at once delayed the first create by 4.5 s on 2 cores) and hold fewer worker slots.
    """
    if max_chunks and len(rows) > size * max_chunks:
        size = -(-len(rows) // max_chunks)
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def submit_chunk(chunk: list[dict[str, Any]], *, prefix: str, ti: Any, hook: MetaStudioHook | None = None,
                 conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None) -> list[dict]:
    """The body of a chunk task: submit the rows, record every row's result in XCom ``rows``, and fail
    (after the good rows went in) with a message naming each bad row. Only a transient failure (5xx,
    network) lets Airflow retry the chunk; bad rows and refusals (4xx) fail it for good. A failure
    before any row was submitted (a wrong AK/SK, a missing connection, a bug) is kept in XCom
    ``error`` for the report, which fails every row of the chunk with it."""
    try:
        hook = hook or MetaStudioHook(conn_id, region=region)
        models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
                  "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
        results = submit_rows(hook, chunk, prefix=prefix, models=models)
    except Exception as exc:
        ti.xcom_push(key=CHUNK_ERROR, value={"error": chunk_error_text(exc),
                                             "error_code": getattr(exc, "error_code", None)})
        raise
    ti.xcom_push(key="rows", value=results)
    for r in results:
        print(f"row {r['row']}: {r['status']} {r.get('job_id') or r.get('error')}")
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        from airflow.sdk.exceptions import AirflowException, AirflowFailException

        error = AirflowException if any(r["retryable"] for r in failed) else AirflowFailException
        raise error(f"{len(failed)} of {len(results)} row(s) failed: " + "; ".join(r["error"] for r in failed))
    return results


CHUNK_ERROR = "error"
"""XCom key of a chunk task that failed before it had a result per row: why (for the report)."""


def chunk_error_text(exc: BaseException) -> str:
    """What made a whole chunk fail, for the report: the error's words, with URI passwords redacted."""
    from metastudio_provider.client.redact import redact_uri

    return redact_uri(f"{type(exc).__name__}: {exc}" if not isinstance(exc, MetaStudioError) else str(exc))


def submit_and_wait(chunks: Any, *, prefix: str, poll_interval: float, trigger_rule: str = "none_skipped",
                    conn_id: str = MetaStudioHook.default_conn_name, region: str | None = None) -> Any:
    """The batch's tasks after the manifest, for every DAG that makes a batch (the backfill, the benchmark):
    ``submit_chunk`` mapped over ``chunks`` → ``collect_jobs`` (the jobs of every chunk, failed ones
    included) → ``wait_for_videos``, ONE deferred sensor listing all jobs per call. Returns the wait's
    output (the final jobs by id) for the DAG's report. ``prefix`` (templated, e.g. ``{{ dag.dag_id }}-{{ ds }}``)
    names the videos and keys the rows' identities. ``conn_id`` and ``region``: the tenant's connection and
    region (the sensor's pool is that region's)."""
    from airflow.sdk import task

    from metastudio_provider.sensors.metastudio import VideoJobsSensor

    @task(task_id="submit_chunk",
          map_index_template="{{ task.op_kwargs['chunk'][0]['id'] if task.op_kwargs['chunk'] else 'empty' }}")
    def submit(chunk: list[dict], prefix: str, ti: Any = None) -> dict[str, int]:
        """Submit a chunk of rows; fail (after the good rows went in) naming each bad row. Returns the rows
        per status: each row's result is in XCom ``rows`` (returning it too would store it twice)."""
        results = submit_chunk(chunk, prefix=prefix, ti=ti, conn_id=conn_id, region=region)
        return {status: sum(r["status"] == status for r in results) for status in ("submitted", "reused")}

    @task(task_id="collect_jobs", trigger_rule=trigger_rule)
    def collect_jobs(ti: Any = None) -> list[str]:
        """The jobs every chunk made, failed chunks included."""
        return [r["job_id"] for r in row_results(ti) if r.get("job_id")]

    submitted = submit.partial(prefix=prefix).expand(chunk=chunks)
    job_ids = collect_jobs()
    submitted >> job_ids
    wait = VideoJobsSensor(task_id="wait_for_videos", job_ids=job_ids, poll_interval=poll_interval,
                           fail_on_failed_jobs=False, trigger_rule=trigger_rule, metastudio_conn_id=conn_id,
                           region=region)
    return wait.output


def row_results(ti: Any, manifest_task: str = "load_manifest", chunk_task: str = "submit_chunk") -> list[dict]:
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
    from metastudio_provider.lineage import report_video

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
