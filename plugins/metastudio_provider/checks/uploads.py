"""A file uploaded as the MAIN file of an asset: name, suffix per asset type, size and image content
(limits of ``FilesCreateReq`` in ``huaweicloudsdkmetastudio`` 3.1.219)."""

from __future__ import annotations

from pathlib import PurePath

from metastudio_provider.checks.names import check_name
from metastudio_provider.checks.problems import InvalidInputError

FILE_NAME_MAX_CHARS = 256
"""``FilesCreateReq.file_name``: "字符长度1-256位"."""

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
        raise InvalidInputError(f"file name has {len(name)} characters: "
                                f"MetaStudio accepts at most {FILE_NAME_MAX_CHARS}")
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
