"""Issue 19 (4): an outage longer than the client rides out (connection extra ``outage_seconds``) fails the
backfill's run naming the outage; a re-run of the date, once MetaStudio is back, makes only what is missing.

The outage starts once one chunk's two videos were sent and lasts through both tries of the other chunk
(``outage_seconds`` 1 s each, 15 s apart); MetaStudio is back when the render wait first looks, so the two
videos made are rendered and delivered, and the run fails on the two rows the outage stopped."""

from __future__ import annotations

import json

from metastudio_provider.hooks.metastudio import MetaStudioHook
from tests.conftest import connection_json
from tests.faulty_proxy import FaultyProxy

MANIFEST = """
- {id: one, title: One, script: The first video of the batch.}
- {id: two, title: Two, script: The second video of the batch.}
- {id: three, title: Three, script: The third video of the batch.}
- {id: four, title: Four, script: The fourth video of the batch.}
"""
DATE = "2026-11-23"


def _videos_by_row() -> dict[str, list[str]]:
    """Every video job MetaStudio holds for this date's rows, by row id (output asset name's last part)."""
    prefix = f"metastudio_video_backfill-{DATE}-"
    jobs = MetaStudioHook().call("ListDigitalHumanVideo", query={"limit": 100})["jobs"]
    out: dict[str, list[str]] = {}
    for job in jobs:
        name = (job.get("output_asset_config") or {}).get("asset_name", "")
        if name.startswith(prefix):
            out.setdefault(name.removeprefix(prefix).split("-")[0], []).append(job["job_id"])
    return out


def test_an_outage_past_outage_seconds_fails_the_run_naming_it_and_a_rerun_makes_only_the_rest(
        run_dag, metastudio_conn, tmp_path):
    (tmp_path / f"{DATE}.yaml").write_text(MANIFEST)
    with FaultyProxy(metastudio_conn.base_url, seed=4) as proxy:
        conn = json.loads(connection_json(metastudio_conn))
        conn["extra"].update(endpoint=proxy.url, outage_seconds=1, max_backoff=0.5)
        env = {"METASTUDIO_BATCHES_DIR": str(tmp_path), "METASTUDIO_BATCH_CHUNK_SIZE": "2",
               "AIRFLOW_CONN_METASTUDIO_DEFAULT": json.dumps(conn)}
        proxy.down_after("POST", "/2d-digital-human-videos", 2)  # the first chunk's two videos, then down
        proxy.up_on("GET", "job_ids=")  # back when the render wait first looks (after the chunks' last tries)
        first = run_dag("metastudio_video_backfill", logical_date=DATE, extra_env=env, timeout=300)
        refused = proxy.counts["reset"] + proxy.counts["error_before"]
        assert not proxy.down and refused > 4, proxy.counts  # down through both tries of the other chunk

        states = first.task_states()
        print(f"first run: {states}; {refused} calls refused during the outage")
        assert first.state == "failed" and states["all_videos_made"] == ["failed"], first.output[-4000:]
        assert "MetaStudio has been unreachable for" in first.output and "outage_seconds" in first.output
        assert first.tries("all_videos_made") == 1 and sorted(states["submit_chunk"]) == ["failed", "success"]
        (report,) = first.xcom("report")
        made_before = _videos_by_row()
        chunks = [{"one", "two"}, {"three", "four"}]
        assert set(made_before) in chunks, made_before  # one chunk's two videos; the outage stopped the other's
        assert report["rows"] == 4 and report["succeeded"] == 2, report  # rendered once MetaStudio was back
        assert sorted(report["failed_rows"]) == sorted({"one", "two", "three", "four"} - set(made_before))
        (group,) = report["failure_groups"]
        assert "MetaStudio has been unreachable for" in group["error"], group  # the report names the outage
        assert "unreachable" in (first.note or ""), first.note  # so does the run's note
        assert metastudio_conn.sk not in first.output

        creates_before = proxy.counts["relayed"]
        again = run_dag("metastudio_video_backfill", logical_date=DATE, extra_env=env, timeout=300)
        assert again.state == "success", (again.task_states(), again.output[-4000:])
    rows = {r["row"]: r["status"] for chunk in again.xcom("submit_chunk", key="rows") for r in chunk}
    assert rows == {row: "reused" if row in made_before else "submitted" for row in rows}, rows
    made = _videos_by_row()
    assert {row: len(jobs) for row, jobs in made.items()} == {"one": 1, "two": 1, "three": 1, "four": 1}, made
    assert all(made[row] == jobs for row, jobs in made_before.items())  # the same videos, not new ones
    print(f"re-run: {rows}; {proxy.counts['relayed'] - creates_before} calls relayed")
