"""The text an avatar speaks, alone or in a whole CreateVideoScripts body (limits of ``TextConfig.text`` in
``huaweicloudsdkmetastudio`` 3.1.219)."""

from __future__ import annotations

import re
from typing import Any

from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.problems import InvalidInputError

SCRIPT_TEXT_MAX_CHARS = 10_000
"""``TextConfig.text``: "不含SSML标签字符数最长10000个字符" (at most 10000 characters, SSML tags not counted)."""

SCRIPT_TEXT_MAX_RAW_CHARS = 131_072
"""``TextConfig.text``: "字符长度0-131072位" (the whole text, SSML tags included)."""

_SSML_TAG = re.compile(r"<[^<>]*>")


def check_script_text(text: str, field: str = "script_text") -> str:
    """The text an avatar speaks: non-empty, within ``TextConfig.text``'s limits (10000 characters without
    SSML tags, 131072 in all)."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{field} must be a string, not {type(text).__name__}")
    if not text.strip():
        raise InvalidInputError(f"{field} is empty: give the text the avatar should speak")
    spoken = len(_SSML_TAG.sub("", text))
    if spoken > SCRIPT_TEXT_MAX_CHARS:
        raise InvalidInputError(
            f"{field} has {spoken} characters (SSML tags not counted): MetaStudio accepts at most "
            f"{SCRIPT_TEXT_MAX_CHARS}; shorten it or split it into several videos"
        )
    if len(text) > SCRIPT_TEXT_MAX_RAW_CHARS:
        raise InvalidInputError(
            f"{field} has {len(text)} characters with its SSML tags: MetaStudio accepts at most "
            f"{SCRIPT_TEXT_MAX_RAW_CHARS}"
        )
    return text


def check_script_body(script: dict[str, Any]) -> None:
    """The CreateVideoScripts body's name and every spoken text, before anything is created."""
    if script.get("script_name") is not None:
        check_name(script["script_name"], "script.script_name")
    for i, item in enumerate(script.get("shoot_scripts") or []):
        shoot = (item or {}).get("shoot_script") or {}
        if shoot.get("script_type", "TEXT") == "TEXT":
            check_script_text((shoot.get("text_config") or {}).get("text") or "",
                              f"script.shoot_scripts[{i}].shoot_script.text_config.text")
