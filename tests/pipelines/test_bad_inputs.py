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


def test_a_name_with_a_slash_is_refused_in_words_before_anything_is_created(run_dag, metastudio_conn):
    """No `pattern` in the Params (issue 21: the UI's form cannot check one, and the API's refusal showed the raw
    regular expression and the whole schema): validate_inputs refuses it, saying what to change, and the run's
    note carries that sentence."""
    result = run_dag(PIPELINE, conf={"output_name": "videos/today"})  # a slash: not a MetaStudio name
    _refused_before_anything(result, "validate_inputs")
    assert "output_name contains '/' or '\\': use a name without slashes" in result.output
    assert result.note.startswith("Failed: ") and "use a name without slashes" in result.note, result.note


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
