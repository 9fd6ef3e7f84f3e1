"""The scores digest: one value that two runs, or two engines, give for the same
scores and that changes when any person's score or tier does.

Each person's line ``subject_key,score,tier`` is hashed with MD5; the digest is
the sum of the first eight bytes of every line's hash and the sum of the last
eight (big-endian, each modulo 2**64), in hex. Because it is a sum, it does not
depend on the order of the rows, and it can be kept up to date from the changed
rows alone: an incremental run subtracts its people's old lines and adds their new
ones, and an erasure subtracts the erased person's line from every run. It detects
accidental differences (two different sets collide with probability about
2**-128); it is not a signature: the audit log's hash chain is what resists tampering.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Sums", "add", "digest", "line_sql", "parse", "subtract", "sums_of_line", "sums_of_rows"]

_MOD = 2**64

#: (sum of first halves, sum of second halves), each modulo 2**64
Sums = tuple[int, int]


def line_sql(alias: str = "") -> str:
    """The hashed line of a row with ``subject_key``, ``score`` and ``tier``."""
    a = f"{alias}." if alias else ""
    return f"{a}subject_key || ',' || CAST({a}score AS VARCHAR) || ',' || {a}tier"


def sums_of_rows(rows: pa.Table) -> Sums:
    """The sums over ``rows`` (columns ``subject_key``, ``score``, ``tier``), in Python."""
    lines = pc.binary_join_element_wise(
        rows.column("subject_key"),
        pc.cast(rows.column("score"), pa.string()),
        rows.column("tier"),
        ",",
    )
    return _sums(lines.to_pylist())


def sums_of_line(subject_key: str, score: int, tier: str) -> Sums:
    """The sums of one person's line."""
    return _sums([f"{subject_key},{score},{tier}"])


def _sums(lines: list[str]) -> Sums:
    high = low = 0
    for line in lines:
        h = hashlib.md5(line.encode(), usedforsecurity=False).digest()
        high += int.from_bytes(h[:8], "big")
        low += int.from_bytes(h[8:], "big")
    return high % _MOD, low % _MOD


def add(a: Sums, b: Sums) -> Sums:
    return (a[0] + b[0]) % _MOD, (a[1] + b[1]) % _MOD


def subtract(a: Sums, b: Sums) -> Sums:
    return (a[0] - b[0]) % _MOD, (a[1] - b[1]) % _MOD


def digest(sums: Sums) -> str:
    return f"{sums[0]:016x}{sums[1]:016x}"


def parse(value: str) -> Sums | None:
    """The sums of a digest written by :func:`digest` (None for another format)."""
    if len(value) != 32:
        return None
    return int(value[:16], 16), int(value[16:], 16)
