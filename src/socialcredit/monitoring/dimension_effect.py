"""What one dimension does to the scores: everyone scored again by the same
scorecard without that dimension's features, from the same features.

Two uses: the demo checks that a dimension adds signal (the AUC against the
simulated truth with and without it) and that nobody is scored lower for having
no data in it (the largest score change among people with none must be 0); the
fairness report shows its effect by group. Nothing is written to the score
history: the scores live in a temporary table for the caller's questions.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.engines import Engine
from socialcredit.features import DIMENSIONS, features_sql, window_for
from socialcredit.graph.step import graph_tables
from socialcredit.scorecard import ScorecardSpec
from socialcredit.scorecard.compile import score_sql
from socialcredit.scoring.notice import DEFAULT_NOTICE_DAYS

__all__ = ["EFFECT_TABLE", "FEATURES_TABLE", "compare_without", "without_dimension"]

FEATURES_TABLE = "_effect_features"
EFFECT_TABLE = "_dimension_effect"


def without_dimension(spec: ScorecardSpec, dimension: str) -> ScorecardSpec:
    """``spec`` with ``dimension``'s features left out (a version of its own name)."""
    data = spec.model_dump(mode="json")
    data["version"] = f"{spec.version}-without-{dimension}"
    data["dimensions"] = [d for d in spec.dimensions if d != dimension]
    data["features"] = [f for f in data["features"] if f["dimension"] != dimension]
    return ScorecardSpec.model_validate(data)


def compare_without(
    engine: Engine,
    spec: ScorecardSpec,
    dimension: str,
    *,
    as_of: dt.date,
    notice_days: int = DEFAULT_NOTICE_DAYS,
    features_ready: bool = False,
) -> None:
    """Fill the temporary table ``_dimension_effect``: per subject, ``score`` (the
    scorecard as it is), ``score_without`` (without ``dimension``) and ``has_data``
    (any of the dimension's features has a value for the person), from the features
    as of ``as_of`` (kept in the temporary table ``_effect_features``; with
    ``features_ready``, the one an earlier call for the same date left).
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    if not features_ready:
        # the guarantee graph as of this date, computed now if the lake holds another
        graph = graph_tables(engine, window_for(as_of, notice_days))
        engine.execute(
            "effect features",
            f"CREATE OR REPLACE TEMP TABLE {FEATURES_TABLE} AS "
            f"{features_sql(as_of, notice_days=notice_days, tables=graph)}",
        )
    own = [f.name for f in DIMENSIONS[dimension].features]
    has_data = " OR ".join(f"f.{name} IS NOT NULL" for name in own) or "FALSE"
    engine.execute(
        "dimension effect",
        f"CREATE OR REPLACE TEMP TABLE {EFFECT_TABLE} AS "
        f"SELECT w.subject_key, w.score, o.score AS score_without, ({has_data}) AS has_data "
        f"FROM ({score_sql(spec, FEATURES_TABLE)}) w "
        f"JOIN ({score_sql(without_dimension(spec, dimension), FEATURES_TABLE)}) o "
        f"ON o.subject_key = w.subject_key JOIN {FEATURES_TABLE} f "
        "ON f.subject_key = w.subject_key",
    )
