"""What a DAG's first task checks before anything is created: the run's conf, and the assets it names.

Airflow 3.3 validates the *declared* Params against their JSON Schema when a run is created
(``airflow dags trigger``/``test``, ``airflow backfill create``, REST, the Trigger form) and again
when each task starts, but it silently accepts keys the DAG does not declare: a misspelt
``script`` for ``script_text`` would run with the default text. ``check_run_conf`` refuses those,
naming the unknown keys and listing the valid ones, and re-validates every Param so that one
message names every bad value. ``pick_asset`` checks that an asset id exists and has the right
type (or picks a system one); ``Problems`` gathers them. Every failure here is permanent: ``AirflowFailException``, no retries.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any, TypeVar

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.client import MetaStudioError
from metastudio_provider.inputs import InvalidInputError
from metastudio_provider.states import ASSET_ACTIVE

T = TypeVar("T")


class Problems:
    """Run several input checks, keep every ``InvalidInputError``, then fail once naming them all."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)``, or None after recording its ``InvalidInputError``."""
        try:
            return function(*args)
        except InvalidInputError as exc:
            self.found.append(str(exc))
            return None

    def add(self, *problems: str) -> None:
        self.found.extend(problems)

    def fail_if_any(self, what: str) -> None:
        """``AirflowFailException`` (permanent: no retries) listing every problem found."""
        if self.found:
            raise AirflowFailException(f"{what}: " + "; ".join(self.found))


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


def pick_asset(hook: Any, asset_id: str | None, asset_type: str, field: str) -> str:
    """``asset_id`` once checked (it exists, is ``asset_type`` and ACTIVED); if empty, the first SYSTEM one.

    Raises ``InvalidInputError`` naming ``field`` for an unknown id, a wrong type or an unusable state.
    """
    if asset_id is None or not str(asset_id).strip():
        return hook.system_asset_id(asset_type)
    asset_id = str(asset_id).strip()
    try:
        asset = hook.show_asset(asset_id)
    except MetaStudioError as exc:
        if getattr(exc, "status_code", 0) in (400, 404):
            raise InvalidInputError(f"{field} {asset_id!r}: no such asset in {hook.region} "
                                    f"({getattr(exc, 'error_code', '')} {getattr(exc, 'error_msg', '')})") from None
        raise
    if asset.get("asset_type") != asset_type:
        raise InvalidInputError(f"{field} {asset_id!r} is a {asset.get('asset_type')} asset, not a {asset_type}")
    if asset.get("asset_state") not in (None, ASSET_ACTIVE):
        raise InvalidInputError(f"{field} {asset_id!r} is {asset.get('asset_state')}: it must be {ASSET_ACTIVE}")
    return asset_id
