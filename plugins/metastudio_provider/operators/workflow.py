"""The base of the workflow operators (what users do, built on the hook), and their shared helpers.

Creates happen exactly once per task instance: each create carries the run identity token of
its task instance (dag / run / task / map index, ``run_identity``) in a field MetaStudio lists back
(the catalog's ``dedupe.identity``), and a retried try carries on only with what carries its own
token. Names (default: ``deterministic_name``) are labels: two runs with the same name make two
resources. Inputs are checked (``inputs``) before the first create. Waits defer to the triggerer when
``deferrable`` (default: Airflow's ``[operators] default_deferrable``), else poll in the worker.
"""


from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from metastudio_provider.client.identity import PREFIX as TOKEN_PREFIX
from metastudio_provider.links import CONSOLE_URL_XCOM_KEY, MetaStudioConsoleLink, console_url
from metastudio_provider.operators.base import MetaStudioBaseOperator, default_deferrable, run_identity
from metastudio_provider.states import Outcome
from metastudio_provider.utils.waiting import check_once, defer_until, poll_until


def deterministic_name(context: Any, prefix: str) -> str:
    """Same value on every try of the same task instance; different across runs and map indexes: the
    task id and the digits of the task instance's ``run_identity`` (a label: the token itself goes in the
    create's identity field)."""
    return f"{prefix}-{context['ti'].task_id[:32]}-{run_identity(context).removeprefix(TOKEN_PREFIX)}"


def read_source(source: Any) -> tuple[str, bytes]:
    """``(file_name, bytes)`` of a local path or an Airflow ``ObjectStoragePath``."""
    if hasattr(source, "read_bytes") and not isinstance(source, (str, Path)):
        return source.name, source.read_bytes()
    path = Path(source)
    if not path.is_file():
        raise FileNotFoundError(f"no such file to upload: {path}")
    return path.name, path.read_bytes()


class WorkflowOperator(MetaStudioBaseOperator):
    """Shared by the workflow operators: waiting, console links, retries.

    A subclass decorates ``execute``, ``execute_complete`` and any method ``_wait`` resumes in with
    ``entry_point`` (``operators.base``) and lists ``metastudio_conn_id`` in its ``template_fields``.
    """

    template_fields: Collection[str] = ("metastudio_conn_id",)
    operator_extra_links: tuple[MetaStudioConsoleLink, ...] = (MetaStudioConsoleLink(),)

    def __init__(self, *, deferrable: bool | None = None, poll_interval: float = 5.0, wait_timeout: float = 6 * 3600,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def _retrying(self, context: Any) -> bool:
        return context["ti"].try_number > 1

    def _link(self, context: Any, kind: str, ids: dict[str, str]) -> None:
        settings = self.hook.settings
        context["ti"].xcom_push(key=CONSOLE_URL_XCOM_KEY,
                                value=console_url(kind, settings.region, ids, settings.endpoint))

    def _wait(self, kind: str, ids: dict[str, str], method_name: str = "execute_complete") -> dict:
        """Return the event if the resource already ended; else defer (the task resumes in ``method_name``)
        or, not deferrable, poll in place."""
        if self.deferrable:
            if (event := check_once(self.hook, kind, ids))["status"] != Outcome.RUNNING:
                return event
            self.log.info("Waiting for %s %s (%s): deferring to the triggerer", kind, ids, event["state"])
            defer_until(self, kind, ids, timeout=self.wait_timeout, poll_interval=self.poll_interval,
                        method_name=method_name)
        return poll_until(self.hook, kind, ids, timeout=self.wait_timeout, poll_interval=self.poll_interval,
                          log=self.log)
