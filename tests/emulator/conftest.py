"""Emulators for these tests: a fast one without throttling, and fresh throttled ones per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from metastudio_emulator.testing import RunningEmulator, running_emulator

FAST = {"job_seconds": 0.5, "live_start_seconds": 0.2, "training_seconds": 0.5, "tts_seconds": 0.3}


@pytest.fixture(scope="module")
def emu() -> Iterator[RunningEmulator]:
    """Short lifecycles; throttling off so functional tests never meet a 429 (stats still count)."""
    with running_emulator(throttle=False, **FAST) as running:
        yield running


@pytest.fixture
def throttled_emu() -> Iterator[RunningEmulator]:
    """A fresh emulator enforcing the cn-north-4 limits."""
    with running_emulator(**FAST) as running:
        yield running
