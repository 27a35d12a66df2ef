"""Waiting for a resource, shared by sensors and workflow operators: defer, or poll in place."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, NoReturn

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowException, AirflowFailException, AirflowSensorTimeout

from metastudio_provider.hooks.metastudio import MetaStudioHook
from metastudio_provider.states import RESOURCES, Outcome, describe_error
from metastudio_provider.triggers.metastudio import MetaStudioStateTrigger


def state_trigger(task: Any, kind: str, ids: dict[str, str], timeout: float,
                  poll_interval: float) -> MetaStudioStateTrigger:
    """The trigger that waits for ``kind`` ``ids`` with the task's connection and region."""
    return MetaStudioStateTrigger(
        kind=kind,
        ids=ids,
        metastudio_conn_id=task.metastudio_conn_id,
        region=task.region,
        poll_interval=poll_interval,
        end_time=time.time() + timeout,
    )


def defer_until(task: BaseOperator, kind: str, ids: dict[str, str], *, timeout: float, poll_interval: float,
                method_name: str = "execute_complete") -> NoReturn:
    """Hand the wait to the triggerer (raises ``TaskDeferred``); ``method_name`` resumes the task with the event."""
    task.defer(
        trigger=state_trigger(task, kind, ids, timeout, poll_interval),
        method_name=method_name,
        timeout=timedelta(seconds=timeout + 60),
    )


def check_once(hook: MetaStudioHook, kind: str, ids: dict[str, str]) -> dict:
    """One look at the resource, as an event shaped like the trigger's (status ``Outcome.RUNNING`` if not ended)."""
    resource = RESOURCES[kind]
    response = hook.call(resource.show_api, ids)
    state = resource.state_of(response)
    return {"kind": kind, "ids": ids, "status": resource.outcome(state).value, "state": state,
            "response": resource.summary(response)}


def poll_until(hook: MetaStudioHook, kind: str, ids: dict[str, str], *, timeout: float, poll_interval: float,
               log: Any = None) -> dict:
    """Poll in the worker (non-deferrable mode) and return an event shaped like the trigger's."""
    deadline = time.monotonic() + timeout
    state = None
    while (event := check_once(hook, kind, ids))["status"] == Outcome.RUNNING.value:
        if log is not None and event["state"] != state:
            log.info("%s %s is %s", kind, ids, event["state"])
        state = event["state"]
        if time.monotonic() >= deadline:
            return {**event, "status": "timeout"}
        time.sleep(poll_interval)
    return event


def event_result(event: dict[str, Any], timeout: float, log: Any = None) -> dict[str, Any]:
    """The response of a successful wait; log and raise a clear error for anything else.

    A resource that ended in failure raises ``AirflowException`` with MetaStudio's error code and
    message (the task's retries, if any, make it again); a permanent error while waiting raises
    ``AirflowFailException``; a timeout, ``AirflowSensorTimeout``.
    """
    kind, ids, status = event.get("kind"), event.get("ids"), event.get("status")
    if status == Outcome.SUCCESS:
        return event["response"]
    if status == Outcome.FAILURE:
        error = describe_error(RESOURCES[event["kind"]].error_info(event["response"]))
        message = f"{kind} {ids} ended {event['state']}: {error}"
        if log is not None:
            log.error("%s", message)
        raise AirflowException(message)
    if status == "timeout":
        raise AirflowSensorTimeout(f"{kind} {ids} still {event.get('state')} after {timeout:.0f} s")
    message = f"{kind} {ids}: {event.get('message', event)}"
    if log is not None:
        log.error("%s", message)
    raise (AirflowFailException if event.get("permanent") else AirflowException)(message)
