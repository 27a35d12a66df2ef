"""Submit a batch's rows concurrently through the shared limiter, each once, whatever run or try submits it.

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

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from metastudio_provider.assets.lineage import script_inputs
from metastudio_provider.checks.problems import InvalidInputError
from metastudio_provider.checks.scripts import check_script_text
from metastudio_provider.client import MetaStudioError
from metastudio_provider.client.identity import token_in
from metastudio_provider.hooks import request_bodies
from metastudio_provider.hooks.metastudio import MetaStudioHook, identity_token


class BadRowError(ValueError):
    """A manifest row that cannot become a video; the message names the row."""


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
    script = request_bodies.video_script(
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
MANIFEST_TASK = "load_manifest"
"""The task returning a batch's chunks (a list of lists of rows), as the backfill and the bench name it."""
CHUNK_TASK = "submit_chunk"
"""The task ``wiring.submit_and_wait`` maps over the chunks; each pushes XCom ``rows``."""


def chunk_error_text(exc: BaseException) -> str:
    """What made a whole chunk fail, for the report: the error's words, with URI passwords redacted."""
    from metastudio_provider.client.redact import redact_uri

    return redact_uri(f"{type(exc).__name__}: {exc}" if not isinstance(exc, MetaStudioError) else str(exc))
