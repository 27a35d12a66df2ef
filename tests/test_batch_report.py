"""The backfill's report counts the manifest's rows: a chunk that recorded nothing fails its rows.

The XComs are what Airflow's Task SDK returns for a pull of a mapped task by map index: ``None``
where a map index pushed nothing (``RuntimeTaskInstance.xcom_pull``). The DAG runs of
tests/pipelines show the same through real runs (a wrong SK, a missing connection); this covers the
chunk whose worker was lost after its last retry, which pushed neither ``rows`` nor ``error``.
"""

from __future__ import annotations

from typing import Any

from metastudio_provider.batches.report import report_lines, report_xcom, row_results, summarize, verdict
from metastudio_provider.batches.submission import chunked


class RecordedXComs:
    """The ``xcom_pull`` of a task instance over XComs recorded as {(task_id, key, map_index): value}."""

    def __init__(self, recorded: dict[tuple[str, str, int | None], Any]) -> None:
        self.recorded = recorded

    def xcom_pull(self, task_ids: str, key: str = "return_value", map_indexes: Any = None) -> Any:
        if isinstance(map_indexes, list):
            return [self.recorded.get((task_ids, key, index)) for index in map_indexes]
        return self.recorded.get((task_ids, key, map_indexes))


ROWS = [{"id": f"row-{n}", "title": f"Video {n}", "script": "Hello."} for n in range(1, 8)]


def _submitted(chunk: list[dict]) -> list[dict]:
    return [{"row": r["id"], "title": r["title"], "status": "submitted", "script_id": f"s-{r['id']}",
             "job_id": f"j-{r['id']}"} for r in chunk]


def test_a_chunk_lost_after_its_last_retry_fails_each_of_its_rows():
    chunks = chunked(ROWS, 3)  # 3 + 3 + 1 rows
    ti = RecordedXComs({("load_manifest", "return_value", None): chunks,
                        ("submit_chunk", "rows", 0): _submitted(chunks[0]),
                        ("submit_chunk", "rows", 2): _submitted(chunks[2])})  # chunk 1: its worker died
    rows = row_results(ti)
    assert [r["row"] for r in rows] == [r["id"] for r in ROWS]
    jobs = {r["job_id"]: {"state": "SUCCEED", "output_asset_id": "a"} for r in rows if r.get("job_id")}
    summary = summarize(rows, jobs)
    assert summary["rows"] == 7 and summary["succeeded"] == 4
    assert summary["failed_rows"] == ["row-4", "row-5", "row-6"]
    (group,) = summary["failure_groups"]
    assert "submit_chunk[1]" in group["error"] and "lost" in group["error"]
    assert verdict(summary) is not None and verdict(summary).startswith("3 of 7 row(s) made no video")
    assert report_lines(summary)[0] == "Batch: 4 of 7 videos made"


def test_a_chunk_that_failed_before_submitting_gives_its_rows_its_error():
    chunks = chunked(ROWS, 4)
    error = {"error": "StartSmartLive: HTTP 401: check the connection's login/password (AK/SK)",
             "error_code": "APIGW.0301"}
    ti = RecordedXComs({("load_manifest", "return_value", None): chunks,
                        ("submit_chunk", "error", 0): error, ("submit_chunk", "error", 1): error})
    summary = summarize(row_results(ti), None)
    assert summary["succeeded"] == 0 and len(summary["failed_rows"]) == 7
    assert {g["error_code"] for g in summary["failure_groups"]} == {"APIGW.0301"}
    assert all("login/password" in g["error"] for g in summary["failure_groups"])
    lines = report_lines(summary)
    assert lines[0] == "Batch: 0 of 7 videos made" and len(lines) == 3  # one line per chunk's cause, not per row


def test_many_failed_rows_are_grouped_and_named_briefly():
    rows = [{"row": f"r{n}", "status": "failed", "error": "refused", "error_code": "X"} for n in range(1000)]
    summary = summarize(rows, {})
    (line,) = report_lines(summary)[1:]
    assert line.startswith("  1000 row(s) failed: X refused: r0, r1") and line.endswith("(and 990 more)")
    assert len(verdict(summary) or "") < 300


def test_the_report_xcom_is_sized_by_need_not_by_the_rows():
    """Counts, causes and at most 100 failed rows, whatever N; the lines and the verdict read the same."""
    import json

    def sizes(n: int, failed: int) -> tuple[int, dict, dict]:
        rows = [{"row": f"r{i}", "status": "submitted", "job_id": f"j{i}", "script_id": f"s{i}", "title": f"T {i}",
                 "inputs": ["a", "b"]} for i in range(n - failed)]
        rows += [{"row": f"f{i}", "status": "failed", "error": "refused", "error_code": "X"} for i in range(failed)]
        full = summarize(rows, {f"j{i}": {"state": "SUCCEED", "output_asset_id": f"a{i}"} for i in range(n)})
        xcom = report_xcom(full)
        return len(json.dumps(xcom)), xcom, full

    small, _, _ = sizes(300, 0)
    big, xcom, full = sizes(3000, 0)
    assert big == small + 2 and "details" not in xcom and xcom["succeeded"] == 3000  # "300" → "3000" twice
    size, xcom, full = sizes(3000, 1000)
    assert size < 10_000 and xcom["failed"] == 1000 and len(xcom["failed_rows"]) == len(xcom["failures"]) == 100
    (group,) = xcom["failure_groups"]
    assert group["count"] == 1000 and len(group["rows"]) == 100
    assert report_lines(xcom) == report_lines(full) and verdict(xcom) == verdict(full)
    assert verdict(xcom).startswith("1000 of 3000 row(s) made no video")


def test_every_row_made_is_the_only_green_verdict():
    assert verdict(None) is not None
    assert verdict(summarize([], {})) is not None  # a report of nothing is not a success
    made = summarize([{"row": "a", "status": "submitted", "job_id": "j"}], {"j": {"state": "SUCCEED"}})
    assert verdict(made) is None
    assert verdict({**made, "manifest_error": "bad"}) == "manifest refused: bad"
