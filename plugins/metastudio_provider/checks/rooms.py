"""A livestream room definition (include/livestream/room.yaml): everything MetaStudio would refuse in the
room, its products, scenes and interaction rules (``hooks.request_bodies`` builds their requests)."""

from __future__ import annotations

from typing import Any

from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.problems import Problems
from metastudio_provider.checks.scripts import check_script_text


def room_problems(definition: dict[str, Any]) -> list[str]:
    """Everything wrong with a room definition (include/livestream/room.yaml) that ``live_room`` and
    ``interaction_rule_group`` would send to MetaStudio; empty when it can be used."""
    problems = Problems()
    problems.check(check_name, definition.get("room_name") or "", "room_name")
    products = definition.get("products") or []
    names = set()
    for number, product in enumerate(products, start=1):
        if not isinstance(product, dict):
            problems.add(f"products[{number}] is not a mapping")
            continue
        problems.check(check_name, product.get("name") or "", f"products[{number}].name")
        names.add(product.get("name"))
    scenes = definition.get("scenes") or []
    if not scenes:
        problems.add("scenes: the room needs at least one scene with paragraphs")
    for s_number, scene in enumerate(scenes, start=1):
        if not isinstance(scene, dict):
            problems.add(f"scenes[{s_number}] is not a mapping")
            continue
        problems.check(check_name, scene.get("script_name") or "", f"scenes[{s_number}].script_name")
        for p_number, paragraph in enumerate(scene.get("paragraphs") or [], start=1):
            where = f"scenes[{s_number}].paragraphs[{p_number}]"
            if not isinstance(paragraph, dict):
                problems.add(f"{where} is not a mapping")
                continue
            problems.check(check_script_text, paragraph.get("text") or "", f"{where}.text")
            if paragraph.get("product") and paragraph["product"] not in names:
                problems.add(f"{where}.product {paragraph['product']!r} is not one of the room's products")
    rules = definition.get("interaction_rules")
    if rules:
        problems.check(check_name, rules.get("group_name") or "", "interaction_rules.group_name")
        for number, rule in enumerate(rules.get("rules") or [], start=1):
            if not isinstance(rule, dict) or not isinstance(rule.get("event_type"), int) or not rule.get("reply"):
                problems.add(f"interaction_rules.rules[{number}] needs an integer event_type and a reply")
    return problems.found
