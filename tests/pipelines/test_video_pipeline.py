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
    import subprocess
    import sys
    from pathlib import Path

    out = subprocess.run([str(Path(sys.executable).parent / "airflow"), "dags", "list", "-l", "-o", "json"],
                         env=airflow_cli_home, capture_output=True, text=True, check=True).stdout
    listed = {d["dag_id"] for d in __import__("json").loads(out[out.index("[{"):])}
    assert {"metastudio_video_pipeline", "metastudio_daily_livestream", "metastudio_video_backfill"} <= listed
    errors = subprocess.run([str(Path(sys.executable).parent / "airflow"), "dags", "list-import-errors", "-l"],
                            env=airflow_cli_home, capture_output=True, text=True).stdout
    assert "No data found" in errors, errors
