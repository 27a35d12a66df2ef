"""The UI-triggered video pipeline, end to end against the emulator."""

from __future__ import annotations

import httpx


def test_video_pipeline_makes_a_video(run_dag, emulator):
    # what the Trigger form sends for its empty optional fields: null
    result = run_dag("metastudio_video_pipeline", conf={"title": "Test video", "script_text": "Hello from the tests.",
                                                        "avatar_model_asset_id": None, "voice_asset_id": None,
                                                        "output_name": None})
    assert result.returncode == 0, result.output[-3000:]
    states = result.task_states()
    assert set(states) == {"validate_inputs", "upload_background", "build_script", "create_video", "report"}
    assert all(s == ["success"] for s in states.values()), states
    (summary,) = result.xcom("report")
    assert summary["title"] == "Test video" and summary["state"] == "SUCCEED"
    assert summary["output_asset_id"] and summary["download_url"].startswith(emulator.base_url)
    video = httpx.get(summary["download_url"])
    assert video.status_code == 200 and video.content
    assert emulator.sk not in result.output


def test_dags_parse_without_import_errors(airflow_cli_home):
    """Every DAG parses; the DAG list shows a description, and the livestream's schedule in local time."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    airflow = str(Path(sys.executable).parent / "airflow")
    out = subprocess.run([airflow, "dags", "list", "-l", "-o", "json", "--columns",
                          "dag_id,description,timetable_summary,timetable_description"],
                         env=airflow_cli_home, capture_output=True, text=True, check=True).stdout
    listed = {d["dag_id"]: d for d in json.loads(out[out.index("[{"):])}
    assert {"metastudio_video_pipeline", "metastudio_daily_livestream", "metastudio_video_backfill"} <= set(listed)
    assert all(d["description"] for d in listed.values())
    livestream = listed["metastudio_daily_livestream"]
    assert livestream["timetable_summary"] == "20:00 daily (Asia/Shanghai)"  # not a bare "0 20 * * *"
    assert "Asia/Shanghai" in livestream["timetable_description"] and "20:00" in livestream["description"]
    errors = subprocess.run([airflow, "dags", "list-import-errors", "-l"],
                            env=airflow_cli_home, capture_output=True, text=True).stdout
    assert "No data found" in errors, errors
