"""Realistic mistakes in partner files: about 1% of rows get one bad value each,
and a few CSV lines get a stray extra field, so ingestion has something to reject.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from socialcredit.records import Category

__all__ = ["broken_lines", "corrupt"]

Mangle = Callable[[np.ndarray], np.ndarray]


def _bad_month(values: np.ndarray) -> np.ndarray:
    return np.asarray([f"{v[:4]}-13-{v[8:10]}" if len(v) >= 10 else "2025-13-01" for v in values])


def _day_first(values: np.ndarray) -> np.ndarray:
    return np.asarray(
        [f"{v[8:10]}/{v[5:7]}/{v[:4]}" if len(v) >= 10 else "31/12/2025" for v in values]
    )


def _flip_check(values: np.ndarray) -> np.ndarray:
    return np.asarray([v[:-1] + ("1" if v[-1:] == "0" else "0") for v in values])


def _mangles(category: Category) -> list[tuple[str, Mangle]]:
    mangles: list[tuple[str, Mangle]] = [
        ("observed_date", _bad_month),
        ("resident_id", _flip_check),
        ("record_id", lambda v: np.full(len(v), "")),
    ]
    for field in category.fields:
        if field.type == "choice" and field.required:
            mangles.append((field.name, lambda v: np.full(len(v), "unknown")))
        elif field.type == "amount" and field.required and field.signed:
            mangles.append((field.name, lambda v: np.char.add(v.astype(str), " yuan")))
        elif field.type in ("amount", "count") and field.required:
            mangles.append((field.name, lambda v: np.char.add("-", v.astype(str))))
        elif field.type == "date" and field.required:
            mangles.append((field.name, _day_first))
    return mangles


def corrupt(
    rng: np.random.Generator, table: pa.Table, category: Category, rate: float
) -> tuple[pa.Table, int]:
    """Give about ``rate`` of the rows one bad value; only text columns are touched."""
    mangles = [
        (name, fn)
        for name, fn in _mangles(category)
        if pa.types.is_string(table.schema.field(name).type)
    ]
    if not mangles or table.num_rows == 0:
        return table, 0
    count = int(rng.binomial(table.num_rows, rate))
    rows = rng.choice(table.num_rows, count, replace=False)
    which = rng.integers(0, len(mangles), count)
    for index, (name, mangle) in enumerate(mangles):
        picked = np.sort(rows[which == index])
        if len(picked) == 0:
            continue
        column = table.column(name).combine_chunks()
        values = np.asarray(column.take(pa.array(picked)).fill_null("").to_pylist(), dtype=object)
        mask = np.zeros(table.num_rows, dtype=bool)
        mask[picked] = True
        replaced = pc.replace_with_mask(
            column, pa.array(mask), pa.array(mangle(values.astype(str)), pa.string())
        )
        table = table.set_column(table.schema.get_field_index(name), name, replaced)
    return table, count


def broken_lines(rng: np.random.Generator, table: pa.Table, rate: float) -> list[str]:
    """CSV lines with one field too many, built from real rows of ``table``."""
    count = int(rng.binomial(table.num_rows, rate))
    if count == 0:
        return []
    picked = table.take(pa.array(rng.choice(table.num_rows, count, replace=False)))
    rows = zip(*(c.fill_null("").to_pylist() for c in picked.columns), strict=True)
    return [",".join(str(value) for value in row) + ",unexpected" for row in rows]
