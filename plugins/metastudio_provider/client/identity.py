"""Identity tokens: what makes a create findable again by the one who made it, and by no one else.

A token (``af-`` + 13 hex digits, 16 characters: it fits a product tag, the shortest field that
carries one) is written into a field MetaStudio stores and lists back (asset ``tags``, a script's
``script_description``, ...; the catalog's ``dedupe.identity``). A lookup only accepts a resource
whose field carries the same token, never one that merely has the same name.

* ``identity_token(dag_id, run_id, task_id, map_index)``: the run identity of a task instance,
  the same on every try of it and different for every other one.
* ``random_token()``: for a create without a run identity, so a lookup after a lost response
  still finds only what that very call made.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

PREFIX = "af-"
_TOKEN = re.compile(r"\baf-[0-9a-f]{13}\b")
_LIST_FIELDS = frozenset({"tags"})


def identity_token(*parts: Any) -> str:
    """A stable token for ``parts`` (e.g. dag id, run id, task id, map index)."""
    return PREFIX + hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:13]


def random_token() -> str:
    return PREFIX + uuid.uuid4().hex[:13]


def token_in(value: Any) -> str | None:
    """The token a field value carries (a string containing one, or a list with one), or None."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, str) and (match := _TOKEN.search(item)):
            return match.group(0)
    return None


def carries(value: Any, token: str) -> bool:
    """Does the field value carry ``token``?"""
    if isinstance(value, list):
        return any(isinstance(item, str) and token in item for item in value)
    return isinstance(value, str) and token in value


def with_token(body: dict[str, Any] | None, field: str, token: str) -> dict[str, Any]:
    """A copy of ``body`` whose ``field`` carries ``token`` (appended to a list or to the text already
    there); unchanged if it already carries a token."""
    body = dict(body or {})
    value = body.get(field)
    if token_in(value):
        return body
    if isinstance(value, list) or (value is None and field in _LIST_FIELDS):
        body[field] = [*(value or []), token]
    elif value:
        body[field] = f"{value} [{token}]"
    else:
        body[field] = token
    return body
