"""Digital asset management: CreateDigitalAsset, ListAssets, ShowAsset, ... (10 APIs)."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import FORBIDDEN, ApiError, bad_state, invalid, not_found
from ..records import Asset, FileRecord, new_id
from .base import Ctx, Handler, Reply, Result, compact, contains, iso, page

HIDDEN_BY_DEFAULT = ("DELETING", "DELETED")


def file_view(ctx: Ctx, record: FileRecord) -> dict[str, Any]:
    obj = ctx.store.objects.get(record.object_key)
    ready = record.state == "CREATED" and obj is not None and obj.data is not None
    return compact({
        "file_id": record.file_id, "file_name": record.file_name, "file_md5": record.file_md5,
        "file_size": record.file_size, "file_type": record.file_type,
        "asset_file_category": record.category, "state": record.state,
        "download_url": ctx.object_url(record.object_key) if ready else None,
    })


def asset_files(ctx: Ctx, asset: Asset) -> list[FileRecord]:
    return [ctx.store.files[f] for f in asset.file_ids if f in ctx.store.files]


def asset_view(ctx: Ctx, asset: Asset) -> dict[str, Any]:
    return compact({
        "project_id": ctx.config.project_id, "asset_id": asset.asset_id, "produce_id": asset.produce_id,
        "asset_name": asset.asset_name, "asset_description": asset.description,
        "app_user_id": asset.app_user_id, "create_time": iso(asset.created), "update_time": iso(asset.updated),
        "asset_type": asset.asset_type, "asset_state": asset.state, "tags": asset.tags,
        "asset_extra_meta": asset.extra_meta, "system_properties": asset.system_properties,
        "files": [file_view(ctx, f) for f in asset_files(ctx, asset)],
        "supported_service": asset.supported_service or None,
    })


def main_file_url(ctx: Ctx, asset: Asset) -> str | None:
    for record in asset_files(ctx, asset):
        if record.category == "MAIN":
            return file_view(ctx, record).get("download_url")
    return None


def get_asset(ctx: Ctx, asset_id: str) -> Asset:
    asset = ctx.store.assets.get(asset_id)
    if asset is None or asset.state == "DELETED":
        raise not_found("asset", asset_id)
    return asset


def tenant_asset(ctx: Ctx, asset_id: str) -> Asset:
    """An asset the tenant may change (not a system asset)."""
    asset = get_asset(ctx, asset_id)
    if asset.source == "SYSTEM":
        raise ApiError(403, FORBIDDEN, f"asset {asset_id} is a system asset and cannot be modified")
    return asset


def require_usable_asset(ctx: Ctx, asset_id: str, field: str, *types: str) -> Asset:
    """The ACTIVED asset named by a body field, else a 400 naming that field."""
    asset = ctx.store.assets.get(asset_id or "")
    if asset is None or asset.state in HIDDEN_BY_DEFAULT:
        raise invalid(f"parameter '{field}': asset {asset_id} does not exist")
    if types and asset.asset_type not in types:
        raise invalid(f"parameter '{field}': asset {asset_id} is a {asset.asset_type}, expected {' or '.join(types)}")
    if asset.state != "ACTIVED":
        raise invalid(f"parameter '{field}': asset {asset_id} is {asset.state}, not ACTIVED")
    return asset


def create_digital_asset(ctx: Ctx) -> Result:
    b = ctx.body
    asset = ctx.store.add_asset(
        b["asset_name"], b["asset_type"], ctx.now, description=b.get("asset_description") or "",
        tags=list(b.get("tags") or []), extra_meta=dict(b.get("asset_extra_meta") or {}),
        system_properties=[{k: v for k, v in p.items() if k != "action"} for p in b.get("system_properties") or []],
        supported_service=list(b.get("supported_service") or []), app_user_id=b.get("app_user_id"),
    )
    return {"asset_id": asset.asset_id, "produce_id": asset.produce_id}


def list_assets(ctx: Ctx) -> Result:
    source = (ctx.q("asset_source") or "CUSTOMIZATION").upper()
    types = ctx.q_list("asset_type")
    states = ctx.q_list("asset_state")
    ids = ctx.q_list("asset_id")
    tags = ctx.q_list("tag")
    name = ctx.q("name")
    exact_name = "name" in ctx.q_list("accurate_query_field")
    realtime = ctx.q_bool("is_realtime_voice")
    services = ctx.q_list("supported_service")
    out = []
    for a in ctx.store.assets.values():
        if source != "ALL" and a.source != source:
            continue
        if (types and a.asset_type not in types) or (ids and a.asset_id not in ids):
            continue
        if (states and a.state not in states) or (not states and a.state in HIDDEN_BY_DEFAULT):
            continue
        if name and (a.asset_name != name if exact_name else not contains(a.asset_name, name)):
            continue
        if tags and not set(tags) & set(a.tags):
            continue
        if services and not set(services) & set(a.supported_service):
            continue
        if realtime is not None and (a.extra_meta.get("voice_model_meta") or {}).get("is_realtime_voice") != realtime:
            continue
        out.append(a)
    reverse = (ctx.q("sort_dir") or "DESC").upper() != "ASC"
    key = "updated" if ctx.q("sort_key") == "update_time" else "created"
    out.sort(key=lambda a: getattr(a, key), reverse=reverse)
    return {"count": len(out), "assets": [asset_view(ctx, a) for a in page(ctx, out)]}


def show_asset(ctx: Ctx) -> Result:
    return asset_view(ctx, get_asset(ctx, ctx.path["asset_id"]))


def update_digital_asset(ctx: Ctx) -> Result:
    asset = tenant_asset(ctx, ctx.path["asset_id"])
    b = ctx.body
    if "asset_state" in b:
        if asset.state in ("CREATING", "FAILED", "DELETING", "BLOCK"):
            raise bad_state(f"asset {asset.asset_id} is {asset.state}; its state cannot be changed")
        asset.state = b["asset_state"]
    if b.get("asset_name"):
        asset.asset_name = b["asset_name"]
    if "asset_description" in b:
        asset.description = b["asset_description"] or ""
    if "tags" in b:
        asset.tags = list(b["tags"] or [])
    if b.get("asset_extra_meta"):
        asset.extra_meta.update(b["asset_extra_meta"])
    if "supported_service" in b:
        asset.supported_service = list(b["supported_service"] or [])
    asset.updated = ctx.now
    return asset_view(ctx, asset)


def _delete(asset: Asset, force: bool) -> None:
    if asset.state != "DELETING":
        asset.state_before_delete = asset.state
    asset.state = "DELETED" if force else "DELETING"


def _restore(asset: Asset) -> None:
    if asset.state != "DELETING":
        raise bad_state(f"asset {asset.asset_id} is {asset.state}; only DELETING assets can be restored")
    asset.state = asset.state_before_delete or "ACTIVED"


def delete_asset(ctx: Ctx) -> Result:
    asset = tenant_asset(ctx, ctx.path["asset_id"])
    _delete(asset, force=(ctx.q("mode") or "").upper() in ("FORCE", "DELETE_FORCE"))
    asset.updated = ctx.now
    return Reply(status=204)


def restore_asset(ctx: Ctx) -> Result:
    asset = tenant_asset(ctx, ctx.path["asset_id"])
    _restore(asset)
    asset.updated = ctx.now
    return {}


def batch_execute_asset_action(ctx: Ctx) -> Result:
    action = ctx.body["action"]
    ok: list[str] = []
    failed: dict[str, tuple[str, list[str]]] = {}
    for asset_id in ctx.body["asset_ids"]:
        try:
            asset = tenant_asset(ctx, asset_id)
            if action in ("DELETE", "DELETE_FORCE"):
                _delete(asset, force=action == "DELETE_FORCE")
            elif action == "RESTORE":
                _restore(asset)
            elif action in ("ACTIVE", "UNACTIVE"):
                if asset.state not in ("ACTIVED", "UNACTIVED"):
                    raise bad_state(f"asset {asset_id} is {asset.state}")
                asset.state = "ACTIVED" if action == "ACTIVE" else "UNACTIVED"
            asset.updated = ctx.now
            ok.append(asset_id)
        except ApiError as err:
            failed.setdefault(err.code, (err.msg, []))[1].append(asset_id)
    results: list[dict[str, Any]] = []
    if ok:
        results.append({"ret_status": "SUCCESS", "asset_ids": ok})
    for code, (msg, ids) in failed.items():
        results.append({"ret_status": "FAILED", "asset_ids": ids, "error_info": {"error_code": code, "error_msg": msg}})
    return {"results": results}


def list_asset_summary(ctx: Ctx) -> Result:
    ids = ctx.body["asset_ids"]
    if not all(isinstance(i, str) for i in ids):
        raise invalid("parameter 'asset_ids' must be an array of strings")
    summaries = []
    for asset_id in ids:
        a = ctx.store.assets.get(asset_id)
        if a is not None:
            summaries.append(compact({"asset_id": a.asset_id, "asset_name": a.asset_name,
                                      "asset_state": a.state, "asset_type": a.asset_type}))
    return {"asset_list": summaries}


def show_asset_replication_info(ctx: Ctx) -> Result:
    asset = tenant_asset(ctx, ctx.path["asset_id"])
    info = {"asset_name": asset.asset_name, "asset_type": asset.asset_type, "asset_description": asset.description,
            "tags": asset.tags, "asset_extra_meta": asset.extra_meta}
    return {
        "asset_id": asset.asset_id,
        "asset_info": base64.b64encode(json.dumps(info).encode()).decode(),
        "encryption_info": {"algorithm": "NONE", "key_id": "emulator", "iv": ""},
        "expire_time": int((ctx.now + 24 * 3600) * 1000),
    }


def create_asset_by_replication_info(ctx: Ctx) -> Result:
    raw = ctx.body.get("asset_info")
    if not raw:
        raise invalid("parameter 'asset_info' is required")
    try:
        info = json.loads(base64.b64decode(raw))
        name, asset_type = info["asset_name"], info["asset_type"]
    except (ValueError, KeyError, TypeError):
        raise invalid("parameter 'asset_info' is not replication info issued by ShowAssetReplicationInfo") from None
    ctx.store.add_asset(name, asset_type, ctx.now, state="ACTIVED", description=info.get("asset_description") or "",
                        tags=list(info.get("tags") or []), extra_meta=dict(info.get("asset_extra_meta") or {}),
                        asset_id=new_id())
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateDigitalAsset": create_digital_asset,
    "ListAssets": list_assets,
    "UpdateDigitalAsset": update_digital_asset,
    "DeleteAsset": delete_asset,
    "ShowAsset": show_asset,
    "RestoreAsset": restore_asset,
    "BatchExecuteAssetAction": batch_execute_asset_action,
    "ListAssetSummary": list_asset_summary,
    "ShowAssetReplicationInfo": show_asset_replication_info,
    "CreateAssetByReplicationInfo": create_asset_by_replication_info,
}
