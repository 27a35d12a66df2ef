"""A cron schedule that the Airflow UI shows in its own local time: "20:00 daily (Asia/Shanghai)".

Airflow 3.3 shows a ``CronTriggerTimetable`` as its bare expression (``0 20 * * *``), and the
timezone nowhere near it. ``LocalCronTimetable`` schedules exactly the same runs but its
``summary`` (the DAG list's Schedule column and the DAG page) and ``description`` (the tooltip)
name the local time and the timezone.

Airflow serializes only timetables that a plugin registers, so ``MetaStudioTimetablesPlugin`` is
loaded from the project's plugins folder (``plugins/metastudio_plugins.py``; an entry-point plugin
would be registered twice in an editable install, whose ``*.egg-info`` sits on ``sys.path``).
``local_cron_schedule`` uses the local-time timetable when it is registered and falls back to a
plain ``CronTriggerTimetable`` (same runs, bare cron in the UI) where it is not.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from airflow.plugins_manager import AirflowPlugin
from airflow.timetables.trigger import CronTriggerTimetable
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


class LocalCronTimetable(CronTriggerTimetable):
    """``CronTriggerTimetable`` whose UI summary and description say the local time and timezone."""

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


class MetaStudioTimetablesPlugin(AirflowPlugin):
    """Registers the provider's timetables so DAGs using them can be serialized and scheduled."""

    name = "metastudio_timetables"
    timetables = [LocalCronTimetable]
