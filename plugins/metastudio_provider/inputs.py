"""Checks of user input made before anything is created in MetaStudio.

Pure functions: each returns the cleaned value or raises ``InvalidInputError`` naming the field and
what to fix. The limits come from the SDK models of ``huaweicloudsdkmetastudio`` 3.1.219 (cited per
constant), so a bad value fails the task before its first create instead of half-way through.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path, PurePath

NAME_MAX_CHARS = 256
"""``CreateDigitalAssetRequestBody.asset_name``, ``OutputAssetConfig.asset_name`` and
``CreateVideoScriptsReq.script_name``: "字符长度0-256位" / "1-256位" (0..256 characters)."""

FILE_NAME_MAX_CHARS = 256
"""``FilesCreateReq.file_name``: "字符长度1-256位"."""

SCRIPT_TEXT_MAX_CHARS = 10_000
"""``TextConfig.text``: "不含SSML标签字符数最长10000个字符" (at most 10000 characters, SSML tags not counted)."""

SCRIPT_TEXT_MAX_RAW_CHARS = 131_072
"""``TextConfig.text``: "字符长度0-131072位" (the whole text, SSML tags included)."""

FILE_MAX_BYTES = 5 * 1024**3
"""``FilesCreateReq.file_size``: "最大支持5GB"."""

UPLOAD_SUFFIXES: dict[str, frozenset[str]] = {
    "IMAGE": frozenset({"png", "jpg", "jpeg"}),
    "VIDEO": frozenset({"mp4", "mov"}),
    "AUDIO": frozenset({"mp3", "wav", "m4a"}),
    "MUSIC": frozenset({"mp3", "wav", "m4a"}),
    "PPT": frozenset({"ppt", "pptx", "pdf"}),
}
"""File suffixes accepted per asset type (MetaStudio takes ``file_type`` from the suffix; the OBS upload
Content-Types it documents are png/jpeg, mp4 and mp3/wav; audio scripts accept MP3/WAV/M4A).
COMMON_FILE and BUSINESS_CARD_TEMPLET accept any suffix, but need one."""

NOT_UPLOADABLE = frozenset({"VOICE_MODEL", "HUMAN_MODEL_2D"})
""""VOICE_MODEL，HUMAN_MODEL_2D 普通用户均无法上传": these come from training jobs, not uploads."""

_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff"}
_SSML_TAG = re.compile(r"<[^<>]*>")


class InvalidInputError(ValueError):
    """A user input MetaStudio would refuse, or that would leave a resource half-made."""


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
            f"{field} has {len(text)} characters with its SSML tags: MetaStudio accepts at most {SCRIPT_TEXT_MAX_RAW_CHARS}"
        )
    return text


def image_kind(content: bytes) -> str | None:
    """``"png"`` or ``"jpeg"`` by the file's magic bytes, else None."""
    return next((kind for kind, magic in _MAGIC.items() if content.startswith(magic)), None)


def check_upload(file_name: str, content: bytes, asset_type: str) -> None:
    """A file MetaStudio will accept as the MAIN file of an asset of ``asset_type``.

    Checks the name (no slashes or control characters, ≤ 256 characters), a suffix accepted for the type
    (without one the asset stays CREATING), the size (not empty, ≤ 5 GB) and, for IMAGE, that the bytes
    are PNG or JPEG and match the suffix.
    """
    name = check_name(file_name, "file name")
    if len(name) > FILE_NAME_MAX_CHARS:
        raise InvalidInputError(f"file name has {len(name)} characters: MetaStudio accepts at most {FILE_NAME_MAX_CHARS}")
    kind = (asset_type or "").upper()
    if kind in NOT_UPLOADABLE:
        raise InvalidInputError(
            f"asset_type {asset_type} cannot be uploaded: MetaStudio makes {kind} assets by training "
            "(TrainAvatarOperator / TrainVoiceOperator)"
        )
    suffix = PurePath(name).suffix.lstrip(".").lower()
    allowed = UPLOAD_SUFFIXES.get(kind)
    if not suffix:
        hint = f" ({', '.join(sorted(allowed))})" if allowed else ""
        raise InvalidInputError(f"file name {name!r} has no suffix: MetaStudio needs one to know the file type{hint}")
    if allowed is not None and suffix not in allowed:
        raise InvalidInputError(
            f"file name {name!r}: .{suffix} is not accepted for a {kind} asset; use one of {', '.join(sorted(allowed))}"
        )
    if not content:
        raise InvalidInputError(f"file {name!r} is empty")
    if len(content) > FILE_MAX_BYTES:
        raise InvalidInputError(f"file {name!r} has {len(content)} bytes: MetaStudio accepts at most 5 GB")
    if kind == "IMAGE":
        found = image_kind(content)
        if found is None:
            raise InvalidInputError(f"file {name!r} is not a PNG or JPEG image (by its content): convert it")
        expected = "jpeg" if suffix in ("jpg", "jpeg") else suffix
        if found != expected:
            raise InvalidInputError(f"file {name!r} is a {found.upper()} image but named .{suffix}: rename it")


def resolve_under(path: str, root: Path, field: str) -> Path:
    """``path`` (relative to ``root``, or absolute but inside it) as an existing file inside ``root``.

    Symlinks and ``..`` are resolved first, so neither can lead outside ``root``.
    """
    if not isinstance(path, (str, PurePath)) or not str(path).strip():
        raise InvalidInputError(f"{field} is empty: give a file path relative to {root}")
    base = Path(root).resolve()
    candidate = Path(path)
    resolved = (candidate if candidate.is_absolute() else base / candidate).resolve()
    if not resolved.is_relative_to(base):
        raise InvalidInputError(f"{field} {str(path)!r} is outside {base}: give a path inside it")
    if not resolved.is_file():
        raise InvalidInputError(f"{field} {str(path)!r}: no such file under {base}")
    return resolved
