"""Batch manifests read from a store: a date's rows as YAML, CSV or JSON Lines, in any ObjectStoragePath folder.

The backfill reads ``<folder>/<date>.<ext>``, one of:

* ``<date>.yaml`` / ``<date>.yml``: a list of mappings;
* ``<date>.csv``: a header row naming the columns ``id, title, script, avatar, voice, background``
  (``id`` and ``script`` required, any order, no other column); an empty cell is an absent value;
  UTF-8, with or without Excel's byte-order mark; rows whose every cell is empty are ignored;
* ``<date>.jsonl``: one JSON object per line (blank lines ignored).

Two manifests for one date (``2026-11-20.yaml`` and ``2026-11-20.csv``) are an error naming both: which
one is meant cannot be guessed. Every format's rows then get the same checks (``checks.manifests``:
explicit, unique ids; every bad row named; nothing is created before they pass).

The folder (``batches_folder``): the environment variable ``METASTUDIO_BATCHES_DIR`` (a local folder: the
tests), else the Airflow Variable ``metastudio_batches_uri``, else ``[metastudio] batches_uri``, else the
DAG's default (the checkout's ``include/batches``). Its store's Airflow connection (an ``s3://`` folder):
the Variable ``metastudio_batches_conn_id``, else ``[metastudio] batches_conn_id``, else none (or
``s3://<conn_id>@bucket/...`` in the URI).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metastudio_provider.checks.manifests import ManifestError, validate_rows
from metastudio_provider.utils.variables import setting

if TYPE_CHECKING:
    from airflow.sdk import ObjectStoragePath

EXTENSIONS = (".yaml", ".yml", ".csv", ".jsonl")
"""The manifest files of a date, in the order they are looked for."""
CSV_COLUMNS = ("id", "title", "script", "avatar", "voice", "background")
CSV_REQUIRED = ("id", "script")


def batches_folder(default: Path | str) -> ObjectStoragePath:
    """The folder the backfill reads its manifests from (see the module's docstring)."""
    from metastudio_provider.delivery import DeliveryError, storage_path

    local = os.environ.get("METASTUDIO_BATCHES_DIR")
    uri = (str(Path(local).resolve()) if local else
           setting("metastudio_batches_uri", "batches_uri") or str(Path(default).resolve()))
    conn_id = None if local else setting("metastudio_batches_conn_id", "batches_conn_id")
    try:
        return storage_path(uri, conn_id)
    except (DeliveryError, ValueError) as exc:
        raise ManifestError(f"the batches folder {uri!r}: {exc}") from None


def find_manifest(folder: ObjectStoragePath | Path, date: str) -> ObjectStoragePath | Path | None:
    """The date's manifest in ``folder`` (None: there is none); ``ManifestError`` naming both if there are two."""
    found = []
    for ext in EXTENSIONS:
        candidate = folder / f"{date}{ext}"
        try:
            if candidate.is_file():
                found.append(candidate)
        except (PermissionError, FileNotFoundError) as exc:
            raise ManifestError(f"the batches folder {folder}: {type(exc).__name__}: {exc}") from None
    if len(found) > 1:
        raise ManifestError(f"{len(found)} manifests for {date}: {', '.join(p.name for p in found)}: keep one "
                            "(which one is meant cannot be guessed)")
    return found[0] if found else None


def read_manifest(path: ObjectStoragePath | Path) -> list[dict[str, Any]]:
    """Read, parse (by the file's extension: YAML, CSV, JSON Lines) and check a manifest; ``ManifestError``
    says what is wrong and where."""
    try:
        data = path.read_bytes()
    except Exception as exc:  # noqa: BLE001 - OSError, a store's own errors: all mean "cannot be read"
        raise ManifestError(f"{path}: cannot be read: {type(exc).__name__}: {exc}") from None
    return validate_rows(parse_manifest(data, path.name), path.name)


def parse_manifest(data: bytes | str, name: str) -> Any:
    """The rows of a manifest's content, by the extension of ``name`` (``.yaml`` when it has none of ours);
    not yet checked (``checks.manifests.validate_rows`` does)."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{name}: cannot be read: not UTF-8 ({exc})") from None
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, name)
    if suffix == ".jsonl":
        return parse_jsonl(text, name)
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Any:
    import yaml

    try:
        rows = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ManifestError(f"{name}: not valid YAML: {' '.join(str(exc).split())}") from None
    return rows if rows is not None else []


def parse_jsonl(text: str, name: str) -> list[Any]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise ManifestError(f"{name}: line {number} is not valid JSON: {exc.msg} (column {exc.colno})") from None
    return rows


def parse_csv(text: str, name: str) -> list[dict[str, str]]:
    """A CSV manifest's rows: a header row, then one row per video; empty cells are left out of the row."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        columns = [c.strip().lower() for c in header]
        problems = []
        if unknown := [c for c in columns if c not in CSV_COLUMNS]:
            problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
        if missing := [c for c in CSV_REQUIRED if c not in columns]:
            problems.append(f"no {' or '.join(map(repr, missing))} column")
        if repeated := sorted({c for c in columns if columns.count(c) > 1}):
            problems.append(f"column(s) {', '.join(map(repr, repeated))} given twice")
        if problems:
            raise ManifestError(f"{name}: the header row {header!r}: {'; '.join(problems)} (the columns are "
                                f"{', '.join(CSV_COLUMNS)}; id and script are required)")
        rows: list[dict[str, str]] = []
        bad = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # an empty line, or a spreadsheet's empty row
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                bad.append(f"row {len(rows) + 1} has {len(cells)} cells, the header {len(columns)}")
            rows.append({col: cell.strip() if col == "id" else cell
                         for col, cell in zip(columns, cells, strict=False) if cell.strip()})
    except csv.Error as exc:
        raise ManifestError(f"{name}: not valid CSV (line {reader.line_num}): {exc}") from None
    if bad:
        raise ManifestError(f"{name}: " + "; ".join(bad))
    return rows
