"""The livestream lives in ``metastudio_provider.livestream``; the watch trigger keeps the classpath it was
always serialized with (a triggerer imports it by that name), the one old import path kept."""

from __future__ import annotations

from importlib import import_module

import pytest

import metastudio_provider.livestream as livestream
from metastudio_provider import get_provider_info
from metastudio_provider.livestream import show, steps, watch

OLD_PATHS = {
    "metastudio_provider.triggers.livestream": (watch, steps),
}
REMOVED_PATHS = ["metastudio_provider.operators.livestream", "metastudio_provider.operators.live_show",
                 "metastudio_provider.shows", "metastudio_provider.room_claims", "metastudio_provider.livestream_dag"]


@pytest.mark.parametrize("path", sorted(OLD_PATHS))
def test_an_old_import_path_re_exports_the_new_modules_objects(path: str) -> None:
    old = import_module(path)
    assert old.__all__
    for name in old.__all__:
        homes = [m for m in OLD_PATHS[path] if name in vars(m)]
        assert homes and getattr(old, name) is getattr(homes[0], name), name


@pytest.mark.parametrize("path", REMOVED_PATHS)
def test_no_other_old_import_path_is_kept(path: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        import_module(path)


def test_the_package_re_exports_its_public_names() -> None:
    for name in livestream.__all__:
        assert getattr(livestream, name) is not None, name
    assert livestream.LivestreamShowOperator is show.LivestreamShowOperator
    assert livestream.next_step is steps.next_step


def test_the_watch_trigger_is_serialized_under_its_first_classpath() -> None:
    trigger = watch.LivestreamWatchTrigger(room_id="r", job_id="j", duration=60.0)
    classpath, kwargs = trigger.serialize()
    assert classpath == "metastudio_provider.triggers.livestream.LivestreamWatchTrigger"
    module, name = classpath.rsplit(".", 1)
    assert getattr(import_module(module), name) is watch.LivestreamWatchTrigger
    assert watch.LivestreamWatchTrigger(**kwargs).serialize() == (classpath, kwargs)


def test_the_provider_info_names_the_new_modules() -> None:
    info = get_provider_info()
    operators = {m for entry in info["operators"] for m in entry["python-modules"]}
    triggers = {m for entry in info["triggers"] for m in entry["python-modules"]}
    assert {"metastudio_provider.livestream.rooms", "metastudio_provider.livestream.show",
            "metastudio_provider.livestream.start_stop"} <= operators
    assert "metastudio_provider.livestream.watch" in triggers
    for module in operators | triggers:
        import_module(module)
