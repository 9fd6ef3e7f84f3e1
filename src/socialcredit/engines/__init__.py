"""Engines: one URL picks the engine; the pipeline above never asks which one it got.

>>> connect("duckdb://:memory:").name
'duckdb'
"""

from __future__ import annotations

from pathlib import Path

from socialcredit.engines.base import Engine, FileFormat, LoadedFile, ParseReject
from socialcredit.errors import ConfigurationError

__all__ = ["Engine", "FileFormat", "LoadedFile", "ParseReject", "connect"]


def connect(
    url: str,
    *,
    default_path: Path | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Engine:
    """Open the engine an URL names.

    ``duckdb://`` is the DuckDB file ``default_path``; ``duckdb:///abs/file.duckdb``
    and ``duckdb://rel/file.duckdb`` name another file; ``duckdb://:memory:`` keeps
    everything in memory.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigurationError(f"engine URL {url!r} has no scheme; expected e.g. 'duckdb://'")
    if scheme == "duckdb":
        from socialcredit.engines.duckdb import DuckDBEngine

        if rest == "":
            if default_path is None:
                raise ConfigurationError(
                    "engine URL 'duckdb://' needs a workspace to hold the file"
                )
            target: str | Path = default_path
        else:
            target = rest
        temp = Path(target).parent / "tmp" if target != ":memory:" else None
        if temp is not None:
            temp.mkdir(parents=True, exist_ok=True)
        return DuckDBEngine(target, threads=threads, memory_limit=memory_limit, temp_directory=temp)
    raise ConfigurationError(
        f"engine {scheme!r} is not available in this version; supported engines: duckdb"
    )
