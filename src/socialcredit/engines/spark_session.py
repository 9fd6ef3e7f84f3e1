"""Starting Spark for the Spark engine (:mod:`socialcredit.engines.spark`): the
session, configured to behave like the embedded engine, and the Java check that
names the fix when no runtime is found."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from pyspark.errors import PySparkException
from pyspark.sql import SparkSession

from socialcredit.errors import ConfigurationError

__all__ = ["spark_session"]


def spark_session(
    master: str,
    *,
    warehouse: Path,
    shuffle_partitions: int | None = None,
    driver_memory: str | None = None,
    config: Mapping[str, str] | None = None,
) -> SparkSession:
    """The process's Spark session (started on ``master`` if none runs yet).

    ``warehouse`` is where Spark may create its (unused) catalog folder, instead
    of the current directory; ``config`` adds Spark settings.

    Local mode binds to the loopback interface and runs without the web UI, so
    that nothing listens on or calls out to the network.
    """
    from pyspark import SparkContext

    if SparkContext._active_spark_context is None:  # no public way to ask
        _require_java()
    builder = (
        SparkSession.builder.master(master)
        .appName("socialcredit")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.warehouse.dir", str(warehouse))
        # Casts that fail give NULL, as DuckDB's TRY_CAST and Spark 3 do; Spark 4 defaults to ANSI.
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false")
    )
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = builder.config("spark.driver.host", "127.0.0.1").config(
            "spark.driver.bindAddress", "127.0.0.1"
        )
    if driver_memory:
        # "4GB" (the engine setting's spelling) -> "4g" (the JVM's); only a new JVM takes it
        builder = builder.config("spark.driver.memory", driver_memory.lower().rstrip("b"))
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    for key, value in (config or {}).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except (PySparkException, RuntimeError, OSError) as exc:
        raise ConfigurationError(
            f"Spark could not start on master {master!r}: {exc}. The Spark engine needs a "
            "Java 17 runtime (set JAVA_HOME) and, for a cluster, a reachable master."
        ) from exc
    session.sparkContext.setLogLevel("ERROR")
    return session


def _require_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return
    if shutil.which("java"):
        return
    raise ConfigurationError(
        "the Spark engine needs a Java runtime and none was found (no java on PATH, "
        "JAVA_HOME unset or wrong): install Java 17, e.g. 'apt-get install "
        "openjdk-17-jre-headless' or 'brew install openjdk@17', and set JAVA_HOME"
    )
