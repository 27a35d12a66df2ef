"""Facts about the files MetaStudio stores: Content-MD5, Content-Type and file type (wire notes §4)."""

from __future__ import annotations

from pathlib import PurePath

_CONTENT_TYPES = {
    "gif": "image/gif",
    "jpeg": "image/jpeg",
    "jpg": "image/jpeg",
    "png": "image/png",
    "mp4": "video/mp4",
    "mp3": "audio/mp3",
    "wav": "audio/wav",
    "zip": "application/zip",
}


def file_type(file_name: str) -> str:
    """The file suffix, which MetaStudio takes as ``file_type``."""
    suffix = PurePath(file_name).suffix.lstrip(".").lower()
    if not suffix:
        raise ValueError(f"{file_name!r} has no suffix: MetaStudio needs one to know the file type")
    return suffix


def content_type(file_name: str) -> str:
    """The Content-Type the OBS upload must carry for this file."""
    return _CONTENT_TYPES.get(file_type(file_name), "application/octet-stream")
