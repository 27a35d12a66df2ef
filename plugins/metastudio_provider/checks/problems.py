"""The error every input check raises, and ``Problems``: run several checks, then fail once naming them all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class InvalidInputError(ValueError):
    """A user input MetaStudio would refuse, or that would leave a resource half-made."""


class Problems:
    """Run several input checks, keep every ``InvalidInputError``, then fail once naming them all."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def check(self, function: Callable[..., T], *args: Any) -> T | None:
        """``function(*args)``, or None after recording its ``InvalidInputError``."""
        try:
            return function(*args)
        except InvalidInputError as exc:
            self.found.append(str(exc))
            return None

    def add(self, *problems: str) -> None:
        self.found.extend(problems)

    def fail_if_any(self, what: str) -> None:
        """``AirflowFailException`` (permanent: no retries) listing every problem found."""
        from airflow.sdk.exceptions import AirflowFailException

        if self.found:
            raise AirflowFailException(f"{what}: " + "; ".join(self.found))
