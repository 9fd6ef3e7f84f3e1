"""A person erased from the lake leaves the guarantee graph without a trace: the
guarantors their guarantees reached are noted for the next run, and their key
leaves what others' guarantees hold.
"""

from __future__ import annotations

import uuid

from socialcredit.engines import Engine
from socialcredit.features.dimensions.guarantees import CATEGORY, GRAPH_TABLE
from socialcredit.graph.kernel import DEPTH
from socialcredit.graph.step import COLUMNS, EDGES_TABLE, NODES_TABLE
from socialcredit.records import CATEGORIES

__all__ = ["forget", "reached_sql"]


def reached_sql(subject_key: str) -> str:
    """A query of the guarantors whom a change to the guarantees ``subject_key`` signed
    can reach: up the chain of guarantees on file within the depth, and the members
    of the circle the last run found them in. Erasing a person notes them as changed
    (the person's own guarantees leave the graph; their key does not stay noted)."""
    key = "'" + subject_key.replace("'", "''") + "'"
    table = CATEGORIES[CATEGORY].table
    level, levels = f"SELECT {key} AS subject_key", []
    for _ in range(DEPTH):
        level = f"SELECT DISTINCT g.subject_key FROM {table} g WHERE g.principal_key IN ({level})"
        levels.append(level)
    circle = (
        f"SELECT m.subject_key FROM {GRAPH_TABLE} m WHERE m.circle_key IN "
        f"(SELECT s.circle_key FROM {GRAPH_TABLE} s WHERE s.subject_key = {key})"
    )
    linked = " UNION ".join([*levels, circle])
    return f"SELECT subject_key FROM ({linked}) r WHERE subject_key <> {key}"


def forget(engine: Engine, subject_key: str) -> int:
    """Take an erased person's key out of what others' guarantees hold: as the principal
    of a guarantee someone signed (the guarantee stays, it is the guarantor's
    obligation) and as the name of a circle, it is replaced by a new key of no one.
    Returns the rows rewritten."""
    from socialcredit.lake.schema import record_columns

    category = CATEGORIES[CATEGORY]
    places = [
        (category.table, [n for n, _ in record_columns(category)], f.column)
        for f in category.fields
        if f.type == "party_id"
    ]
    places.append((GRAPH_TABLE, COLUMNS, "circle_key"))
    # The edges of the last run that name them go, and their node number with them:
    # the guarantors who signed for them are noted as changed, and an incremental run
    # rebuilds their edges from records (the stand-in key gets a number of its own).
    node = f"SELECT node FROM {NODES_TABLE} WHERE key = ?"
    naming = f"guarantor IN ({node}) OR principal IN ({node})"
    rewritten = int(
        engine.scalar(
            "forget", f"SELECT count(*) FROM {EDGES_TABLE} WHERE {naming}", [subject_key] * 2
        )
    )
    engine.execute("forget", f"DELETE FROM {EDGES_TABLE} WHERE {naming}", [subject_key] * 2)
    engine.execute("forget", f"DELETE FROM {NODES_TABLE} WHERE key = ?", [subject_key])
    for table, columns, column in places:
        count = int(
            engine.scalar(
                "forget", f"SELECT count(*) FROM {table} WHERE {column} = ?", [subject_key]
            )
        )
        if not count:
            continue
        stand_in = uuid.uuid4().hex
        kept = ", ".join(f"'{stand_in}' AS {c}" if c == column else c for c in columns)
        engine.execute(
            "forget",
            f"CREATE OR REPLACE TEMP TABLE _forgotten AS SELECT {kept} FROM {table} "
            f"WHERE {column} = ?",
            [subject_key],
        )
        engine.execute("forget", f"DELETE FROM {table} WHERE {column} = ?", [subject_key])
        engine.execute("forget", f"INSERT INTO {table} SELECT * FROM _forgotten")
        engine.execute("clean up", "DROP TABLE IF EXISTS _forgotten")
        rewritten += count
    return rewritten
