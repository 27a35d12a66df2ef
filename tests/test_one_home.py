"""One home per fact: MetaStudio's states live in states.py, the Content-MD5 helper in signing.py."""

from __future__ import annotations

import ast
from pathlib import Path

from metastudio_provider.states import RESOURCES

ROOT = Path(__file__).resolve().parent.parent
STATES = {s for r in RESOURCES.values() for s in (*r.success, *r.failure, *r.running)} - {"TRUE", "FALSE", "NONE"}


def _sources(*folders: str) -> list[Path]:
    return [p for folder in folders for p in sorted((ROOT / folder).rglob("*.py"))]


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def test_states_are_named_only_in_states_py() -> None:
    found = {f"{p.relative_to(ROOT)}: {value}" for p in _sources("plugins/metastudio_provider", "dags")
             if p.name != "states.py" for value in _string_constants(p)
             if value in STATES or (set(value.split(",")) <= STATES and "," in value)}
    assert not found, sorted(found)


def test_one_content_md5_helper() -> None:
    """The client, the hook, the operators and the emulator all take MD5s from ``signing.content_md5``."""
    computing = [p.relative_to(ROOT).as_posix() for p in _sources("plugins") if "hashlib.md5(" in p.read_text()]
    assert computing == ["plugins/metastudio_provider/signing.py"]
