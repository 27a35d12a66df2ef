"""Video script management: CreateVideoScripts, ListVideoScripts, ShowVideoScript, ... (6 APIs)."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import invalid
from ..records import new_id
from .assets import require_usable_asset
from .base import Ctx, Handler, Reply, Result, compact, contains, iso, page, pick

SCRIPT_FIELDS = ("script_name", "script_description", "view_mode", "model_asset_id", "model_asset_type",
                 "voice_config", "video_config", "priv_data", "background_music_config", "review_config",
                 "action_config", "shoot_scripts", "script_catalog")


def check_references(ctx: Ctx, body: dict[str, Any]) -> None:
    """400 if the body names an avatar or voice that cannot be used."""
    if body.get("model_asset_id"):
        require_usable_asset(ctx, body["model_asset_id"], "model_asset_id", "HUMAN_MODEL_2D")
    voice = body.get("voice_config")
    if voice is not None:
        if not isinstance(voice, dict) or not voice.get("voice_asset_id"):
            raise invalid("parameter 'voice_config.voice_asset_id' is required")
        require_usable_asset(ctx, voice["voice_asset_id"], "voice_config.voice_asset_id", "VOICE_MODEL")
    shoots = body.get("shoot_scripts")
    for i, item in enumerate(shoots or []):
        if not isinstance(item, dict):
            raise invalid(f"parameter 'shoot_scripts[{i}]' must be an object")
        script = item.get("shoot_script") or {}
        if script.get("script_type", "TEXT") == "TEXT" and not (script.get("text_config") or {}).get("text"):
            raise invalid(f"parameter 'shoot_scripts[{i}].shoot_script.text_config.text' is required")


def _audio_files(ctx: Ctx, script: dict[str, Any]) -> dict[str, Any] | None:
    items = []
    for i, item in enumerate(script.get("shoot_scripts") or []):
        if (item.get("shoot_script") or {}).get("script_type") == "AUDIO":
            key = script.setdefault("_audio_keys", {}).get(str(i))
            if key is None:
                key = ctx.store.new_upload_slot(f"scripts/{script['script_id']}")
                script["_audio_keys"][str(i)] = key
            items.append({"sequence_no": item.get("sequence_no", i),
                          "audio_file_upload_url": ctx.object_url(key, "PUT")})
    return {"audio_file_url": items} if items else None


def _upsert_reply(ctx: Ctx, script: dict[str, Any]) -> dict[str, Any]:
    return compact({"script_id": script["script_id"], "audio_files": _audio_files(ctx, script)})


def script_view(ctx: Ctx, s: dict[str, Any]) -> dict[str, Any]:
    view = pick(s, SCRIPT_FIELDS)
    view.pop("script_catalog", None)
    return {**view, "script_id": s["script_id"], "create_time": iso(s["_created"]), "update_time": iso(s["_updated"])}


def create_video_scripts(ctx: Ctx) -> Result:
    check_references(ctx, ctx.body)
    script = {**pick(ctx.body, SCRIPT_FIELDS), "script_id": new_id(), "_created": ctx.now, "_updated": ctx.now}
    script.setdefault("script_name", f"script-{script['script_id'][:8]}")
    ctx.store.scripts[script["script_id"]] = script
    return _upsert_reply(ctx, script)


def list_video_scripts(ctx: Ctx) -> Result:
    name, catalog, view_mode = ctx.q("name"), ctx.q("script_catalog"), ctx.q("view_mode")
    items = [s for s in ctx.store.scripts.values()
             if contains(s.get("script_name"), name)
             and (not catalog or s.get("script_catalog") == catalog)
             and (not view_mode or s.get("view_mode") == view_mode)]
    items.sort(key=lambda s: s["_created"], reverse=True)
    out = []
    for s in page(ctx, items):
        first = ((s.get("shoot_scripts") or [{}])[0].get("shoot_script") or {})
        out.append(compact({
            "script_id": s["script_id"], "script_name": s.get("script_name"),
            "script_description": s.get("script_description"), "model_asset_id": s.get("model_asset_id"),
            "model_asset_type": s.get("model_asset_type"), "script_type": first.get("script_type", "TEXT"),
            "text": (first.get("text_config") or {}).get("text"),
            "create_time": iso(s["_created"]), "update_time": iso(s["_updated"]),
        }))
    return {"count": len(items), "video_scripts": out}


def show_video_script(ctx: Ctx) -> Result:
    return script_view(ctx, ctx.get(ctx.store.scripts, "video script", "script_id"))


def update_video_script(ctx: Ctx) -> Result:
    script = ctx.get(ctx.store.scripts, "video script", "script_id")
    check_references(ctx, ctx.body)
    script.update(pick(ctx.body, SCRIPT_FIELDS))
    script["_updated"] = ctx.now
    return _upsert_reply(ctx, script)


def delete_video_script(ctx: Ctx) -> Result:
    script = ctx.get(ctx.store.scripts, "video script", "script_id")
    del ctx.store.scripts[script["script_id"]]
    return Reply(status=204)


def copy_video_scripts(ctx: Ctx) -> Result:
    source = ctx.get(ctx.store.scripts, "video script", "script_id")
    script = {k: copy.deepcopy(v) for k, v in source.items() if k != "_audio_keys"}
    script.update(script_id=new_id(), _created=ctx.now, _updated=ctx.now,
                  script_name=f"{source.get('script_name', 'script')}-copy")
    ctx.store.scripts[script["script_id"]] = script
    return {"script_id": script["script_id"]}


HANDLERS: dict[str, Handler] = {
    "CreateVideoScripts": create_video_scripts,
    "ListVideoScripts": list_video_scripts,
    "ShowVideoScript": show_video_script,
    "UpdateVideoScript": update_video_script,
    "DeleteVideoScript": delete_video_script,
    "CopyVideoScripts": copy_video_scripts,
}
