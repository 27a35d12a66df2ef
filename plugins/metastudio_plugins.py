"""Airflow plugins of this project, loaded from the plugins folder ([core] plugins_folder = plugins/).

``MetaStudioTimetablesPlugin`` registers ``LocalCronTimetable``: the livestream DAG's schedule,
shown in the UI as "20:00 daily (Asia/Shanghai)" instead of a bare cron expression.
``MetaStudioRunNotesPlugin`` writes why a run failed or was skipped into the run's note.
``MetaStudioViewPlugin`` adds the MetaStudio view (docs/ui.md): its FastAPI app at ``/metastudio`` and the
page in Airflow's navigation.
"""

from airflow.plugins_manager import AirflowPlugin

from metastudio_provider import run_notes
from metastudio_provider.timetables import MetaStudioTimetablesPlugin
from metastudio_provider.ui import EXTERNAL_VIEW, FASTAPI_APP


class MetaStudioRunNotesPlugin(AirflowPlugin):
    """The listener that writes why a run failed (or was skipped) into its note (``run_notes``)."""

    name = "metastudio_run_notes"
    listeners = [run_notes]


class MetaStudioViewPlugin(AirflowPlugin):
    """The MetaStudio view: live shows, renders, limits and usage, inside Airflow's UI (``ui/``)."""

    name = "metastudio_view"
    fastapi_apps = [FASTAPI_APP]
    external_views = [EXTERNAL_VIEW]


__all__ = ["MetaStudioRunNotesPlugin", "MetaStudioTimetablesPlugin", "MetaStudioViewPlugin"]
