"""The README's layout section names what is in the tree, and every provider module is in it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layout() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Architecture and layout", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```\n(.*?)```", section, flags=re.S)
    return next(block for block in blocks if block.startswith("plugins/"))


def _named_paths(layout: str) -> set[str]:
    """Paths named in the tree. Indentation gives the folder (a line ending in ``name/``); names in a
    comma-separated list share the folder of the first (``operators/assets.py, videos.py``)."""
    paths: set[str] = set()
    folders: list[tuple[int, str]] = []  # (indent, folder) of the enclosing lines
    for line in layout.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        match = re.match(r"^([\w.-]+(?:/[\w.-]*)*(?:, [\w.-]+(?:/[\w.-]*)*)*)(?:\s{2,}|$)", stripped)
        if not match:
            continue  # a continuation line of a description
        folders = [(i, f) for i, f in folders if i < indent]
        parent = folders[-1][1] if folders else ""
        names = match.group(1).split(", ")
        shared = names[0].rsplit("/", 1)[0] + "/" if "/" in names[0].rstrip("/") else ""
        for i, name in enumerate(names):
            paths.add(parent + (shared if i and "/" not in name else "") + name)
        if len(names) == 1 and names[0].endswith("/"):
            folders.append((indent, parent + names[0]))
    return paths


def test_every_path_in_the_layout_exists() -> None:
    named = _named_paths(_layout())
    assert len(named) > 30
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert not missing, missing


def test_every_provider_module_is_in_the_layout() -> None:
    named = _named_paths(_layout())
    package = ROOT / "plugins" / "metastudio_provider"
    modules = {p.relative_to(ROOT).as_posix() for p in package.rglob("*.py") if p.name != "__init__.py"}
    leaf_folders = {n for n in named if n.endswith("/") and not any(o != n and o.startswith(n) for o in named)}
    covered = {m for m in modules if m in named or any(m.startswith(f) for f in leaf_folders)}
    assert modules - covered == set(), sorted(modules - covered)
