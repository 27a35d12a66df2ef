"""A batch manifest's rows: a list of mappings, each with an explicit id unique in the manifest.

Checked for every format (YAML, CSV, JSON Lines: ``batches.manifest``) before any row is submitted; each
row's content (its script) is checked when it is submitted (``batches.submission.video_bodies``).
"""

from __future__ import annotations

import re
from typing import Any

_ROW_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$")


class ManifestError(ValueError):
    """A manifest that cannot be used at all (unreadable, not YAML, rows without unique ids)."""


def validate_rows(rows: Any, source: str) -> list[dict[str, Any]]:
    """Check the manifest's shape: a list of mappings, each with an explicit ``id`` unique in the manifest.

    Ids are what ties a row to its video across re-runs (the video is named ``<prefix>-<id>``), so a
    positional id would map videos to the wrong rows once a row is inserted: every problem is
    collected and raised as one ``ManifestError`` naming the rows. Per-row content is checked later.
    """
    if not isinstance(rows, list):
        raise ManifestError(f"{source}: expected a list of rows, got {type(rows).__name__}")
    problems: list[str] = []
    first_seen: dict[str, int] = {}
    duplicates: dict[str, list[int]] = {}
    out = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            problems.append(f"row {number} is not a mapping ({row!r})")
            continue
        raw = row.get("id")
        if raw is None or isinstance(raw, bool) or not isinstance(raw, (str, int)) or not str(raw).strip():
            title = f" (title {row['title']!r})" if row.get("title") else ""
            problems.append(f"row {number}{title} has no id")
            continue
        row_id = str(raw).strip()
        if not _ROW_ID.match(row_id):
            problems.append(f"row {number}: id {row_id!r} must be 1-41 letters, digits, '_', '.' or '-'")
            continue
        if row_id in first_seen:
            duplicates.setdefault(row_id, [first_seen[row_id]]).append(number)
            continue
        first_seen[row_id] = number
        out.append({**row, "id": row_id, "_number": number})
    problems += [f"rows {', '.join(map(str, numbers))} share the id {row_id!r}"
                 for row_id, numbers in duplicates.items()]
    if problems:
        raise ManifestError(f"{source}: every row needs an explicit id, unique in the manifest: " + "; ".join(problems))
    return out
