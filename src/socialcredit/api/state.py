"""What the app holds while it runs: the workspace (lake and keyer), the store,
one lock for the lake (one writer at a time), the rate limiter."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.lake.workspace import Workspace
from socialcredit.settings import Settings
from socialcredit.store import Store

__all__ = ["ServiceState"]


@dataclass
class ServiceState:
    settings: Settings
    workspace: Workspace
    lake_lock: threading.Lock = field(default_factory=threading.Lock)

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
