"""The operational store: partners, keys, published scores, disputes, audit log.

SQLite is the embedded default (``store.sqlite`` in the workspace); PostgreSQL is
the production store, chosen by URL, with the same code and Alembic migrations.
"""

from socialcredit.store.database import Store, open_store

__all__ = ["Store", "open_store"]
