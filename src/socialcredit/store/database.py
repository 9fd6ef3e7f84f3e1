"""Open the store by URL and bring its schema up to date with Alembic."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from socialcredit.errors import ConfigurationError

__all__ = ["Store", "open_store"]


def _sqlite_immediate(engine: Engine) -> None:
    """SQLite: take the write lock when a transaction starts, so concurrent writers
    queue instead of failing half way (the audit chain relies on it)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    """The operational store: an engine, sessions, and the dialect's name."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> Session:
        return self.sessions()

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        config = Config()
        config.set_main_option(
            "script_location", str(resources.files("socialcredit.store").joinpath("migrations"))
        )
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, *, migrate: bool = True) -> Store:
    """The store at ``url`` (``sqlite:///file``, ``postgresql+psycopg://...``).

    Bound parameters are never logged nor put in error messages
    (``hide_parameters``): they carry subject keys, and logs outlive erasures.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            engine = create_engine(
                url,
                connect_args={"timeout": 30, "check_same_thread": False},
                hide_parameters=True,
            )
            _sqlite_immediate(engine)
        elif url.startswith("postgresql"):
            engine = create_engine(
                url, pool_size=10, max_overflow=20, pool_pre_ping=True, hide_parameters=True
            )
        else:
            raise ConfigurationError(
                f"store URL {url!r}: expected sqlite:///path or postgresql://user@host/db"
            )
    except ImportError as exc:
        raise ConfigurationError(
            f"store URL {url!r} needs a driver that is missing: {exc}"
        ) from exc
    store = Store(engine)
    if migrate:
        store.migrate()
    return store
