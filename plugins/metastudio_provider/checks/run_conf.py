"""A DAG run's conf, checked by the DAG's first task before anything is created.

Airflow 3.3 validates the *declared* Params against their JSON Schema when a run is created
(``airflow dags trigger``/``test``, ``airflow backfill create``, REST, the Trigger form) and again
when each task starts, but it silently accepts keys the DAG does not declare: a misspelt
``script`` for ``script_text`` would run with the default text. ``check_run_conf`` refuses those,
naming the unknown keys and listing the valid ones, and re-validates every Param so that one
message names every bad value (``Problems`` gathers them with the other inputs' problems). Every
failure here is permanent: ``AirflowFailException``, no retries.
"""

from __future__ import annotations

import difflib
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.checks.problems import Problems


def declared_params(context: Any) -> dict[str, Any]:
    """The Param objects the DAG (and the running task) declare, by key."""
    declared: dict[str, Any] = {}
    for owner in (context["dag"], context["task"]):
        params = getattr(owner, "params", None) or {}
        for key in params:
            declared[key] = params.get_param(key) if hasattr(params, "get_param") else params[key]
    return declared


def conf_problems(conf: dict[str, Any], declared: dict[str, Any]) -> list[str]:
    """What is wrong with ``conf``: unknown keys (with a close valid key if any), then bad values."""
    found = []
    if unknown := sorted(set(conf) - set(declared)):
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(key, list(declared), n=1)
            hints.append(repr(key) + (f" (did you mean {close[0]!r}?)" if close else ""))
        valid = ", ".join(sorted(declared)) or "none: this DAG takes no conf"
        found.append(f"unknown conf key(s) {', '.join(hints)}; valid keys: {valid}")
    for key, param in declared.items():
        if key in conf and hasattr(param, "resolve"):
            try:
                param.__copy__().resolve(conf[key])
            except Exception as exc:  # ParamValidationError (JSON Schema) or a value that is not JSON
                found.append(f"{key}={conf[key]!r}: {str(exc).splitlines()[0]}")
    return found


def check_run_conf(context: Any, problems: Problems | None = None) -> dict[str, Any]:
    """Fail the task (no retries) if the run's conf has unknown keys or invalid values; return the conf.

    With ``problems``, record them there instead (to fail once, with the other inputs' problems).
    """
    conf = dict(getattr(context.get("dag_run"), "conf", None) or {})
    found = conf_problems(conf, declared_params(context))
    if problems is not None:
        problems.add(*found)
    elif found:
        raise AirflowFailException(f"{context['dag'].dag_id}: bad run conf: " + "; ".join(found))
    return conf
