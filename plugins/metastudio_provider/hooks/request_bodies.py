"""Request bodies for the common cases, so DAGs state intent (a text, a room definition), not JSON.

The room definition is checked first by ``checks.rooms.room_problems``."""

from __future__ import annotations

from typing import Any


def video_script(
    *, script_name: str, text: str, model_asset_id: str, voice_asset_id: str,
    background_asset_id: str | None = None, width: int = 1920, height: int = 1080,
) -> dict[str, Any]:
    """CreateVideoScripts body: one TEXT-driven shot, an optional background image."""
    if not text or not text.strip():
        raise ValueError(f"video script {script_name!r}: the text is empty")
    shot: dict[str, Any] = {"script_type": "TEXT", "text_config": {"text": text.strip()}}
    if background_asset_id:
        shot["background_config"] = [{"background_type": "IMAGE", "background_asset_id": background_asset_id}]
    return {
        "script_name": script_name,
        "model_asset_id": model_asset_id,
        "model_asset_type": "HUMAN_MODEL_2D",
        "voice_config": {"voice_asset_id": voice_asset_id},
        "video_config": {"width": width, "height": height},
        "shoot_scripts": [{"sequence_no": 0, "shoot_script": shot}],
    }


def live_room(
    definition: dict[str, Any], *, model_asset_id: str, voice_asset_id: str,
    product_ids: dict[str, str], rule_group: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """CreateSmartLiveRoom / UpdateSmartLiveRoom body from a room definition (include/livestream/room.yaml)."""
    scenes = []
    for scene in definition.get("scenes") or []:
        shots = []
        for number, paragraph in enumerate(scene.get("paragraphs") or []):
            shot: dict[str, Any] = {"sequence_no": number, "title": paragraph.get("title", f"paragraph {number}"),
                                    "text_config": {"text": paragraph["text"]}}
            if product := paragraph.get("product"):
                if product not in product_ids:
                    raise ValueError(f"scene {scene['script_name']!r} names unknown product {product!r}")
                shot["relation_product"] = {"product_id": product_ids[product]}
            shots.append(shot)
        scenes.append({"script_name": scene["script_name"], "model_asset_id": model_asset_id,
                       "voice_config": {"voice_asset_id": voice_asset_id}, "shoot_scripts": shots})
    body: dict[str, Any] = {
        "room_name": definition["room_name"],
        "room_description": definition.get("room_description", ""),
        "room_type": "NORMAL",
        "scene_scripts": scenes,
    }
    for key in ("video_config", "play_policy"):
        if definition.get(key):
            body[key] = definition[key]
    if rule_group:
        body["interaction_rules"] = rule_group["interaction_rules"]
    return body


def interaction_rule_group(definition: dict[str, Any]) -> dict[str, Any]:
    """CreateInteractionRuleGroup body from the ``interaction_rules`` part of a room definition."""
    rules = []
    for number, rule in enumerate(definition.get("rules") or []):
        tags = [{"tag": "comment", "operation": "contain", "match": "any", "value": word}
                for word in rule.get("keywords") or []]
        rules.append({
            "rule_index": str(number),
            "rule_name": rule.get("name", f"rule {number}"),
            "event_type": int(rule["event_type"]),
            "enabled": True,
            "hit_condition": {"relation": "OR", "priority": number, "tags": tags},
            "trigger": {"reply_mode": "TEXT", "reply_texts": [rule["reply"]]},
        })
    return {"group_name": definition["group_name"], "interaction_rules": rules}
