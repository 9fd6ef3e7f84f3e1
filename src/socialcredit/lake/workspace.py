"""The workspace: one folder holding everything a run writes.

::

    workspace.json      mode (demo or live) and the fingerprint of the subject-key secret
    lake.duckdb         the records lake, ledger, feature state, score history (embedded
                        engine; lake.duckdb.wal beside it while a write is under way)
    lake-spark/         the same lake as Parquet parts, when the engine is Spark
    store.sqlite        the operational store, unless SOCIALCREDIT_STORE names PostgreSQL
    issuer/             the certificate issuer's keys (keys.json, signing-<n>.pem)
    serve.lock          the running service's process id, while one serves
    rejections/         one CSV per batch: row, field, value, rule, message
    feeds/              partner files written by the demo's synthetic nation
    summary.json        the demo's summary
    tmp/                the engine's spill files; tmp/uploads/: uploads being ingested
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from socialcredit.engines import Engine, connect
from socialcredit.errors import ConfigurationError, EngineError, SocialCreditError
from socialcredit.identity import SubjectKeyer, parse
from socialcredit.lake.files import erase_from_files, sweep_uploads
from socialcredit.lake.schema import ensure_lake
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store

__all__ = ["DEMO_SECRET", "LAKE_USERS", "LakeBusyError", "Workspace"]

#: Set by the service for each request: the workspaces whose lake the request opened
#: (see :meth:`Workspace.engine`); the service releases them when the request ends.
LAKE_USERS: contextvars.ContextVar[list[Workspace] | None] = contextvars.ContextVar(
    "lake_users", default=None
)


class LakeBusyError(SocialCreditError):
    """Another process holds the lake (DuckDB admits one process at a time)."""


#: The secret of demo workspaces. Public on purpose: demo data is synthetic.
DEMO_SECRET = "socialcredit-demo-secret-not-for-real-data"

Mode = Literal["demo", "live"]


@dataclass
class Workspace:
    """A workspace folder and the settings it is used with."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    _engine: Engine | None = field(default=None, init=False, repr=False)
    _store: Store | None = field(default=None, init=False, repr=False)
    #: Seconds :meth:`engine` waits for another process to let go of the lake.
    lake_wait: float = field(default=30.0, repr=False)
    _guard: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _users: int = field(default=0, init=False, repr=False)
    _pinned: bool = field(default=False, init=False, repr=False)

    @classmethod
    def open(cls, settings: Settings, *, mode: Mode = "live") -> Workspace:
        """Open (creating if needed) the workspace of ``settings``.

        ``mode`` only matters when the folder is new: the demo creates demo
        workspaces, everything else creates live ones. Uploads that an earlier
        process left behind (killed while ingesting) are removed.
        """
        workspace = cls(settings.workspace, settings)
        workspace.root.mkdir(parents=True, exist_ok=True)
        if not workspace.config_path.exists():
            workspace._write_config({"mode": mode, "key_fingerprint": None})
        sweep_uploads(workspace.root)
        return workspace

    @property
    def config_path(self) -> Path:
        return self.root / "workspace.json"

    @property
    def lake_path(self) -> Path:
        return self.root / "lake.duckdb"

    @property
    def rejections_dir(self) -> Path:
        return self.root / "rejections"

    @property
    def feeds_dir(self) -> Path:
        return self.root / "feeds"

    def config(self) -> dict[str, Any]:
        try:
            loaded: dict[str, Any] = json.loads(self.config_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"{self.config_path}: unreadable workspace file ({exc})"
            ) from exc
        return loaded

    def _write_config(self, config: dict[str, Any]) -> None:
        self.config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @property
    def mode(self) -> Mode:
        mode: Mode = self.config().get("mode", "live")
        return mode

    def keyer(self) -> SubjectKeyer:
        """The subject keyer for this workspace, refusing a secret it was not created with."""
        secret = self.settings.subject_key_secret
        if secret is not None:
            keyer = SubjectKeyer(secret.get_secret_value())
        elif self.mode == "demo":
            keyer = SubjectKeyer(DEMO_SECRET)
        else:
            raise ConfigurationError(
                "SOCIALCREDIT_SUBJECT_KEY_SECRET is not set. Live workspaces key people by "
                "HMAC-SHA256 with a secret only the operator holds: set the variable (for "
                "example from your secret store) and run again. Demo workspaces "
                "(socialcredit demo) use a public demo secret instead."
            )
        config = self.config()
        if config.get("key_fingerprint") is None:
            config["key_fingerprint"] = keyer.fingerprint()
            self._write_config(config)
        elif config["key_fingerprint"] != keyer.fingerprint():
            raise ConfigurationError(
                f"the subject-key secret differs from the one workspace {self.root} was "
                "created with; with another secret every person would get a new key. Use the "
                "original secret (SOCIALCREDIT_SUBJECT_KEY_SECRET)."
            )
        return keyer

    def erase_files(self, resident_id: str) -> dict[str, Any]:
        """Take a person out of the workspace's plain files (uploads left behind,
        partner files kept here); see :func:`socialcredit.lake.files.erase_from_files`.
        The lake and the store are erased by :func:`socialcredit.rights.erasure.erase_person`."""
        number = parse(resident_id).number
        return erase_from_files(self.root, number, self.keyer().key(number))

    def engine(self) -> Engine:
        """The engine of this workspace, opened once, with the lake tables in place.

        DuckDB lets one process at a time open the lake: while another holds it
        (a command, or the service in the middle of a request), this waits up to
        ``lake_wait`` seconds, then raises :class:`LakeBusyError`. Within a service
        request (:data:`LAKE_USERS` set) the request is counted as a user, and the
        lake is closed when the last user is released (:meth:`release`); opened
        outside a request, it stays open until :meth:`unpin` or :meth:`close`.
        """
        with self._guard:
            if self._engine is None:
                self._engine = self._open_engine()
            users = LAKE_USERS.get()
            if users is None:
                self._pinned = True
            elif not any(user is self for user in users):
                users.append(self)
                self._users += 1
            return self._engine

    def _open_engine(self) -> Engine:
        deadline = time.monotonic() + self.lake_wait
        while True:
            try:
                engine = connect(
                    self.settings.engine or "duckdb://",
                    default_path=self.lake_path,
                    threads=self.settings.threads,
                    memory_limit=self.settings.memory_limit,
                )
            except EngineError as exc:
                if "lock" not in str(exc.__cause__).lower():
                    raise
                if time.monotonic() >= deadline:
                    raise LakeBusyError(
                        f"the lake {self.lake_path} is in use by another process "
                        f"({exc.__cause__}); it was waited for {self.lake_wait:.0f} s. "
                        "Run the command again when that process is done."
                    ) from exc
                time.sleep(0.1)
                continue
            ensure_lake(engine)
            return engine

    def release(self) -> None:
        """One user of the lake is done (see :meth:`engine`); the last one closes it,
        so that other processes (the command line) can open it."""
        with self._guard:
            self._users = max(0, self._users - 1)
            self._close_idle()

    def unpin(self) -> None:
        """Close the lake that was opened outside a request, once no request uses it."""
        with self._guard:
            self._pinned = False
            self._close_idle()

    def _close_idle(self) -> None:
        if self._users == 0 and not self._pinned and self._engine is not None:
            self._engine.close()
            self._engine = None

    def store(self) -> Store:
        """The operational store of this workspace, migrated to the latest schema."""
        if self._store is None:
            self._store = open_store(
                self.settings.store or f"sqlite:///{self.root / 'store.sqlite'}"
            )
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None
        if self._engine is not None:
            self._engine.close()
            self._engine = None
        self._pinned = False
