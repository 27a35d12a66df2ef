"""A local file a DAG names (a room definition): it must exist inside a given folder."""

from __future__ import annotations

from pathlib import Path, PurePath

from metastudio_provider.checks.problems import InvalidInputError


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
