"""Bad inputs fail the run early, say what to fix, create nothing and are not retried (docs/bad-inputs.md)."""

from __future__ import annotations

from metastudio_provider.hooks.metastudio import MetaStudioHook

PIPELINE = "metastudio_video_pipeline"


def _asset_count() -> int:
    return MetaStudioHook().call("ListAssets", query={"limit": 1})["count"]


def _refused_before_anything(result, first_task: str) -> None:
    """The run failed in ``first_task`` on its first try (no retries) and nothing ran after it."""
    states = result.task_states()
    assert states[first_task] == ["failed"], states
    assert result.tries(first_task) == 1, "a bad input must not be retried"
    assert result.state == "failed"


def test_bad_value_is_refused_when_the_run_is_created(run_dag, metastudio_conn):
    result = run_dag(PIPELINE, conf={"output_name": "videos/today"})  # a slash: not a MetaStudio name
    assert result.returncode != 0
    assert "Invalid input for param output_name" in result.output


def test_misspelt_key_bad_ids_and_a_path_outside_include_fail_before_anything_is_created(run_dag, metastudio_conn):
    """One run, every problem named at once, in the first task, without retries; no orphan asset."""
    hook = MetaStudioHook()
    avatar = hook.system_asset_id("HUMAN_MODEL_2D")  # exists, but is not a voice
    before = _asset_count()
    result = run_dag(PIPELINE, conf={"script": "Hello!", "avatar_model_asset_id": "no-such-avatar",
                                     "voice_asset_id": avatar, "background_image": "/etc/hostname"})
    _refused_before_anything(result, "validate_inputs")
    assert set(result.task_states()["upload_background"]) == {"upstream_failed"}
    out = result.output
    assert "unknown conf key(s) 'script' (did you mean 'script_text'?)" in out
    assert "valid keys: avatar_model_asset_id, background_image, orientation, output_name, script_text, title" in out
    assert "avatar_model_asset_id 'no-such-avatar': no such asset" in out
    assert f"voice_asset_id '{avatar}' is a HUMAN_MODEL_2D asset, not a VOICE_MODEL" in out
    assert "background_image '/etc/hostname' is outside" in out
    assert "bad input, nothing was created" in out
    assert _asset_count() == before  # no orphan background asset


def test_a_png_that_is_not_an_image_is_refused(run_dag, metastudio_conn, tmp_path):
    (tmp_path / "fake.png").write_text("not really a picture")
    before = _asset_count()
    result = run_dag(PIPELINE, conf={"background_image": "fake.png"},
                     extra_env={"METASTUDIO_ASSETS_ROOT": str(tmp_path)})
    _refused_before_anything(result, "validate_inputs")
    assert "file 'fake.png' is not a PNG or JPEG image (by its content)" in result.output
    assert _asset_count() == before
