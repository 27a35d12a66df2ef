"""Video batches: validate manifest rows and submit them concurrently through the shared limiter.

The submit rate is set by the client limiter (the API's per-second limit), not by how fast
Airflow starts tasks: one task submits a chunk of rows on a thread pool. Every row gets its
own result — which job it made, or why it failed — and a re-run reuses what was made before
(deterministic names: ``<prefix>-<row id>``), so nothing is created twice.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from metastudio_provider import bodies
from metastudio_provider.client import MetaStudioError
from metastudio_provider.hooks.metastudio import MetaStudioHook

_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")


class BadRowError(ValueError):
    """A manifest row that cannot become a video; the message names the row."""


def validate_rows(rows: Any, source: str) -> list[dict[str, Any]]:
    """Check the manifest's shape: a list of mappings with unique ids. Per-row content is checked later."""
    if not isinstance(rows, list):
        raise ValueError(f"{source}: expected a list of rows, got {type(rows).__name__}")
    seen: dict[str, int] = {}
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            out.append({"id": f"row-{number}", "_error": f"row {number} of {source} is not a mapping: {row!r}"})
            continue
        row_id = str(row.get("id") or f"row-{number}")
        if row_id in seen:
            raise ValueError(f"{source}: rows {seen[row_id]} and {number} have the same id {row_id!r}")
        seen[row_id] = number
        out.append({**row, "id": row_id, "_number": number})
    return out


def video_bodies(row: dict[str, Any], *, prefix: str, models: dict[str, str]) -> tuple[dict, dict]:
    """The CreateVideoScripts and Create2DDigitalHumanVideo bodies of one row; BadRowError if it cannot be."""
    label = f"row {row.get('_number', '?')} (id {row['id']!r})"
    if row.get("_error"):
        raise BadRowError(row["_error"])
    if not _ROW_ID.match(row["id"]):
        raise BadRowError(f"{label}: id must be 1-41 letters, digits, '_', '.' or '-'")
    if not str(row.get("script") or "").strip():
        raise BadRowError(f"{label}: 'script' is empty")
    name = f"{prefix}-{row['id']}"
    script = bodies.video_script(
        script_name=name,
        text=str(row["script"]),
        model_asset_id=row.get("avatar") or models["model_asset_id"],
        voice_asset_id=row.get("voice") or models["voice_asset_id"],
        background_asset_id=row.get("background"),
    )
    video = {"output_asset_config": {"asset_name": name}}
    return script, video


def submit_row(hook: MetaStudioHook, row: dict[str, Any], *, prefix: str, models: dict[str, str]) -> dict[str, Any]:
    """Submit one row (script, then video job), reusing what an earlier run made. Never raises."""
    result: dict[str, Any] = {"row": row["id"], "title": row.get("title")}
    try:
        script_body, video_body = video_bodies(row, prefix=prefix, models=models)
        script = hook.create_or_reuse("CreateVideoScripts", script_body)
        job = hook.create_or_reuse("Create2DDigitalHumanVideo", {**video_body, "script_id": script["script_id"]})
    except (BadRowError, MetaStudioError, ValueError) as exc:
        return {**result, "status": "failed", "error": str(exc)}
    return {**result, "status": "reused" if job.get("found_existing") else "submitted",
            "script_id": script["script_id"], "job_id": job["job_id"]}


def submit_rows(hook: MetaStudioHook, rows: list[dict[str, Any]], *, prefix: str, models: dict[str, str],
                workers: int = 16) -> list[dict[str, Any]]:
    """Submit rows concurrently; the shared rate limiter paces the calls. Results keep the rows' order."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(rows)))) as pool:
        return list(pool.map(lambda row: submit_row(hook, row, prefix=prefix, models=models), rows))


def chunked(rows: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def submit_chunk(chunk: list[dict[str, Any]], *, prefix: str, ti: Any, hook: MetaStudioHook | None = None) -> list[dict]:
    """The body of a chunk task: submit the rows, record every row's result in XCom ``rows``, and fail
    (after the good rows went in) with a message naming each bad row."""
    hook = hook or MetaStudioHook()
    models = {"model_asset_id": hook.system_asset_id("HUMAN_MODEL_2D"),
              "voice_asset_id": hook.system_asset_id("VOICE_MODEL")}
    results = submit_rows(hook, chunk, prefix=prefix, models=models)
    ti.xcom_push(key="rows", value=results)
    for r in results:
        print(f"row {r['row']}: {r['status']} {r.get('job_id') or r.get('error')}")
    failed = [r for r in results if r["status"] == "failed"]
    if failed:
        from airflow.sdk.exceptions import AirflowException

        raise AirflowException(f"{len(failed)} of {len(results)} row(s) failed: " + "; ".join(r["error"] for r in failed))
    return results


def row_results(ti: Any, manifest_task: str = "load_manifest", chunk_task: str = "submit_chunk") -> list[dict]:
    """Every row's result from all chunks (the ``rows`` XCom of each mapped chunk task, failed ones included)."""
    chunks = ti.xcom_pull(task_ids=manifest_task) or []
    per_chunk = ti.xcom_pull(task_ids=chunk_task, key="rows", map_indexes=list(range(len(chunks)))) or []
    return [row for rows in per_chunk if rows for row in rows]


def summarize(rows: list[dict[str, Any]], jobs: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """Every row with its job's final state and output asset, and which rows did not make a video."""
    jobs = jobs or {}
    for r in rows:
        job = jobs.get(r.get("job_id")) or {}
        r["state"], r["output_asset_id"] = job.get("state"), job.get("output_asset_id")
    return {"rows": len(rows), "succeeded": sum(r["state"] == "SUCCEED" for r in rows),
            "failed_rows": [r["row"] for r in rows if r["status"] == "failed" or r["state"] != "SUCCEED"],
            "details": rows}
