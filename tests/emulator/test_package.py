"""The emulator is its own package beside the provider: it shares only the catalog and the signing code."""

from __future__ import annotations

import ast
from pathlib import Path

import metastudio_emulator

SHARED = {"metastudio_provider.catalog", "metastudio_provider.signing"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update(f"{node.module}.{alias.name}" if node.module == "metastudio_provider" else node.module
                         for alias in node.names)
    return names


def test_the_emulator_imports_only_the_catalog_and_signing_of_the_provider() -> None:
    package = Path(metastudio_emulator.__file__).parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 20
    provider = {(path.relative_to(package).as_posix(), name) for path in modules for name in _imports(path)
                if name.split(".")[0] == "metastudio_provider"}
    assert {name for _, name in provider} <= SHARED, sorted(p for p in provider if p[1] not in SHARED)
    assert {name for _, name in provider} == SHARED  # both really are shared, not copied


def test_the_provider_does_not_import_the_emulator() -> None:
    provider = Path(metastudio_emulator.__file__).parent.parent / "metastudio_provider"
    offenders = [path.name for path in provider.rglob("*.py") if any(
        name.split(".")[0] == "metastudio_emulator" for name in _imports(path))]
    assert offenders == []
