"""Apache Spark (PySpark): the lake as Parquet folders, the pipeline's SQL transpiled.

URLs (see :func:`socialcredit.engines.connect`)::

    spark://                     local mode on every core (local[*])
    spark://local[2]             local mode on two cores (any Spark local master)
    spark://spark://host:7077    a standalone cluster: everything after the first
                                 ``spark://`` is the Spark master URL as Spark spells it
    spark://yarn                 any other master Spark accepts

Needs ``pip install 'socialcredit[spark]'`` and a Java runtime (17). The lake
lives in ``<workspace>/lake-spark/``: one folder per table, each holding
immutable Parquet *parts*, and ``_manifest.json`` naming the parts that make up
every table. With a cluster the workspace must be on storage every executor
sees under the same path.

The pipeline's statements arrive in DuckDB's dialect. Queries are transpiled
to Spark SQL with SQLGlot; statements that change tables (CREATE, INSERT,
DELETE, DROP) are parsed with SQLGlot and carried out here, because Spark SQL
has no transactions and cannot delete from a Parquet table; anything else
(UPDATE, which the pipeline never issues) raises :class:`EngineError`. Partner files are
parsed by an embedded DuckDB on the driver, the same parser as the default
engine, so that both engines reject exactly the same lines; Spark reads the
parsed rows as Parquet.

What a transaction guarantees:

* A statement never changes a part: INSERT writes a new part, DELETE writes a
  new version of the table and forgets the old parts.
* The manifest is the only commit point. Inside :meth:`SparkEngine.transaction`
  changes are kept in memory; commit writes the new manifest to a temporary
  file, flushes it to disk, renames it over the old one (atomic on a local
  POSIX file system) and flushes the folder. A failure or a crash before the
  rename leaves the lake as it was; parts no manifest names are deleted on the
  next open. Outside a transaction every statement commits alone.
* One writer at a time: the engine holds an exclusive lock on the lake folder
  while it is open (like DuckDB's file lock); a second writer is refused.
* Not covered: temporary tables (session state, as in DuckDB, but not rolled
  back), and object stores where a rename is not atomic.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fcntl
import gc
import json
import os
import shutil
import uuid
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq
import sqlglot
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf
from pyspark.sql.types import (
    BinaryType,
    BooleanType,
    ByteType,
    DataType,
    DateType,
    DecimalType,
    DoubleType,
    FloatType,
    IntegerType,
    LongType,
    ShortType,
    StringType,
    StructField,
    StructType,
    TimestampNTZType,
    TimestampType,
)
from sqlglot import TokenType, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from socialcredit.engines.base import Engine, FileFormat, LoadedFile
from socialcredit.engines.duckdb import DuckDBEngine
from socialcredit.engines.spark_session import spark_session
from socialcredit.errors import ConfigurationError, EngineError

__all__ = ["SparkEngine", "spark_session"]

_MANIFEST = "_manifest.json"
_ROW = "_file_row"
_DUCKDB = Dialect.get_or_raise("duckdb")


@dataclass(frozen=True, slots=True)
class _Table:
    """A table: its Spark schema and the Parquet parts (folders) holding its rows."""

    schema: StructType
    parts: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {"schema": self.schema.jsonValue(), "parts": list(self.parts)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Table:
        return cls(StructType.fromJson(data["schema"]), tuple(data["parts"]))


def _nullable(schema: StructType) -> StructType:
    return StructType([StructField(f.name, f.dataType, True) for f in schema.fields])


def _literal(value: Any) -> str:
    """A parameter as a DuckDB literal (parameters are inlined before transpiling)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | decimal.Decimal):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else f"'{value}'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat(sep=' ')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"cannot pass a {type(value).__name__} as an SQL parameter")


def bind(sql: str, params: Sequence[Any]) -> str:
    """``sql`` with each ``?`` replaced, in order, by its parameter as a literal.

    >>> bind("SELECT ? AS a, ? AS b", ["it's", 3])
    "SELECT 'it''s' AS a, 3 AS b"
    """
    if not params:
        return sql
    marks = [t for t in _DUCKDB.tokenize(sql) if t.token_type == TokenType.PLACEHOLDER]
    if len(marks) != len(params):
        raise ValueError(f"the statement has {len(marks)} parameter(s), {len(params)} given")
    pieces, last = [], 0
    for mark, value in zip(marks, params, strict=True):
        pieces += [sql[last : mark.start], _literal(value)]
        last = mark.end + 1
    return "".join([*pieces, sql[last:]])


def _name(node: exp.Expr) -> str:
    table = node.this if isinstance(node, exp.Schema) else node
    return str(table.name).lower()


class SparkEngine(Engine):
    """Spark engine over a lake folder of Parquet parts; see the module docstring."""

    name = "spark"

    def __init__(self, root: Path, session: SparkSession) -> None:
        super().__init__()
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] | None = self._acquire()
        # A session of its own: temporary views are per session, so two engines
        # on one Spark context (tests, a service) never see each other's tables.
        self.spark = session.newSession()
        self._scratch = self.root / "_temp" / uuid.uuid4().hex[:12]
        self._reader: DuckDBEngine | None = None  # parses partner files
        self._temps: dict[str, _Table] = {}
        self._views: set[str] = set()
        self._tables = self._read_manifest()
        self._pending: dict[str, _Table] | None = None
        self._written: list[str] = []
        self._collect_garbage()
        for table in self._tables:
            self._register(table)

    # -- lake state -------------------------------------------------------------

    def _acquire(self) -> IO[str]:
        handle = (self.root / "_lock").open("a", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise ConfigurationError(
                f"the Spark lake {self.root} is already open (another process or engine); "
                "one writer at a time"
            ) from None
        return handle

    def _read_manifest(self) -> dict[str, _Table]:
        path = self.root / _MANIFEST
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        return {name: _Table.from_json(table) for name, table in data["tables"].items()}

    def _write_manifest(self, tables: dict[str, _Table]) -> None:
        path = self.root / _MANIFEST
        fresh = path.with_name(path.name + ".new")
        payload = {"format": 1, "tables": {n: t.as_json() for n, t in sorted(tables.items())}}
        with fresh.open("w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        fresh.replace(path)
        folder = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a power loss
        finally:
            os.close(folder)

    def _collect_garbage(self) -> None:
        """Delete parts no manifest names: left by a crash, a rollback or a rewrite."""
        shutil.rmtree(self.root / "_temp", ignore_errors=True)
        live = {part for table in self._tables.values() for part in table.parts}
        tables = self.root / "tables"
        for folder in tables.glob("*/*") if tables.exists() else ():
            if str(folder.relative_to(self.root)) not in live:
                shutil.rmtree(folder, ignore_errors=True)

    @property
    def _lake(self) -> dict[str, _Table]:
        return self._tables if self._pending is None else self._pending

    def _lookup(self, name: str) -> _Table | None:
        return self._temps.get(name) or self._lake.get(name)

    def _register(self, name: str) -> None:
        """(Re)bind the temporary view ``name`` to the table's current parts."""
        table = self._lookup(name)
        if table is None:
            self.spark.catalog.dropTempView(name)
            return
        if table.parts:
            paths = [str(self.root / part) for part in table.parts]
            frame = self.spark.read.schema(table.schema).parquet(*paths)
        else:
            frame = self.spark.createDataFrame([], table.schema)
        frame.createOrReplaceTempView(name)

    def _new_part(self, name: str, frame: DataFrame, *, temporary: bool) -> str:
        folder = self._scratch / name if temporary else self.root / "tables" / name
        target = folder / uuid.uuid4().hex[:16]
        frame.write.parquet(str(target))
        part = str(target.relative_to(self.root))
        if not temporary:
            self._written.append(part)
        return part

    def _store(self, name: str, table: _Table, *, temporary: bool) -> None:
        if temporary:
            old = self._temps.get(name)
            self._temps[name] = table
            self._register(name)
            for part in set(old.parts if old else ()) - set(table.parts):
                shutil.rmtree(self.root / part, ignore_errors=True)
        else:
            with self._autocommit():
                self._lake[name] = table
                self._register(name)

    @contextmanager
    def _autocommit(self) -> Iterator[None]:
        if self._pending is not None:
            yield
        else:
            with self.transaction():
                yield

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Lake tables change together on commit, or not at all (module docstring)."""
        if self._pending is not None:
            raise EngineError("transaction", "BEGIN", RuntimeError("a transaction is open"))
        self._pending, self._written = dict(self._tables), []
        try:
            yield
        except BaseException:
            touched = set(self._pending) | set(self._tables)
            self._pending = None
            for part in self._written:
                shutil.rmtree(self.root / part, ignore_errors=True)
            for name in touched:
                if name not in self._temps:
                    self._register(name)
            raise
        committed, self._pending = self._pending, None
        if committed != self._tables:
            self._write_manifest(committed)
        dropped = {p for t in self._tables.values() for p in t.parts} - {
            p for t in committed.values() for p in t.parts
        }
        self._tables = committed
        for part in dropped:
            shutil.rmtree(self.root / part, ignore_errors=True)

    # -- statements ---------------------------------------------------------------

    def _spark_sql(self, node: exp.Expr) -> str:
        return node.sql(dialect="spark")

    def _frame(self, node: exp.Expr) -> DataFrame:
        return self.spark.sql(self._spark_sql(node))

    def execute(self, step: str, sql: str, params: Sequence[Any] = ()) -> None:
        self._notify(step, sql)
        try:
            tree = sqlglot.parse_one(bind(sql, params), read="duckdb")
            if isinstance(tree, exp.Create):
                self._create(tree)
            elif isinstance(tree, exp.Insert):
                self._insert(tree)
            elif isinstance(tree, exp.Delete):
                self._delete(tree)
            elif isinstance(tree, exp.Drop):
                self._drop(tree)
            elif isinstance(tree, exp.Query):
                self._frame(tree).collect()
            else:
                raise NotImplementedError(f"the Spark engine does not run {tree.key.upper()}")
        except (PySparkException, SqlglotError, ValueError, NotImplementedError) as exc:
            raise EngineError(step, sql, exc) from exc

    def _create(self, tree: exp.Create) -> None:
        name = _name(tree.this)
        kind = str(tree.args.get("kind", "")).upper()
        props = tree.args.get("properties")
        temporary = bool(props and props.find(exp.TemporaryProperty))
        if kind == "VIEW":
            self.spark.sql(
                f"CREATE OR REPLACE TEMP VIEW {name} AS {self._spark_sql(tree.expression)}"
            )
            self._views.add(name)
            return
        if self._lookup(name) is not None:
            if tree.args.get("exists"):
                return
            if not tree.args.get("replace"):
                raise ValueError(f"table {name} already exists")
        if isinstance(tree.expression, exp.Query):
            frame = self._frame(tree.expression)
            table = _Table(_nullable(frame.schema))
            table = replace(table, parts=(self._new_part(name, frame, temporary=temporary),))
        else:
            columns = [
                f"`{c.name}` {c.args['kind'].sql(dialect='spark')}"
                for c in tree.this.find_all(exp.ColumnDef)
            ]
            table = _Table(self.spark.createDataFrame([], ", ".join(columns)).schema)
        self._store(name, table, temporary=temporary)

    def _insert(self, tree: exp.Insert) -> None:
        target = tree.this
        name = _name(target)
        table = self._lookup(name)
        if table is None:
            raise ValueError(f"table {name} does not exist")
        source = self._frame(tree.expression)
        source = source.toDF(*(f"_c{i}" for i in range(len(source.columns))))
        listed = (
            [str(c.name).lower() for c in target.expressions]
            if isinstance(target, exp.Schema)
            else [f.name.lower() for f in table.schema.fields]
        )
        if len(listed) != len(source.columns):
            raise ValueError(
                f"INSERT into {name} gives {len(source.columns)} value(s) for "
                f"{len(listed)} column(s)"
            )
        position = {column: i for i, column in enumerate(listed)}
        aligned = source.select(
            *(
                (
                    sf.col(f"_c{position[f.name.lower()]}")
                    if f.name.lower() in position
                    else sf.lit(None)
                )
                .cast(f.dataType)
                .alias(f.name)
                for f in table.schema.fields
            )
        )
        temporary = name in self._temps
        part = self._new_part(name, aligned, temporary=temporary)
        self._store(name, replace(table, parts=(*table.parts, part)), temporary=temporary)

    def _delete(self, tree: exp.Delete) -> None:
        """Rewrite the table without the matching rows (Parquet parts never change)."""
        name = _name(tree.this)
        table = self._lookup(name)
        if table is None:
            raise ValueError(f"table {name} does not exist")
        where = tree.args.get("where")
        keep = (
            exp.false()
            if where is None
            else exp.not_(exp.func("coalesce", where.this, exp.false()))
        )
        alias = tree.this.alias
        select = exp.select("*").from_(exp.to_table(name).as_(alias) if alias else name).where(keep)
        temporary = name in self._temps
        part = self._new_part(name, self._frame(select), temporary=temporary)
        self._store(name, replace(table, parts=(part,)), temporary=temporary)

    def _drop(self, tree: exp.Drop) -> None:
        is_view = str(tree.args.get("kind", "")).upper() == "VIEW"
        for node in tree.args.get("tables") or [tree.this]:
            name = _name(node)
            if is_view:
                self._views.discard(name)
                self.spark.catalog.dropTempView(name)
            elif name in self._temps:
                old = self._temps.pop(name)
                self.spark.catalog.dropTempView(name)
                for part in old.parts:
                    shutil.rmtree(self.root / part, ignore_errors=True)
            elif name in self._lake:
                with self._autocommit():
                    del self._lake[name]
                    self.spark.catalog.dropTempView(name)
            elif not tree.args.get("exists"):
                raise ValueError(f"table {name} does not exist")

    # -- queries and files -----------------------------------------------------------

    def query(self, step: str, sql: str, params: Sequence[Any] = ()) -> pa.Table:
        self._notify(step, sql)
        try:
            return _to_arrow(self._frame(sqlglot.parse_one(bind(sql, params), read="duckdb")))
        except (PySparkException, SqlglotError, ValueError) as exc:
            raise EngineError(step, sql, exc) from exc

    def create_table_from_arrow(self, table: str, data: pa.Table, *, temporary: bool) -> None:
        name = table.lower()
        folder = (self._scratch / name if temporary else self.root / "tables" / name) / (
            uuid.uuid4().hex[:16]
        )
        folder.mkdir(parents=True)
        # Written by Arrow directly: no rows travel through the JVM gateway.
        pq.write_table(data, folder / "part-0.parquet", coerce_timestamps="us")
        part = str(folder.relative_to(self.root))
        if not temporary:
            self._written.append(part)
        self._store(name, _Table(_spark_schema(data.schema), (part,)), temporary=temporary)

    def has_table(self, table: str) -> bool:
        name = table.lower()
        return name in self._views or self._lookup(name) is not None

    def load_file(self, path: Path, fmt: FileFormat, table: str) -> LoadedFile:
        """Parse with the embedded DuckDB (same rejections as the default engine),
        then hand the parsed rows to Spark as one Parquet file with their positions."""
        if self._reader is None:
            self._reader = DuckDBEngine(":memory:")
        loaded = self._reader.load_file(path, fmt, table)
        target = self._scratch / table / uuid.uuid4().hex[:16] / "part-0.parquet"
        target.parent.mkdir(parents=True)
        columns = ", ".join('"' + c.replace('"', '""') + '"' for c in loaded.columns)
        self._reader.execute(
            "read",
            f"COPY (SELECT {columns}, {loaded.order_expr} AS {_ROW} FROM {table}) "
            f"TO '{str(target).replace(chr(39), chr(39) * 2)}' (FORMAT parquet)",
        )
        self._reader.release_file(loaded)
        schema = _spark_schema(pq.read_schema(target))
        part = str(target.parent.relative_to(self.root))
        self._store(table.lower(), _Table(schema, (part,)), temporary=True)
        return replace(loaded, order_expr=_ROW)

    def release_file(self, loaded: LoadedFile) -> None:
        self.execute("release", f"DROP TABLE IF EXISTS {loaded.table}")

    def compact(self) -> None:
        """Nothing to do: a DELETE writes a new version and removes the old parts."""

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        for name in [*self._temps, *self._views, *self._tables]:
            with suppress(PySparkException):
                self.spark.catalog.dropTempView(name)
        shutil.rmtree(self._scratch, ignore_errors=True)
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None


# Type maps between Arrow and Spark for the types the lake holds. PySpark's own
# (pyspark.sql.pandas.types) import distutils, which Python 3.12 no longer has.
_SPARK_OF_ARROW: dict[pa.DataType, DataType] = {
    pa.string(): StringType(),
    pa.large_string(): StringType(),
    pa.bool_(): BooleanType(),
    pa.int8(): ByteType(),
    pa.int16(): ShortType(),
    pa.int32(): IntegerType(),
    pa.int64(): LongType(),
    pa.uint8(): ShortType(),
    pa.uint16(): IntegerType(),
    pa.uint32(): LongType(),
    pa.uint64(): DecimalType(20, 0),
    pa.float32(): FloatType(),
    pa.float64(): DoubleType(),
    pa.date32(): DateType(),
    pa.binary(): BinaryType(),
    pa.null(): StringType(),
}
_ARROW_OF_SPARK: dict[type[DataType], pa.DataType] = {
    StringType: pa.string(),
    BooleanType: pa.bool_(),
    ByteType: pa.int8(),
    ShortType: pa.int16(),
    IntegerType: pa.int32(),
    LongType: pa.int64(),
    FloatType: pa.float32(),
    DoubleType: pa.float64(),
    DateType: pa.date32(),
    TimestampType: pa.timestamp("us"),
    TimestampNTZType: pa.timestamp("us"),
    BinaryType: pa.binary(),
}


def _spark_type(kind: pa.DataType) -> DataType:
    if pa.types.is_timestamp(kind):
        return TimestampType()
    if pa.types.is_decimal(kind):
        return DecimalType(kind.precision, kind.scale)
    if kind in _SPARK_OF_ARROW:
        return _SPARK_OF_ARROW[kind]
    raise ValueError(f"the Spark engine cannot store Arrow type {kind}")


def _arrow_type(kind: DataType) -> pa.DataType:
    if isinstance(kind, DecimalType):
        return pa.decimal128(kind.precision, kind.scale)
    if type(kind) in _ARROW_OF_SPARK:
        return _ARROW_OF_SPARK[type(kind)]
    raise ValueError(f"the Spark engine cannot return Spark type {kind.simpleString()}")


def _spark_schema(schema: pa.Schema) -> StructType:
    """The Spark schema of Parquet written with ``schema`` (read without a Spark job)."""
    return StructType([StructField(f.name, _spark_type(f.type), True) for f in schema])


def _to_arrow(frame: DataFrame) -> pa.Table:
    """Collect a result as Arrow; timestamps come back naive (UTC), as DuckDB gives them."""
    with warnings.catch_warnings():
        # PySpark 3.5 leaves the result socket for the garbage collector to close.
        warnings.simplefilter("ignore", ResourceWarning)
        batches = frame._collect_as_arrow()  # toArrow() from Spark 4 on
        gc.collect(0)
    if batches:
        table = pa.Table.from_batches(batches)
    else:
        table = pa.schema(
            [pa.field(f.name, _arrow_type(f.dataType)) for f in frame.schema.fields]
        ).empty_table()
    for i, field in enumerate(table.schema):
        if pa.types.is_timestamp(field.type) and field.type.tz is not None:
            naive = table.column(i).cast(pa.timestamp(field.type.unit, tz="UTC"))
            table = table.set_column(i, field.name, naive.cast(pa.timestamp(field.type.unit)))
    return table
