"""``PrepareLivestreamRoomOperator``: a live room, its products and its rule library, claimed for a run."""

from __future__ import annotations

import time
from typing import Any

from airflow.sdk.exceptions import AirflowFailException

from metastudio_provider.checks.assets import pick_asset
from metastudio_provider.checks.problems import Problems
from metastudio_provider.checks.rooms import room_problems
from metastudio_provider.hooks import request_bodies
from metastudio_provider.hooks.metastudio import identity_token, with_identity
from metastudio_provider.livestream.claims import Claim, Runs, settle_room
from metastudio_provider.operators.base import entry_point
from metastudio_provider.operators.workflow import WorkflowOperator
from metastudio_provider.utils.time import service_time

__all__ = ["PrepareLivestreamRoomOperator"]


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
        the room: the room is claimed for this run and that task (``claims``); None: no claim.
        Before claiming, a livestream a finished run left live in the room is stopped; a room live for
        another running run, or with a livestream this DAG did not start, fails the task (no retry).

    Returns and pushes ``room_id``, ``product_ids`` and ``clock_skew`` (seconds MetaStudio's clock is
    ahead of this host's, measured on the room's ``update_time``; ``LivestreamShowOperator`` takes it).
    """

    template_fields = ("definition", "identity", "show_task_id", "metastudio_conn_id")
    template_fields_renderers = {"definition": "json"}
    operator_extra_links = ()  # a room has no console page here: a link would look up an XCom never pushed
    api_name = "CreateSmartLiveRoom"

    def __init__(self, *, definition: dict[str, Any], identity: str | None = None, show_task_id: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.definition = definition
        self.identity = identity
        self.show_task_id = show_task_id

    @entry_point
    def execute(self, context: Any) -> dict[str, Any]:
        ti, hook, definition = context["ti"], self.hook, self.definition
        if not isinstance(definition, dict):
            raise AirflowFailException(f"definition: expected a mapping, got {type(definition).__name__}")
        found = Problems()
        found.add(*room_problems(definition))
        model = found.check(pick_asset, hook, definition.get("model_asset_id"), "HUMAN_MODEL_2D", "model_asset_id")
        voice = found.check(pick_asset, hook, definition.get("voice_asset_id"), "VOICE_MODEL", "voice_asset_id")
        found.fail_if_any(f"room {definition.get('room_name')!r}: nothing was created")
        assert model is not None and voice is not None  # fail_if_any raised otherwise
        identity = self.identity or identity_token(ti.dag_id, "room", definition["room_name"])
        product_ids = {}
        for product in definition.get("products") or []:
            body = {"name": product["name"], "description": product.get("description", "")}
            made = hook.create_or_resume("CreateProduct", body, identity=identity_token(identity, "product",
                                                                                       product["name"]))
            product_ids[product["name"]] = made["product_id"]
        rules = None
        if definition.get("interaction_rules"):
            rules = request_bodies.interaction_rule_group(definition["interaction_rules"])
            existing_rules = hook.find_existing("CreateInteractionRuleGroup", rules)
            if existing_rules:
                hook.call("UpdateInteractionRuleGroup", {"group_id": existing_rules["group_id"]}, body=rules)
            else:
                hook.call("CreateInteractionRuleGroup", body=rules)
        room = with_identity("CreateSmartLiveRoom", request_bodies.live_room(
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
