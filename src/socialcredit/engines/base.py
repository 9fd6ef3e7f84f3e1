"""The engine abstraction: the few things the pipeline asks of an engine.

The pipeline builds SQL as named steps and hands them to an :class:`Engine`;
it never branches on which engine it runs on. SQL is written in DuckDB's dialect
restricted to constructs that SQLGlot transpiles to Spark SQL (a test checks
every step), so an engine for another dialect transpiles instead of rewriting.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

__all__ = ["Engine", "FileFormat", "LoadedFile", "ParseReject"]

FileFormat = Literal["csv", "jsonl", "parquet"]


@dataclass(frozen=True, slots=True)
class ParseReject:
    """A record of a text file the engine could not parse at all.

    ``row`` is the 1-based record number in the file (header excluded).
    """

    row: int
    message: str
    text: str


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A file loaded into a staging table, one row per parsed record.

    ``order_expr`` is an expression over the staging table giving each parsed
    record's 0-based position among the parsed records; :meth:`file_rows` turns
    positions into the partner's own 1-based row numbers (header excluded),
    which also count the lines that could not be parsed at all.
    """

    table: str
    #: column name (lower case) -> "date", "number" or "text", by the file's own types
    types: dict[str, str]
    rows: int
    order_expr: str
    parse_rejects: tuple[ParseReject, ...] = field(default=())

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.types)

    def file_rows(self, order: Sequence[int] | np.ndarray) -> np.ndarray:
        """1-based file row numbers of parsed records at positions ``order``."""
        positions = np.asarray(order, dtype=np.int64)
        if not self.parse_rejects:
            return positions + 1
        # Parsed records fill, in order, the file rows that were not rejected.
        skipped = np.unique(np.asarray([r.row for r in self.parse_rejects], dtype=np.int64))
        candidates = np.arange(1, self.rows + len(skipped) + 1, dtype=np.int64)
        kept: np.ndarray = candidates[~np.isin(candidates, skipped)]
        return np.asarray(kept[positions])


class Engine(ABC):
    """An engine runs the pipeline's SQL steps. Subclasses implement six methods."""

    #: Name shown in summaries and score runs (e.g. "duckdb"); never branched on.
    name: str = "abstract"
    #: What the engine can do beyond the six methods; callers ask these, not the name.
    #: :meth:`export_lines`: build text lines (and the JSON in them) in the engine
    can_export_lines: bool = False

    def __init__(self) -> None:
        self.listeners: list[Callable[[str, str], None]] = []

    def _notify(self, step: str, sql: str) -> None:
        for listener in self.listeners:
            listener(step, sql)

    @abstractmethod
    def execute(self, step: str, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement; failures raise :class:`EngineError` naming ``step`` and the SQL."""

    @abstractmethod
    def query(self, step: str, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        """Run a query and return its result as an Arrow table."""

    @abstractmethod
    def load_file(self, path: Path, fmt: FileFormat, table: str) -> LoadedFile:
        """Load a partner file into a temporary staging table, every value as the file holds it."""

    @abstractmethod
    def create_table_from_arrow(self, table: str, data: pa.Table, *, temporary: bool) -> None:
        """Create (or replace) a table holding ``data``."""

    @abstractmethod
    def has_table(self, table: str) -> bool:
        """True when a table or view of that name exists."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all (also on a crash)."""

    @abstractmethod
    def release_file(self, loaded: LoadedFile) -> None:
        """Drop the staging table or view of a loaded file."""

    @abstractmethod
    def compact(self) -> None:
        """Rewrite storage so that deleted rows leave no bytes behind in any file."""

    def export_lines(self, step: str, sql: str, path: Path) -> None:
        """Write a query's rows to ``path`` as lines of tab-separated values, with no
        header and no quoting, NULL as ``\\N``: PostgreSQL's COPY text format, once the
        query itself has escaped its text (bulk hand-over)."""
        raise NotImplementedError(f"engine {self.name} cannot export rows as text lines")

    def encode_categories(self, table: str, max_levels: int = 256) -> list[str]:
        """Store low-cardinality text columns of ``table`` dictionary-encoded, if the
        engine can; values and query results do not change. Returns the columns
        encoded (none by default)."""
        return []

    def hash_line_sums(self, step: str, sql: str, params: Sequence[Any] = ()) -> tuple[int, int]:
        """:mod:`socialcredit.scoring.digest` sums over the rows of ``sql`` (``subject_key``,
        ``score``, ``tier``); engines that can hash in SQL override this."""
        from socialcredit.scoring.digest import sums_of_rows

        return sums_of_rows(self.query(step, sql, params))

    def scalar(self, step: str, sql: str, params: Sequence[Any] = ()) -> Any:
        """First value of the first row of a query (None when there is no row)."""
        result = self.query(step, sql, params)
        if result.num_rows == 0:
            return None
        return result.column(0)[0].as_py()

    @abstractmethod
    def close(self) -> None:
        """Release the engine's resources."""
