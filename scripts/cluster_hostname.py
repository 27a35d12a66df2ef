"""``[core] hostname_callable`` of the Celery workers ``make cluster`` starts on one host.

Airflow records the host that ran each task instance (the UI's "Hostname", the REST API's
``hostname``). Several workers on one machine would all report the same name; each worker
started by scripts/cluster_start.sh has ``METASTUDIO_WORKER_NAME=worker<i>`` and reports
``worker<i>@<fqdn>`` (the name Celery gives it too). Without that variable: the plain FQDN,
Airflow's default. Workers on separate hosts do not need this.
"""

from __future__ import annotations

import os
import socket
from functools import cache


@cache
def _fqdn() -> str:
    return socket.getfqdn()


def hostname() -> str:
    name = os.environ.get("METASTUDIO_WORKER_NAME")
    return f"{name}@{_fqdn()}" if name else _fqdn()
