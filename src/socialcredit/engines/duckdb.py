"""The embedded default: DuckDB, one file in the workspace."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from socialcredit.engines.base import Engine, FileFormat, LoadedFile, ParseReject
from socialcredit.errors import EngineError, UnreadableFileError

__all__ = ["DuckDBEngine"]


def _literal(path: Path) -> str:
    return str(path).replace("'", "''")


def _kind(duckdb_type: str) -> str:
    """Coarse kind of a DuckDB column type: date, number or text."""
    upper = duckdb_type.upper()
    if upper == "DATE" or upper.startswith("TIMESTAMP"):
        return "date"
    numeric = (
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "HUGEINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "FLOAT",
        "DOUBLE",
        "DECIMAL",
    )
    return "number" if upper.startswith(numeric) else "text"


def _about_the_file(exc: duckdb.Error, path: Path) -> str:
    """What DuckDB found wrong with a file, without the SQL it ran nor the file's path
    (the caller names the file as its user knows it)."""
    lines: list[str] = []
    for line in str(exc).splitlines():
        if line.startswith(("LINE ", "The search space", "Possible fixes")) or not line.strip():
            break
        lines.append(re.sub(rf"\s*['\"]?{re.escape(str(path))}['\"]?", "", line).strip())
    return " ".join(lines[:2]) or type(exc).__name__


def _quiet(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """``connection`` without DuckDB's own progress bar, which prints to standard output
    on long statements: it would break ``--json`` answers, and block a process whose
    output is a pipe nobody reads yet. The CLI shows its own."""
    connection.execute("SET enable_progress_bar = false")
    return connection


class DuckDBEngine(Engine):
    """DuckDB engine over a database file (or ``:memory:``)."""

    name = "duckdb"
    can_export_lines = True

    def __init__(
        self,
        database: str | Path,
        *,
        threads: int | None = None,
        memory_limit: str | None = None,
        temp_directory: Path | None = None,
    ) -> None:
        super().__init__()
        self.database = str(database)
        self._temp_directory = temp_directory
        self._threads = threads
        self._memory_limit = memory_limit
        try:
            self.con = _quiet(duckdb.connect(self.database, config=self._config()))
        except duckdb.Error as exc:
            raise EngineError("connect", f"-- open {self.database}", exc) from exc

    def _run(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Execute and drain the result (DuckDB refuses new work while one is pending)."""
        rows: list[tuple[Any, ...]] = self.con.execute(
            sql, list(params) if params else None
        ).fetchall()
        return rows

    def execute(self, step: str, sql: str, params: Sequence[Any] = ()) -> None:
        self._notify(step, sql)
        try:
            self._run(sql, params)
        except duckdb.Error as exc:
            raise EngineError(step, sql, exc) from exc

    def query(self, step: str, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        self._notify(step, sql)
        try:
            return self.con.sql(sql, params=list(params) if params else None).to_arrow_table()
        except duckdb.Error as exc:
            raise EngineError(step, sql, exc) from exc

    def create_table_from_arrow(self, table: str, data: pa.Table, *, temporary: bool) -> None:
        kind = "TEMP TABLE" if temporary else "TABLE"
        self.con.register("_arrow_in", data)
        try:
            self.execute(
                f"create {table}", f"CREATE OR REPLACE {kind} {table} AS SELECT * FROM _arrow_in"
            )
        finally:
            self.con.unregister("_arrow_in")

    def hash_line_sums(self, step: str, sql: str, params: Sequence[Any] = ()) -> tuple[int, int]:
        from socialcredit.scoring.digest import line_sql

        half = "CAST(CAST('0x' || substr(h, {start}, 16) AS UBIGINT) AS HUGEINT)"
        found = self.query(
            "hash line sums",  # this engine's own SQL (DuckDB's hex casts), for ``step``
            f"SELECT CAST(coalesce(sum({half.format(start=1)}), 0) % {2**64} AS VARCHAR) AS high, "
            f"CAST(coalesce(sum({half.format(start=17)}), 0) % {2**64} AS VARCHAR) AS low "
            f"FROM (SELECT md5({line_sql('r')}) AS h FROM ({sql}) r) l",
            params,
        ).to_pylist()[0]
        return int(found["high"]), int(found["low"])

    def has_table(self, table: str) -> bool:
        found = self._run(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
            "UNION ALL SELECT count(*) FROM duckdb_views() WHERE view_name = ?",
            [table, table],
        )
        return any(count for (count,) in found)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self._run("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self._run("ROLLBACK")
            raise
        self._run("COMMIT")

    def load_file(self, path: Path, fmt: FileFormat, table: str) -> LoadedFile:
        if not path.is_file():
            raise UnreadableFileError(f"{path}: no such file")
        if path.stat().st_size == 0:
            raise UnreadableFileError(f"{path}: the file is empty")
        source = str(path).replace("'", "''")
        self._drop(table)
        try:
            if fmt == "csv":
                rejects = self._load_csv(source, table)
            elif fmt == "jsonl":
                rejects = self._load_jsonl(source, table)
            else:
                # Parquet is columnar and typed: a view reads only the columns each
                # step needs, instead of copying the whole file first.
                reader = f"read_parquet('{source}', file_row_number = true)"
                self._run(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {reader}")
                rejects = ()
        except duckdb.Error as exc:
            raise UnreadableFileError(
                f"{path}: cannot be read as {fmt}: {_about_the_file(exc, path)}"
            ) from exc
        types = {
            str(name).lower(): _kind(str(kind))
            for name, kind, *_ in self._run(f"DESCRIBE {table}")
            if str(name) != "file_row_number"
        }
        rows = int(self._run(f"SELECT count(*) FROM {table}")[0][0])
        if rows == 0 and not rejects:
            raise UnreadableFileError(f"{path}: holds no records")
        # A table made by CREATE TABLE AS keeps insertion (file) order in its rowid.
        order = "file_row_number" if fmt == "parquet" else "rowid"
        return LoadedFile(table, types, rows, order, rejects)

    def _load_csv(self, source: str, table: str) -> tuple[ParseReject, ...]:
        # Every value stays text so that a malformed value can be reported as sent.
        self._run(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv('{source}', "
            "header = true, all_varchar = true, ignore_errors = true, store_rejects = true, "
            f"parallel = false, rejects_table = '{table}_rej', rejects_scan = '{table}_rejscan')"
        )
        try:
            return tuple(
                # reject lines count the header as line 1
                ParseReject(int(line) - 1, str(message), str(text or ""))
                for line, message, text in self._run(
                    f"SELECT line, min(error_message), min(csv_line) FROM {table}_rej "
                    "GROUP BY line ORDER BY line"
                )
            )
        finally:
            self._run(f"DROP TABLE IF EXISTS {table}_rej")
            self._run(f"DROP TABLE IF EXISTS {table}_rejscan")

    def _load_jsonl(self, source: str, table: str) -> tuple[ParseReject, ...]:
        """JSON Lines, one object per line; a line that is not a JSON object is rejected alone."""
        self._run(
            f"CREATE OR REPLACE TEMP TABLE {table}_lines AS SELECT j, "
            "coalesce(CASE WHEN json_valid(j) THEN json_type(j) = 'OBJECT' END, false) AS ok "
            "FROM read_csv("
            f"'{source}', columns = {{'j': 'VARCHAR'}}, header = false, delim = '\x01', "
            "quote = '', escape = '', auto_detect = false, parallel = false)"
        )
        try:
            rejects = tuple(
                ParseReject(int(rowid) + 1, "not a JSON object", str(text))
                for rowid, text in self._run(
                    f"SELECT rowid, j FROM {table}_lines WHERE NOT ok ORDER BY rowid"
                )
            )
            keys = [
                str(key)
                for (key,) in self._run(
                    f"SELECT DISTINCT unnest(json_keys(j)) FROM {table}_lines WHERE ok ORDER BY 1"
                )
            ]
            if not keys:
                keys = ["_empty"]
            columns = ", ".join(
                'json_extract_string(j, \'$."{}"\') AS "{}"'.format(
                    key.replace("'", "''").replace('"', '\\"'), key.replace('"', '""')
                )
                for key in keys
            )
            self._run(
                f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {columns} "
                f"FROM {table}_lines WHERE ok ORDER BY rowid"
            )
            return rejects
        finally:
            self._run(f"DROP TABLE IF EXISTS {table}_lines")

    def encode_categories(self, table: str, max_levels: int = 256) -> list[str]:
        """Recreate ``table`` with text columns of at most ``max_levels`` values as ENUMs.

        Comparisons of an ENUM with constants run on small integer codes, so
        scorecard CASE expressions over categorical columns run about twice as
        fast; values read back exactly as before.
        """
        described = self._run(f"DESCRIBE {table}")
        texts = [str(name) for name, kind, *_ in described if str(kind) == "VARCHAR"]
        if not texts:
            return []
        counts = self._run(
            "SELECT " + ", ".join(f'count(DISTINCT "{c}")' for c in texts) + f" FROM {table}"
        )[0]
        encode = [c for c, n in zip(texts, counts, strict=True) if 0 < int(n) <= max_levels]
        columns = []
        for name, *_ in described:
            quoted = '"' + str(name).replace('"', '""') + '"'
            if name in encode:
                levels = self._run(
                    f"SELECT DISTINCT {quoted} FROM {table} WHERE {quoted} IS NOT NULL ORDER BY 1"
                )
                values = ", ".join("'" + str(v).replace("'", "''") + "'" for (v,) in levels)
                columns.append(f"CAST({quoted} AS ENUM({values})) AS {quoted}")
            else:
                columns.append(quoted)
        self._run(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {', '.join(columns)} FROM {table}"
        )
        return encode

    def export_lines(self, step: str, sql: str, path: Path) -> None:
        self.execute(
            step,
            f"COPY ({sql}) TO '{_literal(path)}' (FORMAT csv, HEADER false, "
            "DELIMITER '\t', QUOTE '', ESCAPE '', NULLSTR '\\N')",
        )

    def compact(self) -> None:
        """Copy the database into a new file and put it in place of the old one.

        DuckDB marks deleted rows and reuses their blocks later; until then their
        bytes stay in the file, even after a checkpoint. A fresh copy holds only
        live rows. Temporary tables do not survive (they are session state).
        """
        if self.database == ":memory:":
            return
        path = Path(self.database)
        fresh = path.with_name(path.name + ".compact")
        fresh.unlink(missing_ok=True)
        self._run("CHECKPOINT")
        self.con.close()
        try:
            with _quiet(duckdb.connect()) as copier:
                copier.execute(f"ATTACH '{_literal(path)}' AS src (READ_ONLY)")
                copier.execute(f"ATTACH '{_literal(fresh)}' AS dst")
                copier.execute("COPY FROM DATABASE src TO dst")
                copier.execute("DETACH dst")
                copier.execute("DETACH src")
            fresh.replace(path)
            path.with_name(path.name + ".wal").unlink(missing_ok=True)
        finally:
            self.con = _quiet(duckdb.connect(self.database, config=self._config()))

    def _config(self) -> dict[str, Any]:
        config: dict[str, Any] = {}
        if self._threads:
            config["threads"] = self._threads
        limit = self._memory_limit or _default_memory_limit()
        if limit:
            config["memory_limit"] = limit
        if self._temp_directory is not None:
            config["temp_directory"] = str(self._temp_directory)
        return config

    def release_file(self, loaded: LoadedFile) -> None:
        self._drop(loaded.table)

    def _drop(self, name: str) -> None:
        """Drop a temporary table or view called ``name``, whichever it is."""
        for (kind,) in self._run(
            "SELECT 'VIEW' FROM duckdb_views() WHERE view_name = ? AND temporary "
            "UNION ALL SELECT 'TABLE' FROM duckdb_tables() WHERE table_name = ? AND temporary",
            [name, name],
        ):
            self._run(f"DROP {kind} {name}")

    def close(self) -> None:
        self.con.close()


def _default_memory_limit() -> str | None:
    """40% of the machine's memory (DuckDB's own default is 80%): the embedded engine
    shares the machine with the store, the service and the user's own programs, and
    spills to disk beyond it. Scoring 10,000,000 people on 23 GiB peaked at 12.7 GiB
    with 80%, 12.3 GiB with 50% and 7.9 GiB with 8 GB, in about the same time and
    with the same scores. None where the size cannot be read: DuckDB's default."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None
    return f"{total * 2 // 5 // 2**20}MiB" if total > 0 else None
