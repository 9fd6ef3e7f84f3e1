"""What the app holds while it runs: the workspace (lake and keyer), the store,
one lock for the lake (one writer at a time), the rate limiter. Made at start-up,
it first finishes what a crash left half written across the lake and the store."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from socialcredit.api.batches import recover_batches
from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.lake.workspace import Workspace
from socialcredit.rights.disputes import settle_in_lake
from socialcredit.settings import Settings
from socialcredit.store import Store

__all__ = ["ServiceState"]


@dataclass
class ServiceState:
    settings: Settings
    workspace: Workspace
    lake_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.recover()

    def recover(self) -> None:
        """Finish the writes a crash cut between the store and the lake: disputes the
        store settled whose record the lake still holds, batches the lake committed
        that the store has not recorded."""
        with self.lake_lock:
            settle_in_lake(self.store, self.lake)
            recover_batches(self.store, self.lake)

    @property
    def lake(self) -> Engine:
        return self.workspace.engine()

    _keyer: SubjectKeyer | None = None

    @property
    def keyer(self) -> SubjectKeyer:
        # Checked against the workspace once, at the first request; the secret does
        # not change while the service runs.
        if self._keyer is None:
            self._keyer = self.workspace.keyer()
        return self._keyer

    @property
    def store(self) -> Store:
        return self.workspace.store()
