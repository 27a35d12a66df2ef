"""A hook lineage reader and listener for the lineage test: what OpenLineage's listener would read.

Copied into the test's own plugins folder: the plugin registers a ``HookLineageReader`` (which turns
Airflow's hook lineage collector on, as the OpenLineage provider does) and, after each task, writes
the collector's inputs and outputs to ``$LINEAGE_PROBE_FILE`` as one JSON line.
"""

from __future__ import annotations

import json
import os

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin
from airflow.sdk.lineage import HookLineageReader, get_hook_lineage_collector


class _Listener:
    @hookimpl
    def on_task_instance_success(self, previous_state, task_instance):
        lineage = get_hook_lineage_collector().collected_assets
        with open(os.environ["LINEAGE_PROBE_FILE"], "a", encoding="utf-8") as file:
            file.write(json.dumps({"task_id": task_instance.task_id,
                                   "inputs": [i.asset.uri for i in lineage.inputs],
                                   "outputs": [o.asset.uri for o in lineage.outputs]}) + "\n")


class LineageProbePlugin(AirflowPlugin):
    name = "lineage_probe"
    hook_lineage_readers = [HookLineageReader]
    listeners = [_Listener()]
