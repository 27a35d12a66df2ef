"""Airflow plugins of this project, loaded from the plugins folder ([core] plugins_folder = plugins/).

``MetaStudioTimetablesPlugin`` registers ``LocalCronTimetable``: the livestream DAG's schedule,
shown in the UI as "20:00 daily (Asia/Shanghai)" instead of a bare cron expression.
"""

from metastudio_provider.timetables import MetaStudioTimetablesPlugin

__all__ = ["MetaStudioTimetablesPlugin"]
