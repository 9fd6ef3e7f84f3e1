"""Engines: one URL picks the engine; the pipeline above never asks which one it got.

>>> connect("duckdb://:memory:").name
'duckdb'

``duckdb://...`` is the embedded default; ``spark://<master>`` runs the same
pipeline on Apache Spark (optional extra, see :mod:`socialcredit.engines.spark`).
The bare names ``duckdb`` and ``spark`` stand for ``duckdb://`` and ``spark://``.
"""

from __future__ import annotations

import os
from pathlib import Path

from socialcredit.engines.base import Engine, FileFormat, LoadedFile, ParseReject
from socialcredit.errors import ConfigurationError

__all__ = ["Engine", "FileFormat", "LoadedFile", "ParseReject", "connect"]

#: bare engine names accepted where a URL is expected (``--engine spark``)
_SHORT = {"duckdb": "duckdb://", "spark": "spark://"}


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

    ``spark://`` runs Spark in local mode on ``threads`` cores (default all);
    ``spark://local[2]`` names a local master; ``spark://spark://host:7077`` (or
    ``spark://yarn``) names a cluster master exactly as Spark spells it. The
    Spark lake is the folder ``lake-spark`` next to ``default_path``.
    """
    if url in _SHORT:
        url = _SHORT[url]
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise ConfigurationError(
            f"engine URL {url!r} has no scheme; expected e.g. 'duckdb://' or 'spark://local[*]'"
        )
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
        engine = DuckDBEngine(
            target, threads=threads, memory_limit=memory_limit, temp_directory=temp
        )
        if temp is not None:
            _sweep_spill(temp)
        return engine
    if scheme == "spark":
        return _spark(rest, default_path=default_path, threads=threads, memory_limit=memory_limit)
    raise ConfigurationError(
        f"engine {scheme!r} is not available in this version; supported engines: "
        "duckdb (duckdb://), spark (spark://local[*], spark://spark://host:7077)"
    )


def _sweep_spill(temp: Path) -> None:
    """Remove the spill files a killed DuckDB process left (``duckdb_temp_<pid>_...``:
    DuckDB removes its own only when it closes). They can hold anything the engine
    held, resident IDs of a batch being ingested among them. Only those of processes
    that no longer run: the lake file is ours now, but the folder may be shared."""
    for path in temp.glob("duckdb_temp_*"):
        pid = path.name.split("_")[2]
        if not path.is_file() or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            path.unlink(missing_ok=True)
        except PermissionError:  # another user's live process
            continue


def _spark(
    master: str, *, default_path: Path | None, threads: int | None, memory_limit: str | None
) -> Engine:
    try:
        from socialcredit.engines.spark import SparkEngine, spark_session
    except ModuleNotFoundError as exc:
        if not str(exc.name).startswith(("pyspark", "py4j")):
            raise
        raise ConfigurationError(
            f"the Spark engine needs PySpark, which is not installed ({exc}); install it "
            "with pip install 'socialcredit[spark]'"
        ) from None
    if default_path is None:
        raise ConfigurationError("engine URL 'spark://' needs a workspace to hold the lake")
    master = master or f"local[{threads or '*'}]"
    partitions: int | None = None
    if master.startswith("local"):
        cores = master.removeprefix("local").strip("[]")
        partitions = int(cores) if cores.isdigit() else os.cpu_count() or 2
    root = default_path.parent / "lake-spark"
    session = spark_session(
        master,
        warehouse=root / "_warehouse",
        shuffle_partitions=partitions,
        driver_memory=memory_limit,
    )
    return SparkEngine(root, session)
