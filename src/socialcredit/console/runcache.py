"""Figures derived from saved scoring runs, computed once per run.

A run's rows never change once saved, so what is computed from them can be
kept, keyed by the run ids. An erasure removes a person's rows from every run,
so the number of erasures is part of the key. Run ids are random, so two
workspaces share a key only when one is a copy of the other (and then the
figures are the same).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from socialcredit.engines import Engine

__all__ = ["RunCache"]

T = TypeVar("T")


class RunCache:
    """At most ``size`` results, the oldest dropped first."""

    def __init__(self, size: int = 32) -> None:
        self._size = size
        self._kept: dict[tuple[str, ...], object] = {}
        self._lock = threading.Lock()

    def get(self, lake: Engine, key: tuple[str, ...], compute: Callable[[], T]) -> T:
        erasures = lake.scalar("erasures", "SELECT count(*) FROM erasures")
        full = (*key, str(erasures))
        with self._lock:
            if full in self._kept:
                found: T = self._kept[full]  # type: ignore[assignment]
                return found
        result = compute()
        with self._lock:
            while len(self._kept) >= self._size:
                self._kept.pop(next(iter(self._kept)))
            self._kept[full] = result
        return result
