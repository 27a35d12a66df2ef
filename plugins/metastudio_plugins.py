"""Airflow plugins of this project, loaded from the plugins folder ([core] plugins_folder = plugins/).

The plugin classes live in ``metastudio_provider.plugins.metastudio_plugin``: the timetable, the run-note
listener and the MetaStudio view.
"""

from metastudio_provider.plugins.metastudio_plugin import (
    MetaStudioRunNotesPlugin,
    MetaStudioTimetablesPlugin,
    MetaStudioViewPlugin,
)

__all__ = ["MetaStudioRunNotesPlugin", "MetaStudioTimetablesPlugin", "MetaStudioViewPlugin"]
