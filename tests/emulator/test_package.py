"""The emulator's imports: its own package beside the provider, sharing only the catalog and the signing
code, and with no import circle between its own modules."""

from __future__ import annotations

import ast
import graphlib
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


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _internal_imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The package's modules that ``path`` (module ``name``) imports, anywhere in it: an import inside a
    function or under ``TYPE_CHECKING`` still makes the two modules depend on each other."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            for alias in node.names:  # ``from . import lifecycles`` imports the module lifecycles
                targets.add(f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module)
    return targets & modules - {name}


def test_the_emulator_has_no_import_circle() -> None:
    package = Path(metastudio_emulator.__file__).parent
    paths = {_module_name(path, package.parent): path for path in package.rglob("*.py")}
    graph = {name: _internal_imports(path, name, set(paths)) for name, path in paths.items()}
    assert graph["metastudio_emulator.store"] >= {"metastudio_emulator.records", "metastudio_emulator.lifecycles"}
    assert "metastudio_emulator.records" in graph["metastudio_emulator.lifecycles"]
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        raise AssertionError(f"import circle: {' -> '.join(err.args[1])}") from None
    assert set(order) == set(paths)
