"""Live products: CreateProduct, ListProducts, ShowProduct, UpdateProduct, DeleteProduct, SetProductAsset."""

from __future__ import annotations

import copy
from typing import Any

from ..errors import invalid
from ..records import new_id
from .assets import get_asset, main_file_url
from .base import Ctx, Handler, Reply, Result, compact, contains, iso, page

PRODUCT_FIELDS = ("name", "description", "tags", "text_list")


def _media(ctx: Ctx, item: dict[str, Any], field: str) -> dict[str, Any]:
    if not isinstance(item, dict) or not item.get("asset_id"):
        raise invalid(f"parameter '{field}.asset_id' is required")
    asset = ctx.store.assets.get(item["asset_id"])
    if asset is None:
        raise invalid(f"parameter '{field}.asset_id': asset {item['asset_id']} does not exist")
    return {"asset_id": asset.asset_id, "asset_type": item.get("asset_type") or asset.asset_type,
            "order": item.get("order", 0)}


def _apply(ctx: Ctx, product: dict[str, Any], body: dict[str, Any]) -> None:
    for name in PRODUCT_FIELDS:
        if name in body:
            product[name] = copy.deepcopy(body[name])
    if "cover" in body:
        product["cover"] = _media(ctx, body["cover"], "cover") if body["cover"] else None
    if "asset_list" in body:
        product["asset_list"] = [_media(ctx, a, f"asset_list[{i}]") for i, a in enumerate(body["asset_list"] or [])]
    if body.get("state") in ("ACTIVED", "UNACTIVED"):
        product["state"] = body["state"]
    product["_updated"] = ctx.now


def product_view(ctx: Ctx, p: dict[str, Any]) -> dict[str, Any]:
    def media(item: dict[str, Any]) -> dict[str, Any]:
        asset = ctx.store.assets.get(item["asset_id"])
        return compact({**item, "asset_name": asset.asset_name if asset else None,
                        "asset_state": asset.state if asset else None,
                        "main_url": main_file_url(ctx, asset) if asset else None})

    cover = p.get("cover")
    return compact({
        "product_id": p["product_id"], "name": p.get("name"), "description": p.get("description"),
        "tags": p.get("tags"), "text_list": p.get("text_list"),
        "cover": {"asset_id": cover["asset_id"], "cover_url": media(cover).get("main_url")} if cover else None,
        "asset_list": [media(a) for a in p.get("asset_list") or []],
        "create_time": iso(p["_created"]), "update_time": iso(p["_updated"]), "state": p["state"],
    })


def create_product(ctx: Ctx) -> Result:
    product: dict[str, Any] = {"product_id": new_id(), "_created": ctx.now, "state": "ACTIVED", "asset_list": []}
    _apply(ctx, product, ctx.body)
    if ctx.body.get("auto_active") is False:
        product["state"] = "UNACTIVED"
    ctx.store.products[product["product_id"]] = product
    return {"product_id": product["product_id"]}


def list_products(ctx: Ctx) -> Result:
    name, tags, states = ctx.q("name"), set(ctx.q_list("tag")), set(ctx.q_list("state"))
    items = [p for p in ctx.store.products.values()
             if contains(p.get("name"), name) and (not tags or tags & set(p.get("tags") or []))
             and (not states or p["state"] in states)]
    items.sort(key=lambda p: p["_created"], reverse=(ctx.q("sort_dir") or "DESC").upper() != "ASC")
    return {"count": len(items), "products": [product_view(ctx, p) for p in page(ctx, items)]}


def show_product(ctx: Ctx) -> Result:
    return product_view(ctx, ctx.get(ctx.store.products, "product", "product_id"))


def update_product(ctx: Ctx) -> Result:
    _apply(ctx, ctx.get(ctx.store.products, "product", "product_id"), ctx.body)
    return {}


def delete_product(ctx: Ctx) -> Result:
    product = ctx.get(ctx.store.products, "product", "product_id")
    del ctx.store.products[product["product_id"]]
    return Reply(status=204)


def set_product_asset(ctx: Ctx) -> Result:
    product = ctx.get(ctx.store.products, "product", "product_id")
    action = ctx.body.get("action")
    if action not in ("LINK", "UNLINK"):
        raise invalid("parameter 'action' must be one of LINK, UNLINK")
    item, text = ctx.body.get("asset_item"), ctx.body.get("text_item")
    if item is None and text is None:
        raise invalid("parameter 'asset_item' or 'text_item' is required")
    if item is not None:
        media = _media(ctx, item, "asset_item")
        get_asset(ctx, media["asset_id"])
        rest = [a for a in product["asset_list"] if a["asset_id"] != media["asset_id"]]
        product["asset_list"] = rest + [media] if action == "LINK" else rest
    if isinstance(text, dict):
        texts = [t for t in product.get("text_list") or [] if t != text]
        product["text_list"] = texts + [text] if action == "LINK" else texts
    product["_updated"] = ctx.now
    return {}


HANDLERS: dict[str, Handler] = {
    "CreateProduct": create_product,
    "ListProducts": list_products,
    "UpdateProduct": update_product,
    "ShowProduct": show_product,
    "DeleteProduct": delete_product,
    "SetProductAsset": set_product_asset,
}
