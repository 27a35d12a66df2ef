"""An asset id a DAG is given: it exists, has the expected type and is usable; none given: a SYSTEM one."""

from __future__ import annotations

from typing import Any

from metastudio_provider.checks.problems import InvalidInputError
from metastudio_provider.client import MetaStudioError
from metastudio_provider.states import ASSET_ACTIVE


def pick_asset(hook: Any, asset_id: str | None, asset_type: str, field: str) -> str:
    """``asset_id`` once checked (it exists, is ``asset_type`` and ACTIVED); if empty, the first SYSTEM one.

    Raises ``InvalidInputError`` naming ``field`` for an unknown id, a wrong type or an unusable state.
    """
    if asset_id is None or not str(asset_id).strip():
        return hook.system_asset_id(asset_type)
    asset_id = str(asset_id).strip()
    try:
        asset = hook.show_asset(asset_id)
    except MetaStudioError as exc:
        if getattr(exc, "status_code", 0) in (400, 404):
            raise InvalidInputError(f"{field} {asset_id!r}: no such asset in {hook.region} "
                                    f"({getattr(exc, 'error_code', '')} {getattr(exc, 'error_msg', '')})") from None
        raise
    if asset.get("asset_type") != asset_type:
        raise InvalidInputError(f"{field} {asset_id!r} is a {asset.get('asset_type')} asset, not a {asset_type}")
    if asset.get("asset_state") not in (None, ASSET_ACTIVE):
        raise InvalidInputError(f"{field} {asset_id!r} is {asset.get('asset_state')}: it must be {ASSET_ACTIVE}")
    return asset_id
