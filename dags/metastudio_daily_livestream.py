"""Daily livestream at a local time: prepare the room and products, go live, stay live, stop, record."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pendulum
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import Param, dag, get_current_context, task

from metastudio_provider.operators.livestream import StartLivestreamOperator, StopLivestreamOperator
from metastudio_provider.states import LIVE_JOB, LIVE_JOB_ENDED
from metastudio_provider.timetables import local_cron_schedule, local_time_summary

INCLUDE = Path(__file__).resolve().parent.parent / "include"
LOCAL_TIME = os.environ.get("METASTUDIO_LIVESTREAM_CRON", "0 20 * * *")  # 20:00 every day...
TIMEZONE = os.environ.get("METASTUDIO_LIVESTREAM_TIMEZONE", "Asia/Shanghai")  # ...in this timezone
WHEN = local_time_summary(LOCAL_TIME, TIMEZONE)  # "20:00 daily (Asia/Shanghai)"

DOC = f"""
### Daily MetaStudio livestream: {WHEN}

Runs **{WHEN}** (cron `{LOCAL_TIME}` in {TIMEZONE}; the DAG list's *Schedule* column says the same,
and the next run is at the next {WHEN.split(" (")[0]} in {TIMEZONE}). Set
`METASTUDIO_LIVESTREAM_CRON` / `METASTUDIO_LIVESTREAM_TIMEZONE` to move it.

It creates or updates the live room, its products and its interaction rules from
`include/livestream/room.yaml`, starts the livestream, waits until it is live, keeps it live for
`duration_minutes` **without holding a worker slot** (deferred), stops it and records the outcome.
To go live now, press **Trigger** on the DAG page and change the form's values if needed.

The run **fails** when the livestream never went live (for example the room was already live: this
DAG never starts a second livestream, and leaves the other one alone) or ended in failure;
`record_outcome` says what happened (XCom `outcome`).
"""


@dag(
    dag_id="metastudio_daily_livestream",
    description=f"Livestream at {WHEN}: room, products and rules from include/livestream/room.yaml",
    schedule=local_cron_schedule(LOCAL_TIME, pendulum.timezone(TIMEZONE)),
    start_date=pendulum.datetime(2026, 11, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    tags=["metastudio", "livestream"],
    doc_md=DOC,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=30)},
    params={
        "room_definition": Param(
            "livestream/room.yaml", type="string", minLength=1, maxLength=1024, title="Room definition",
            description="YAML file of the room, its products and rules, relative to include/.",
        ),
        "duration_minutes": Param(
            60, type="number", minimum=0, maximum=24 * 60, title="Minutes live",
            description="How long to stay live before stopping (at most a day).",
        ),
    },
    render_template_as_native_obj=True,
)
def metastudio_daily_livestream():
    @task
    def prepare_room(params: dict | None = None) -> dict:
        """Check the conf and the room definition, then create or update the products, rules and room."""
        import yaml

        from metastudio_provider import bodies
        from metastudio_provider.hooks.metastudio import MetaStudioHook, identity_token, with_identity
        from metastudio_provider.inputs import resolve_under
        from metastudio_provider.preflight import Problems, check_run_conf, pick_asset

        assert params is not None  # Airflow passes the DAG's params
        found = Problems()
        check_run_conf(get_current_context(), found)
        path = found.check(resolve_under, params["room_definition"], INCLUDE, "room_definition")
        found.fail_if_any("metastudio_daily_livestream: bad input, nothing was created")
        assert path is not None  # fail_if_any raised otherwise
        try:
            definition = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            found.add(f"room_definition {path.name}: not valid YAML: {' '.join(str(exc).split())}")
            definition = {}
        if not isinstance(definition, dict):
            found.add(f"room_definition {path.name}: expected a mapping, got {type(definition).__name__}")
            definition = {}
        found.add(*bodies.room_problems(definition))
        hook = MetaStudioHook()
        model = found.check(pick_asset, hook, definition.get("model_asset_id"), "HUMAN_MODEL_2D", "model_asset_id")
        voice = found.check(pick_asset, hook, definition.get("voice_asset_id"), "VOICE_MODEL", "voice_asset_id")
        found.fail_if_any(f"metastudio_daily_livestream: {params['room_definition']}: nothing was created")
        assert model is not None and voice is not None  # fail_if_any raised otherwise

        # One room (and its products) per room definition, the same every day: that is their identity
        # (a token in a field MetaStudio lists back), not their names. The rule library is found by its name.
        owner = ("metastudio_daily_livestream", params["room_definition"])
        product_ids = {}
        for product in definition.get("products") or []:
            body = {"name": product["name"], "description": product.get("description", "")}
            made = hook.create_or_reuse("CreateProduct", body, identity=identity_token(*owner, "product", product["name"]))
            product_ids[product["name"]] = made["product_id"]
        rules = None
        if definition.get("interaction_rules"):
            rules = bodies.interaction_rule_group(definition["interaction_rules"])
            existing = hook.find_existing("CreateInteractionRuleGroup", rules)
            if existing:
                hook.call("UpdateInteractionRuleGroup", {"group_id": existing["group_id"]}, body=rules)
            else:
                hook.call("CreateInteractionRuleGroup", body=rules)
        room = with_identity("CreateSmartLiveRoom", bodies.live_room(
            definition, model_asset_id=model, voice_asset_id=voice, product_ids=product_ids, rule_group=rules,
        ), identity_token(*owner, "room"))
        existing = hook.find_existing("CreateSmartLiveRoom", room)
        if existing:
            room_id = existing["room_id"]
            hook.call("UpdateSmartLiveRoom", {"room_id": room_id}, body=room)  # keeps the token
        else:
            room_id = hook.call("CreateSmartLiveRoom", body=room)["room_id"]
        return {"room_id": room_id, "product_ids": product_ids}

    room = prepare_room()
    start = StartLivestreamOperator(task_id="start_livestream", room_id=room["room_id"], if_live="fail")

    @task
    def live_until(started: dict, params: dict | None = None) -> str:
        """When to stop: now (the livestream just went live) plus the configured duration."""
        assert params is not None  # Airflow passes the DAG's params
        return pendulum.now("UTC").add(seconds=60 * float(params["duration_minutes"])).isoformat()

    keep_live = DateTimeSensorAsync(task_id="keep_live", target_time=live_until(start.output))
    stop = StopLivestreamOperator(
        task_id="stop_livestream",
        room_id=room["room_id"],
        job_id="{{ ti.xcom_pull(task_ids='start_livestream', key='job_id') }}",
        trigger_rule="all_done",
    )

    @task(trigger_rule="all_done")
    def record_outcome(**context) -> dict:
        """What happened, in XCom ``outcome`` and the log; fail the run unless it went live and ended well."""
        from airflow.sdk.exceptions import AirflowFailException

        ti = context["ti"]
        started = ti.xcom_pull(task_ids="start_livestream")
        stopped = ti.xcom_pull(task_ids="stop_livestream")
        outcome = {
            "room_id": (ti.xcom_pull(task_ids="prepare_room") or {}).get("room_id"),
            "job_id": ti.xcom_pull(task_ids="start_livestream", key="job_id"),
            "went_live": bool(started and LIVE_JOB.succeeded(started.get("state"))),
            "final_state": (stopped or {}).get("state"),
        }
        outcome["success"] = outcome["went_live"] and LIVE_JOB_ENDED.succeeded(outcome["final_state"])
        print(f"Livestream outcome: {outcome}")
        ti.xcom_push(key="outcome", value=outcome)
        if not outcome["went_live"]:
            raise AirflowFailException(f"the livestream never went live in room {outcome['room_id']}: "
                                       "see start_livestream's log")
        if not outcome["success"]:
            raise AirflowFailException(f"livestream {outcome['job_id']} ended {outcome['final_state'] or 'unknown'}, "
                                       "not SUCCEED: see stop_livestream's log")
        return outcome

    keep_live >> stop >> record_outcome()


metastudio_daily_livestream()
