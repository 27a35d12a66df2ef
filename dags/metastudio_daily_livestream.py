"""Daily livestream at a local time: prepare the room and products, go live, stay live, stop, record."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import Param, dag, task
from airflow.timetables.trigger import CronTriggerTimetable

from metastudio_provider.operators.workflows import StartLivestreamOperator, StopLivestreamOperator

INCLUDE = Path(__file__).resolve().parent.parent / "include"
LOCAL_TIME = os.environ.get("METASTUDIO_LIVESTREAM_CRON", "0 20 * * *")  # 20:00 every day...
TIMEZONE = os.environ.get("METASTUDIO_LIVESTREAM_TIMEZONE", "Asia/Shanghai")  # ...in this pendulum timezone

DOC = f"""
### Daily MetaStudio livestream

Every day at `{LOCAL_TIME}` ({TIMEZONE}): create or update the live room, its products and its
interaction rules from `include/livestream/room.yaml`, start the livestream, wait until it is
live, keep it live for `duration_minutes` **without holding a worker slot** (deferred), stop it
and record the outcome. If the room is already live the run fails rather than start a second
livestream (and the stop step leaves the other livestream alone).
"""


@dag(
    dag_id="metastudio_daily_livestream",
    schedule=CronTriggerTimetable(LOCAL_TIME, timezone=pendulum.timezone(TIMEZONE)),
    start_date=pendulum.datetime(2026, 11, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["metastudio", "livestream"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    params={
        "room_definition": Param("livestream/room.yaml", type="string", description="Relative to include/"),
        "duration_minutes": Param(60, type="number", minimum=0, description="How long to stay live"),
    },
    render_template_as_native_obj=True,
)
def metastudio_daily_livestream():
    @task
    def prepare_room(params: dict | None = None) -> dict:
        """Create or update the products, the rule library and the room; return the room id."""
        import yaml

        from metastudio_provider import bodies
        from metastudio_provider.hooks.metastudio import MetaStudioHook

        definition = yaml.safe_load((INCLUDE / params["room_definition"]).read_text())
        hook = MetaStudioHook()
        product_ids = {}
        for product in definition.get("products") or []:
            body = {"name": product["name"], "description": product.get("description", "")}
            found = hook.find_existing("CreateProduct", body)
            product_ids[product["name"]] = (found or hook.call("CreateProduct", body=body))["product_id"]
        rules = None
        if definition.get("interaction_rules"):
            rules = bodies.interaction_rule_group(definition["interaction_rules"])
            found = hook.find_existing("CreateInteractionRuleGroup", rules)
            if found:
                hook.call("UpdateInteractionRuleGroup", {"group_id": found["group_id"]}, body=rules)
            else:
                hook.call("CreateInteractionRuleGroup", body=rules)
        room = bodies.live_room(
            definition,
            model_asset_id=definition.get("model_asset_id") or hook.system_asset_id("HUMAN_MODEL_2D"),
            voice_asset_id=definition.get("voice_asset_id") or hook.system_asset_id("VOICE_MODEL"),
            product_ids=product_ids,
            rule_group=rules,
        )
        found = hook.find_existing("CreateSmartLiveRoom", room)
        if found:
            room_id = found["room_id"]
            hook.call("UpdateSmartLiveRoom", {"room_id": room_id}, body=room)
        else:
            room_id = hook.call("CreateSmartLiveRoom", body=room)["room_id"]
        return {"room_id": room_id, "product_ids": product_ids}

    room = prepare_room()
    start = StartLivestreamOperator(task_id="start_livestream", room_id=room["room_id"], if_live="fail")

    @task
    def live_until(started: dict, params: dict | None = None) -> str:
        """When to stop: now (the livestream just went live) plus the configured duration."""
        return pendulum.now("UTC").add(minutes=float(params["duration_minutes"])).isoformat()

    keep_live = DateTimeSensorAsync(task_id="keep_live", target_time=live_until(start.output))
    stop = StopLivestreamOperator(
        task_id="stop_livestream",
        room_id=room["room_id"],
        job_id="{{ ti.xcom_pull(task_ids='start_livestream', key='job_id') }}",
        trigger_rule="all_done",
    )

    @task(trigger_rule="all_done")
    def record_outcome(**context) -> dict:
        """What happened, in XCom and the log: live or not, and how it ended."""
        ti = context["ti"]
        started = ti.xcom_pull(task_ids="start_livestream")
        stopped = ti.xcom_pull(task_ids="stop_livestream")
        outcome = {
            "room_id": (ti.xcom_pull(task_ids="prepare_room") or {}).get("room_id"),
            "job_id": ti.xcom_pull(task_ids="start_livestream", key="job_id"),
            "went_live": bool(started and started.get("state") == "PROCESSING"),
            "final_state": (stopped or {}).get("state"),
        }
        outcome["success"] = outcome["went_live"] and outcome["final_state"] == "SUCCEED"
        print(f"Livestream outcome: {outcome}")
        return outcome

    keep_live >> stop >> record_outcome()


metastudio_daily_livestream()
