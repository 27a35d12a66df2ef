"""Resource names and titles: what MetaStudio accepts as a name (limits from the SDK models of
``huaweicloudsdkmetastudio`` 3.1.219, cited per constant). Each check returns the cleaned value or raises
``InvalidInputError`` naming the field and what to fix."""

from __future__ import annotations

import unicodedata

from metastudio_provider.checks.problems import InvalidInputError

NAME_MAX_CHARS = 256
"""``CreateDigitalAssetRequestBody.asset_name``, ``OutputAssetConfig.asset_name`` and
``CreateVideoScriptsReq.script_name``: "字符长度0-256位" / "1-256位" (0..256 characters)."""


def _short_text(value: str, field: str, *, empty: str, too_long: str) -> str:
    """``value`` stripped: a non-empty string of at most 256 characters with no control characters."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} must be a string, not {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidInputError(f"{field} is empty: {empty}")
    if len(text) > NAME_MAX_CHARS:
        raise InvalidInputError(f"{field} has {len(text)} characters: {too_long} {NAME_MAX_CHARS}")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in text):
        raise InvalidInputError(f"{field} contains a control character: remove it ({text!r})")
    return text


def check_name(value: str, field: str) -> str:
    """A resource name: stripped, non-empty, ≤ 256 characters, no control characters, no ``/`` or ``\\``."""
    name = _short_text(value, field, empty="give a name", too_long="MetaStudio accepts at most")
    if "/" in name or "\\" in name:
        raise InvalidInputError(f"{field} contains '/' or '\\': use a name without slashes ({name!r})")
    return name


def check_title(value: str, field: str = "title") -> str:
    """A title for people (never a MetaStudio name): as a name, but slashes are fine ("Q4/2026 sales")."""
    return _short_text(value, field, empty="give the video a title", too_long="give at most")
