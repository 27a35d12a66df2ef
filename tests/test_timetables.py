"""LocalCronTimetable: no run for a time already past on unpause; a show missed while the DAG was on still runs (late).

The clock is fixed (both timetables' ``now``), so each case is one known instant.
"""

from __future__ import annotations

import pendulum
import pytest
from airflow.timetables.base import DataInterval, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable

from metastudio_provider.timetables import LocalCronTimetable

ZONE = pendulum.timezone("Asia/Shanghai")
START = pendulum.datetime(2026, 11, 1, tz=ZONE)
NOW = pendulum.datetime(2026, 12, 3, 23, 30, tz=ZONE)  # tonight's 20:00 is 3.5 h past
TONIGHT, TOMORROW = NOW.set(hour=20, minute=0), NOW.add(days=1).set(hour=20, minute=0)


def _next(timetable: CronTriggerTimetable, last_show: pendulum.DateTime | None, catchup: bool = False):
    last = DataInterval(last_show, last_show) if last_show else None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("metastudio_provider.timetables.utc_now", lambda: NOW.in_timezone("UTC"))
        patch.setattr("airflow.timetables.trigger.utcnow", lambda: NOW.in_timezone("UTC"))
        info = timetable.next_dagrun_info(last_automated_data_interval=last,
                                          restriction=TimeRestriction(earliest=START, latest=None, catchup=catchup))
    assert info is not None
    return info.run_after


@pytest.fixture
def daily() -> LocalCronTimetable:
    return LocalCronTimetable("0 20 * * *", timezone=ZONE)


def test_airflows_own_timetable_makes_a_run_for_tonights_past_show_on_unpause():
    """What the project's timetable fixes: the first unpause after 20:00 makes a run for 20:00, hours late."""
    assert _next(CronTriggerTimetable("0 20 * * *", timezone=ZONE), None) == TONIGHT


def test_a_new_dag_unpaused_after_the_show_time_waits_for_the_next_one(daily):
    assert _next(daily, None) == TOMORROW


def test_a_dag_paused_for_a_whole_day_and_unpaused_waits_for_the_next_show(daily):
    assert _next(daily, TONIGHT.subtract(days=2)) == TOMORROW
    assert _next(daily, TONIGHT.subtract(days=9)) == TOMORROW


def test_a_show_missed_while_the_dag_was_on_is_still_run_late_to_fail_loudly(daily):
    """Yesterday's show ran; tonight's was not made (the scheduler was down at 20:00): it is made now, late,
    and plan_show fails it as missed (or starts it within its grace)."""
    assert _next(daily, TONIGHT.subtract(days=1)) == TONIGHT


def test_after_tonights_show_the_next_is_tomorrow(daily):
    assert _next(daily, TONIGHT) == TOMORROW


def test_catchup_keeps_airflows_rule(daily):
    assert _next(daily, TONIGHT.subtract(days=3), catchup=True) == TONIGHT.subtract(days=2)


def test_the_ui_still_says_local_time(daily):
    assert daily.summary == "20:00 daily (Asia/Shanghai)"
