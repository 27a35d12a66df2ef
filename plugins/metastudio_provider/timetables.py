"""A cron schedule shown in its own local time ("20:00 daily (Asia/Shanghai)") that never runs the past on unpause.

Airflow 3.3 shows a ``CronTriggerTimetable`` as its bare expression (``0 20 * * *``), and the
timezone nowhere near it. ``LocalCronTimetable``'s ``summary`` (the DAG list's Schedule column and
the DAG page) and ``description`` (the tooltip) name the local time and the timezone.

It also differs in one rule (``catchup=False`` only). Airflow's own timetable schedules the latest
past cron time whenever it is later than the last run: unpausing a DAG, or pressing Trigger with the
dialog's "Unpause on trigger" checked, makes a ``scheduled__`` run for a time already past (a show
hours late, which fails as missed). ``LocalCronTimetable`` runs a past time only when it directly
follows the DAG's previous scheduled run, i.e. when the DAG was on and running the day before:

* no scheduled run yet (a new DAG, first unpaused): the first run is the next cron time to come;
* the previous scheduled run was the cron time just before the latest past one: that latest one is
  run, late (the scheduler was down at its time: the show then fails loudly as missed, or goes on
  late within its grace);
* older: at least one whole cron period passed with no run (the DAG was paused): the next time to come.

A DAG paused across exactly one cron time and unpaused after it cannot be told from a scheduler
that was down at that time: that run is made, and a show fails as missed (docs/livestreams.md).

Airflow serializes only timetables that a plugin registers: ``MetaStudioTimetablesPlugin``
(``metastudio_provider.plugins.metastudio_plugin``, loaded from the project's plugins folder).
``local_cron_schedule`` uses the local-time timetable when it is registered and falls back to a
plain ``CronTriggerTimetable`` (same runs, bare cron in the UI) where it is not.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from airflow.timetables.base import DagRunInfo, DataInterval, TimeRestriction
from airflow.timetables.trigger import CronTriggerTimetable
from pendulum import DateTime
from pendulum.tz.timezone import FixedTimezone, Timezone

Zone: TypeAlias = str | Timezone | FixedTimezone


def _zone_name(timezone: object) -> str:
    return str(getattr(timezone, "name", None) or timezone)


def local_time_summary(expression: str, timezone: object) -> str:
    """``"20:00 daily (Asia/Shanghai)"`` for a daily cron; else the expression with the zone."""
    fields = expression.split()
    zone = _zone_name(timezone)
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit() and fields[2:] == ["*", "*", "*"]:
        return f"{int(fields[1]):02d}:{int(fields[0]):02d} daily ({zone})"
    return f"{expression} ({zone})"


def utc_now() -> DateTime:
    """The current time (one place, so tests can fix it)."""
    import pendulum

    return pendulum.now("UTC")


def next_scheduled(latest_past: DateTime, next_to_come: DateTime, after_last: DateTime | None) -> DateTime:
    """The next scheduled time (catchup off): ``after_last`` (the cron time after the previous scheduled run)
    when it is the latest past cron time or later, else the next cron time to come."""
    if after_last is not None and after_last >= latest_past:
        return after_last
    return next_to_come


class LocalCronTimetable(CronTriggerTimetable):
    """``CronTriggerTimetable`` whose UI summary and description say the local time and timezone, and which
    never schedules a time already past on unpause (module docstring)."""

    def next_dagrun_info(self, *, last_automated_data_interval: DataInterval | None,
                         restriction: TimeRestriction) -> DagRunInfo | None:
        if restriction.catchup:
            return super().next_dagrun_info(last_automated_data_interval=last_automated_data_interval,
                                            restriction=restriction)
        now = utc_now()
        after_last = (self._get_next(last_automated_data_interval.end)
                      if last_automated_data_interval is not None else None)
        start = next_scheduled(self._align_to_prev(now), self._align_to_next(now), after_last)
        if restriction.earliest is not None:
            start = max(start, self._align_to_next(restriction.earliest))
        if restriction.latest is not None and restriction.latest < start:
            return None
        return DagRunInfo.interval(start - self._interval, start)

    @property
    def summary(self) -> str:
        return local_time_summary(self._expression, self._timezone)

    def __init__(self, cron: str, *, timezone: Zone, **kwargs: Any) -> None:
        super().__init__(cron, timezone=timezone, **kwargs)
        described = self.description or f"cron {self._expression}"
        self.description = f"{described}, {_zone_name(self._timezone)} time (cron {self._expression})"


def local_cron_schedule(cron: str, timezone: Zone) -> CronTriggerTimetable:
    """A DAG ``schedule``: ``LocalCronTimetable`` if a plugin registered it, else ``CronTriggerTimetable``."""
    from airflow import plugins_manager

    registered = f"{LocalCronTimetable.__module__}.{LocalCronTimetable.__qualname__}"
    try:
        usable = registered in plugins_manager.get_timetables_plugins()
    except Exception:  # plugins cannot be loaded here: the plain timetable schedules the same runs
        usable = False
    return (LocalCronTimetable if usable else CronTriggerTimetable)(cron, timezone=timezone)

