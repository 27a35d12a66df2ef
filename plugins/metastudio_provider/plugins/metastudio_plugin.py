"""The provider's Airflow plugins, loaded from the plugins folder by ``plugins/metastudio_plugins.py``.

``MetaStudioTimetablesPlugin`` registers ``LocalCronTimetable``: the livestream DAG's schedule,
shown in the UI as "20:00 daily (Asia/Shanghai)" instead of a bare cron expression. Airflow serializes
only timetables that a plugin registers; an entry-point plugin would be registered twice in an editable
install (whose ``*.egg-info`` sits on ``sys.path``), hence the plugins folder.
``MetaStudioRunNotesPlugin`` writes why a run failed or was skipped into the run's note.
``MetaStudioViewPlugin`` adds the MetaStudio view (docs/ui.md): its FastAPI app at ``/metastudio`` and the
page in Airflow's navigation.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from metastudio_provider.listeners import run_notes
from metastudio_provider.timetables import LocalCronTimetable
from metastudio_provider.ui import EXTERNAL_VIEW, FASTAPI_APP


class MetaStudioTimetablesPlugin(AirflowPlugin):
    """Registers the provider's timetables so DAGs using them can be serialized and scheduled."""

    name = "metastudio_timetables"
    timetables = [LocalCronTimetable]


class MetaStudioRunNotesPlugin(AirflowPlugin):
    """The listener that writes why a run failed (or was skipped) into its note (``listeners.run_notes``)."""

    name = "metastudio_run_notes"
    listeners = [run_notes]


class MetaStudioViewPlugin(AirflowPlugin):
    """The MetaStudio view: live shows, renders, limits and usage, inside Airflow's UI (``ui/``)."""

    name = "metastudio_view"
    fastapi_apps = [FASTAPI_APP]
    external_views = [EXTERNAL_VIEW]
