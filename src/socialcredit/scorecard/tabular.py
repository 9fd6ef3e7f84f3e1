"""Tabular training data: any CSV or Parquet file, a pandas DataFrame, an Arrow
table or a dict of columns, as numeric (float, NaN = missing) or categorical
(str, None = missing) columns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa

from socialcredit.errors import InputError, UnreadableFileError

__all__ = [
    "Column",
    "column_from_arrow",
    "column_from_values",
    "read_table",
    "reader_sql",
    "split_target",
    "target_values",
    "to_columns",
]

Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    values: np.ndarray  # float64 (NaN = missing) or object (str | None)

    def __len__(self) -> int:
        return len(self.values)

    def take(self, rows: np.ndarray) -> Column:
        return Column(self.name, self.kind, self.values[rows])


def column_from_arrow(name: str, array: pa.ChunkedArray | pa.Array) -> Column:
    kind = array.type
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        values = np.asarray(array.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
        return Column(name, "numeric", values)
    if pa.types.is_null(kind):
        return Column(name, "numeric", np.full(len(array), np.nan))
    texts = array.cast(pa.string()).to_pylist()
    return Column(name, "categorical", np.asarray(texts, dtype=object))


def column_from_values(name: str, values: Any) -> Column:
    array = np.asarray(values)
    if array.dtype.kind in "iuf":
        return Column(name, "numeric", array.astype(float))
    if array.dtype.kind == "b":
        return Column(name, "categorical", np.asarray([str(v).lower() for v in array], object))
    cleaned = []
    for value in array.tolist():
        missing = value is None or (isinstance(value, float) and np.isnan(value))
        cleaned.append(None if missing else str(value))
    return Column(name, "categorical", np.asarray(cleaned, dtype=object))


def to_columns(data: Any) -> dict[str, Column]:
    """Columns of a DataFrame, Arrow table, or mapping of name -> values."""
    if isinstance(data, pa.Table):
        return {name: column_from_arrow(name, data.column(name)) for name in data.column_names}
    if hasattr(data, "columns") and hasattr(data, "__getitem__"):  # pandas-like
        columns: dict[str, Column] = {}
        for name in data.columns:
            series = data[name]
            numeric = getattr(series.dtype, "kind", "O") in "iuf"
            columns[str(name)] = (
                Column(str(name), "numeric", np.asarray(series, dtype=float))
                if numeric
                else column_from_values(str(name), series.to_numpy(dtype=object))
            )
        return columns
    if isinstance(data, Mapping):
        return {str(name): column_from_values(str(name), values) for name, values in data.items()}
    raise InputError(
        f"cannot read training data of type {type(data).__name__}; pass a pandas DataFrame, "
        "a pyarrow Table or a dict of columns"
    )


def reader_sql(path: Path) -> str:
    """The engine table function reading a data file, the same for training and scoring.

    CSV columns are read as numbers (BIGINT, DOUBLE) or text only: a sniffer that
    turned "yes"/"no" into booleans or strings into dates would make a column mean
    one thing when a scorecard is trained and another when it scores.
    """
    source = str(path).replace("'", "''")
    if path.suffix.lower() in (".parquet", ".pq"):
        return f"read_parquet('{source}')"
    return (
        f"read_csv('{source}', header = true, "
        "auto_type_candidates = ['BIGINT', 'DOUBLE', 'VARCHAR'])"
    )


def read_table(path: Path) -> dict[str, Column]:
    """Read a CSV (with header) or Parquet file; numbers become numeric columns."""
    import duckdb

    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file")
    if path.suffix.lower() not in (".csv", ".txt", ".parquet", ".pq"):
        raise UnreadableFileError(f"{path}: expected a .csv or .parquet file")
    try:
        with duckdb.connect() as connection:
            table = connection.sql(f"SELECT * FROM {reader_sql(path)}").to_arrow_table()
    except duckdb.Error as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc})") from exc
    if table.num_rows == 0:
        raise UnreadableFileError(f"{path}: holds no rows")
    return to_columns(table)


def split_target(columns: dict[str, Column], target: str) -> tuple[dict[str, Column], np.ndarray]:
    """Features and the 0/1 target (1 = bad outcome)."""
    if target not in columns:
        raise InputError(
            f"target column {target!r} is not in the data; columns: {', '.join(columns)}"
        )
    y = target_values(columns[target])
    return {k: v for k, v in columns.items() if k != target}, y


def target_values(column: Column) -> np.ndarray:
    """The target as 0/1; refuses anything that is not two classes without gaps."""
    values = column.values
    if column.kind == "numeric":
        if np.isnan(values).any():
            raise InputError(f"target {column.name!r} has missing values")
        found = set(np.unique(values).tolist())
        if not found <= {0.0, 1.0}:
            raise InputError(
                f"target {column.name!r} must be 0/1 (1 = bad outcome); found {sorted(found)[:5]}"
            )
        y = values.astype(int)
    else:
        labels = {str(v).strip().lower() for v in values}
        mapping = {"1": 1, "0": 0, "true": 1, "false": 0, "bad": 1, "good": 0, "yes": 1, "no": 0}
        if not labels <= set(mapping):
            raise InputError(
                f"target {column.name!r} must be 0/1, true/false or bad/good; found "
                f"{sorted(labels)[:5]}"
            )
        y = np.asarray([mapping[str(v).strip().lower()] for v in values], dtype=int)
    if len(set(y.tolist())) < 2:
        raise InputError(f"target {column.name!r} has a single class; nothing to learn")
    return y
