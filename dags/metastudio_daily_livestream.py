"""Daily livestreams at a local time, one show per room in include/livestream/; and their janitor."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.sdk import dag

from metastudio_provider.livestream.dag import janitor_task, livestream_params, livestream_shows
from metastudio_provider.timetables import local_cron_schedule, local_time_summary

INCLUDE = Path(__file__).resolve().parent.parent / "include"
LOCAL_TIME = os.environ.get("METASTUDIO_LIVESTREAM_CRON", "0 20 * * *")  # 20:00 every day...
TIMEZONE = os.environ.get("METASTUDIO_LIVESTREAM_TIMEZONE", "Asia/Shanghai")  # ...in this timezone
POLL_SECONDS = float(os.environ.get("METASTUDIO_POLL_SECONDS", "5"))  # how often the watcher looks at a show
WHEN = local_time_summary(LOCAL_TIME, TIMEZONE)  # "20:00 daily (Asia/Shanghai)"

DOC = f"""
### Daily MetaStudio livestreams: {WHEN}

Runs **{WHEN}** (cron `{LOCAL_TIME}` in {TIMEZONE}; set `METASTUDIO_LIVESTREAM_CRON` /
`METASTUDIO_LIVESTREAM_TIMEZONE` to move it). Every `include/livestream/*.yaml` is a room with its
own show: its `show.start` (a local time at or after the run's; default: the run's time), its
`show.duration_minutes`, `show.max_restarts` and `show.missed_grace_minutes`.

For each room: `plan_show` checks the room file and plans the show, `prepare_room` creates or
updates the room, its products and rules and claims the room for the run, and `show` goes live at
the room's time, stays live for its duration **counted from the moment MetaStudio reports it live**,
watched from the triggerer (no worker slot held), restarts it if it ends or fails early (each time
logged with MetaStudio's reason), and stops it on time. `record_outcome` says what happened in every
room (XCom `outcome`).

**The run fails** when a show did not run to its end: missed (a show more than its grace late is
never started: after a pause, an outage or a long queue), blocked (the room is live with a
livestream this DAG did not start, which is left alone), never live, or cut short beyond its
restarts. **No livestream outlives its run**: killing the `show` task or the run (mark failed /
success, clear, the run's timeout) stops it, and `metastudio_livestream_janitor` (every minute)
stops any a finished run left live. Press **Trigger** to go live now (all rooms, or those you list).

**The DAG is paused at creation, and unpausing it turns the daily show on** (with real credentials, a
real broadcast every evening). The Trigger dialog's "Unpause … on trigger" box is checked by default:
uncheck it for a one-off show. Unpausing never makes a run for a time already past (the project's
timetable): the first scheduled show is the next {WHEN.split(" (")[0]} to come.
"""


@dag(
    dag_id="metastudio_daily_livestream",
    description=f"Livestream at {WHEN}: one show per room in include/livestream/*.yaml",
    schedule=local_cron_schedule(LOCAL_TIME, pendulum.timezone(TIMEZONE)),
    start_date=pendulum.datetime(2026, 11, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=23),  # a stuck run never holds the next day's: its shows are stopped
    tags=["metastudio", "livestream"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    params=livestream_params(WHEN),
    render_template_as_native_obj=True,
)
def metastudio_daily_livestream() -> None:
    livestream_shows(include_dir=INCLUDE, timezone=TIMEZONE, poll_interval=POLL_SECONDS)


@dag(
    dag_id="metastudio_livestream_janitor",
    description="Every minute: stop livestreams left live by a livestream run that is no longer running",
    schedule="* * * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=5),
    is_paused_upon_creation=False,  # a safety net: on from the start
    tags=["metastudio", "livestream"],
    doc_md="Stops the livestreams of rooms claimed by a run that is no longer running (marked failed or "
           "success, timed out, or ended while its triggerer was down). See docs/livestreams.md.",
    default_args={"retries": 0},
)
def metastudio_livestream_janitor() -> None:
    janitor_task()


metastudio_daily_livestream()
metastudio_livestream_janitor()
