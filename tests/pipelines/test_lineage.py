"""Lineage of a video, in a real pipeline run: avatar, voice, background and script in, the video out.

The run's plugins folder holds the project's plugin and ``lineage_probe.py``, a hook lineage reader (as
the OpenLineage provider registers) that writes what Airflow's collector holds after each task.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from metastudio_provider.assets.lineage import script_uri
from metastudio_provider.assets.videos import asset_uri
from metastudio_provider.hooks.metastudio import MetaStudioHook

ROOT = Path(__file__).resolve().parents[2]


def test_the_pipeline_reports_each_videos_inputs_and_output(run_dag, metastudio_conn, tmp_path):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    shutil.copy(ROOT / "plugins" / "metastudio_plugins.py", plugins)
    shutil.copy(Path(__file__).with_name("lineage_probe.py"), plugins)
    probe = tmp_path / "lineage.jsonl"
    result = run_dag("metastudio_video_pipeline", conf={"title": "Lineage", "script_text": "Where do I come from?"},
                     extra_env={"AIRFLOW__CORE__PLUGINS_FOLDER": str(plugins), "LINEAGE_PROBE_FILE": str(probe)})
    assert result.returncode == 0 and result.state == "success", result.output[-3000:]
    seen = {line["task_id"]: line for line in map(json.loads, probe.read_text().splitlines())}
    (video,) = result.xcom("create_video")
    (inputs,) = result.xcom("validate_inputs")
    (background,) = result.xcom("upload_background")
    (script_id,) = result.xcom("create_video", key="script_id")
    region, project = metastudio_conn.region, metastudio_conn.project_id
    lineage = seen["create_video"]
    assert lineage["outputs"] == [asset_uri(region, project, video["output_asset_id"])]
    assert set(lineage["inputs"]) == {asset_uri(region, project, inputs["model_asset_id"]),
                                      asset_uri(region, project, inputs["voice_asset_id"]),
                                      asset_uri(region, project, background["asset_id"]),
                                      script_uri(region, project, script_id)}, lineage
    shown = MetaStudioHook().call("ShowVideoScript", {"script_id": script_id})  # the script really used them
    assert shown["model_asset_id"] == inputs["model_asset_id"]
