"""Request-body checks: SDK field types at every depth, the catalog's required fields, enums, Content-MD5."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from metastudio_provider.catalog import Api

from . import schema
from .errors import invalid

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


def validate_body(api: Api, body: Any) -> None:
    """Raise a 400 (MSS.00000001) naming the first offending field (unknown fields included)."""
    if not isinstance(body, dict):
        raise invalid("request body must be a JSON object")
    if api.body_model:
        schema.check(body, api.body_model, "")
    for name in api.body_required:
        if body.get(name) in (None, "", []):
            raise invalid(f"parameter '{name}' is required")
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
