"""Livestreams: prepare a room, run a whole show in it (``LivestreamShowOperator``), or start and stop by hand."""

from __future__ import annotations

import time
from typing import Any

from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from metastudio_provider import bodies
from metastudio_provider.hooks.metastudio import identity_token, with_identity
from metastudio_provider.operators.live_show import LivestreamShowOperator
from metastudio_provider.operators.waiting import event_result
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.preflight import Problems, pick_asset
from metastudio_provider.room_claims import Claim, Runs, service_time, settle_room, stop_job
from metastudio_provider.states import LIVE_JOB_ENDED

__all__ = ["LivestreamShowOperator", "PrepareLivestreamRoomOperator", "StartLivestreamOperator",
           "StopLivestreamOperator"]


class PrepareLivestreamRoomOperator(WorkflowOperator):
    """Create or update a live room, its products and its interaction rule library from a room
    definition (a mapping as in ``include/livestream/room.yaml``), and claim the room for this run.

    :param definition: the room definition; checked first (names, texts, products, assets): a bad one
        fails at once (no retry) naming every problem, and nothing is created.
    :param identity: the token the room and its products carry (``identity_token(...)``). Default: one
        per DAG and room name, so every run and every try finds the same room (a daily show keeps its
        room) and never makes a second one; a different value makes a different room. The rule library
        is a shared definition, found by its ``group_name`` and updated in place.
    :param show_task_id: the task (``LivestreamShowOperator``, same map index) that will run the show in
        the room: the room is claimed for this run and that task (``room_claims``); None: no claim.
        Before claiming, a livestream a finished run left live in the room is stopped; a room live for
        another running run, or with a livestream this DAG did not start, fails the task (no retry).

    Returns and pushes ``room_id``, ``product_ids`` and ``clock_skew`` (seconds MetaStudio's clock is
    ahead of this host's, measured on the room's ``update_time``; ``LivestreamShowOperator`` takes it).
    """

    template_fields = ("definition", "identity", "show_task_id")
    template_fields_renderers = {"definition": "json"}
    operator_extra_links = ()  # a room has no console page here: a link would look up an XCom never pushed
    api_name = "CreateSmartLiveRoom"

    def __init__(self, *, definition: dict[str, Any], identity: str | None = None, show_task_id: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.definition = definition
        self.identity = identity
        self.show_task_id = show_task_id

    def execute(self, context: Any) -> dict[str, Any]:
        ti, hook, definition = context["ti"], self.hook, self.definition
        if not isinstance(definition, dict):
            raise AirflowFailException(f"definition: expected a mapping, got {type(definition).__name__}")
        found = Problems()
        found.add(*bodies.room_problems(definition))
        model = found.check(pick_asset, hook, definition.get("model_asset_id"), "HUMAN_MODEL_2D", "model_asset_id")
        voice = found.check(pick_asset, hook, definition.get("voice_asset_id"), "VOICE_MODEL", "voice_asset_id")
        found.fail_if_any(f"room {definition.get('room_name')!r}: nothing was created")
        assert model is not None and voice is not None  # fail_if_any raised otherwise
        identity = self.identity or identity_token(ti.dag_id, "room", definition["room_name"])
        product_ids = {}
        for product in definition.get("products") or []:
            body = {"name": product["name"], "description": product.get("description", "")}
            made = hook.create_or_reuse("CreateProduct", body, identity=identity_token(identity, "product",
                                                                                      product["name"]))
            product_ids[product["name"]] = made["product_id"]
        rules = None
        if definition.get("interaction_rules"):
            rules = bodies.interaction_rule_group(definition["interaction_rules"])
            existing_rules = hook.find_existing("CreateInteractionRuleGroup", rules)
            if existing_rules:
                hook.call("UpdateInteractionRuleGroup", {"group_id": existing_rules["group_id"]}, body=rules)
            else:
                hook.call("CreateInteractionRuleGroup", body=rules)
        room = with_identity("CreateSmartLiveRoom", bodies.live_room(
            definition, model_asset_id=model, voice_asset_id=voice, product_ids=product_ids, rule_group=rules,
        ), identity)
        existing = hook.find_existing("CreateSmartLiveRoom", room)
        if self.show_task_id:
            if existing:
                shown = hook.call("ShowSmartLiveRoom", {"room_id": existing["room_id"]})
                settle_room(hook, shown, ti.dag_id, ti.run_id, Runs(ti), self.log)
            map_index = getattr(ti, "map_index", -1)
            room["priv_data"] = Claim(ti.dag_id, ti.run_id, self.show_task_id, -1 if map_index is None
                                      else map_index).priv_data()
        before = time.time()
        if existing:
            room_id = existing["room_id"]
            hook.call("UpdateSmartLiveRoom", {"room_id": room_id}, body=room)  # keeps the token
        else:
            room_id = hook.call("CreateSmartLiveRoom", body=room)["room_id"]
        shown = hook.call("ShowSmartLiveRoom", {"room_id": room_id})
        updated = service_time(shown.get("update_time"))
        skew = round(updated - (before + time.time()) / 2, 3) if updated is not None else 0.0
        self.log.info("Room %s (%s) %s%s; %d product(s); MetaStudio's clock %+.1f s from ours", room_id,
                      definition["room_name"], "updated" if existing else "created",
                      f", claimed for run {ti.run_id}" if self.show_task_id else "", len(product_ids), skew)
        for key, value in (("room_id", room_id), ("product_ids", product_ids), ("clock_skew", skew)):
            ti.xcom_push(key=key, value=value)
        return {"room_id": room_id, "room_name": definition["room_name"], "product_ids": product_ids,
                "clock_skew": skew}



class StartLivestreamOperator(WorkflowOperator):
    """Start a livestream in a room and wait (deferred) until it is live.

    Never starts a second livestream in a room that is already live: by default that fails the
    task, naming the running job; ``if_live="adopt"`` carries on with it instead (a retried try
    always adopts the job its earlier try started). Pushes ``room_id`` and ``job_id``.
    ``on_kill`` stops the livestream this task started.
    """

    template_fields = ("room_id", "body")
    template_fields_renderers = {"body": "json"}
    api_name = "StartSmartLive"

    def __init__(self, *, room_id: str, body: dict[str, Any] | None = None, if_live: str = "fail",
                 wait_until_live: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if if_live not in ("fail", "adopt"):
            raise ValueError(f"if_live must be 'fail' or 'adopt', not {if_live!r}")
        self.room_id = room_id
        self.body = body
        self.if_live = if_live
        self.wait_until_live = wait_until_live
        self.started_job_id: str | None = None

    def execute(self, context: Any) -> dict[str, Any]:
        ti = context["ti"]
        running = self.hook.call(
            "ListSmartLive", {"room_id": self.room_id}, query={"state": ",".join(sorted(LIVE_JOB_ENDED.running)), "limit": 10}
        ).get("smart_live_jobs") or []
        if running and not (self.if_live == "adopt" or self._retrying(context)):
            raise AirflowFailException(  # not transient: no retry, so no later try can adopt the other stream
                f"room {self.room_id} is already live (job {running[0]['job_id']}, {running[0].get('state')}); "
                "not starting a second livestream"
            )
        if running:
            job_id = running[0]["job_id"]
            self.log.info("Room %s already runs job %s: carrying on with it", self.room_id, job_id)
        else:
            job_id = self.hook.call("StartSmartLive", {"room_id": self.room_id}, body=self.body or {})["job_id"]
            self.started_job_id = job_id
        ids = {"room_id": self.room_id, "job_id": job_id}
        ti.xcom_push(key="room_id", value=self.room_id)
        ti.xcom_push(key="job_id", value=job_id)
        self._link(context, "live_job", ids)
        if not self.wait_until_live:
            return ids
        return self.execute_complete(context, self._wait("live_job", ids))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {"room_id": response.get("room_id", event["ids"]["room_id"]), "job_id": response["job_id"],
                "state": response["state"]}

    def on_kill(self) -> None:
        if self.started_job_id and stop_job(self.hook, self.room_id, self.started_job_id):
            self.log.info("Stopped livestream %s in room %s", self.started_job_id, self.room_id)


class StopLivestreamOperator(WorkflowOperator):
    """Stop a livestream and wait (deferred) until it has ended; a livestream already ended is left alone."""

    template_fields = ("room_id", "job_id")
    api_name = "StopSmartLive"

    def __init__(self, *, room_id: str, job_id: str, wait_until_ended: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.room_id = room_id
        self.job_id = job_id
        self.wait_until_ended = wait_until_ended

    def execute(self, context: Any) -> dict[str, Any]:
        if not self.job_id or self.job_id == "None":
            raise AirflowSkipException(f"no livestream was started in room {self.room_id}: nothing to stop")
        ids = {"room_id": self.room_id, "job_id": self.job_id}
        state = self.hook.show_live_job(**ids).get("state")
        if state in LIVE_JOB_ENDED.running:
            self.hook.call("StopSmartLive", ids)
        else:
            self.log.info("Livestream %s already ended (%s)", self.job_id, state)
        self._link(context, "live_job", ids)
        if not self.wait_until_ended:
            return {**ids, "state": state}
        return self.execute_complete(context, self._wait("live_job_ended", ids))

    def execute_complete(self, context: Any, event: dict[str, Any]) -> dict[str, Any]:
        response = event_result(event, self.wait_timeout, self.log)
        return {**event["ids"], "state": response["state"]}
