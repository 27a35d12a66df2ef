"""Request-body checks: the catalog's required fields plus basic types of well-known fields."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from metastudio_provider.catalog import Api

from .errors import invalid

FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "asset_name": str, "asset_type": str, "asset_description": str, "asset_id": str, "asset_ids": list,
    "asset_file_category": str, "file_name": str, "file_md5": str, "file_size": int, "file_type": str,
    "tags": list, "state": str, "action": str, "script_name": str, "script_id": str, "model_asset_id": str,
    "shoot_scripts": list, "scene_scripts": list, "voice_config": dict, "video_config": dict,
    "output_asset_config": dict, "room_name": str, "group_name": str, "interaction_rules": list,
    "command": str, "total": int, "events": list, "name": str, "description": str,
    "voice_name": str, "text": str, "emotion": str,
    "output_urls": list, "stream_keys": list, "asset_item": dict,
}
ENUMS: dict[str, dict[str, tuple[str, ...]]] = {
    "CreateDigitalAsset": {"asset_type": ("VOICE_MODEL", "VIDEO", "IMAGE", "PPT", "MUSIC", "AUDIO", "COMMON_FILE",
                                          "HUMAN_MODEL_2D", "BUSINESS_CARD_TEMPLET", "MATERIAL")},
    "CreateFile": {"asset_file_category": ("MAIN", "COVER", "PAGE", "SAMPLE", "OTHER", "TEMPORARY", "PACKAGE")},
    "CreateLargeFile": {"asset_file_category": ("MAIN", "OTHER", "PACKAGE")},
    "ConfirmFileUpload": {"state": ("CREATED", "FAILED", "CANCELLED")},
    "BatchExecuteAssetAction": {"action": ("DELETE", "DELETE_FORCE", "RESTORE", "UNACTIVE", "ACTIVE", "SHARE",
                                           "UNSHARE")},
    "UpdateDigitalAsset": {"asset_state": ("UNACTIVED", "ACTIVED", "WAITING_DELETE")},
    "SetProductAsset": {"action": ("LINK", "UNLINK")},
}


def _type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "string", int: "integer", list: "array", dict: "object", bool: "boolean"}
    types = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(names.get(t, t.__name__) for t in types)


def validate_body(api: Api, body: Any) -> None:
    """Raise a 400 (MSS.00000001) naming the first offending field."""
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    for name in api.body_required:
        if body.get(name) in (None, "", []):
            raise invalid(f"parameter '{name}' is required")
    for name, value in body.items():
        expected = FIELD_TYPES.get(name)
        if expected is None or value is None:
            continue
        wrong_bool = isinstance(value, bool) and expected in (int, (int,))
        if wrong_bool or not isinstance(value, expected):
            raise invalid(f"parameter '{name}' must be of type {_type_name(expected)}")
    for name, allowed in ENUMS.get(api.name, {}).items():
        if name in body and body[name] not in allowed:
            raise invalid(f"parameter '{name}' must be one of {', '.join(allowed)}")
    if api.name == "CreateFile":
        _check_md5(body["file_md5"])
        if body["file_size"] < 0:
            raise invalid("parameter 'file_size' must not be negative")


def _check_md5(value: str) -> None:
    try:
        ok = len(base64.b64decode(value, validate=True)) == 16
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise invalid("parameter 'file_md5' must be the base64 of a 16-byte MD5 digest (RFC 1864)")
