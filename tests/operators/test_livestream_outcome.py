"""record_outcome's verdict per room: what the room's tasks recorded, checked against their states."""

from __future__ import annotations

from metastudio_provider.livestream.dag import room_outcome

DONE = {"plan_show": "success", "prepare_room": "success", "show": "success"}


def test_a_show_that_ran_to_its_end_is_a_success():
    recorded = {"status": "success", "message": "live until its planned end"}
    assert room_outcome(recorded, DONE) == recorded


def test_a_recorded_success_whose_show_task_failed_is_a_failure():
    """Marked failed by hand after it recorded success (or failed after recording): not green."""
    outcome = room_outcome({"status": "success", "message": "live until its planned end"},
                           {**DONE, "show": "failed"})
    assert outcome["status"] == "failed" and "ended failed" in outcome["message"]


def test_a_room_whose_tasks_recorded_nothing_is_judged_by_their_states():
    assert room_outcome(None, {**DONE, "prepare_room": "failed", "show": "upstream_failed"})["status"] == "failed"
    assert room_outcome(None, {"plan_show": "success", "prepare_room": "success", "show": "skipped"})["status"] \
        == "not_run"
    assert room_outcome(None, DONE)["status"] == "marked_success"
