"""The scorecard as the console shows it: feature, bins and points, and the
champion/challenger comparison of the latest runs of two versions."""

from __future__ import annotations

from typing import Any

import numpy as np

from socialcredit.console.population import query_rows
from socialcredit.console.runcache import RunCache
from socialcredit.engines import Engine
from socialcredit.features import FEATURES
from socialcredit.scorecard import ScorecardSpec
from socialcredit.scorecard.compare import compare_scores

__all__ = ["comparison", "feature_rows", "latest_run_of"]


def feature_rows(spec: ScorecardSpec) -> list[dict[str, Any]]:
    rows = []
    for f in spec.features:
        known = FEATURES.get(f.column)
        bins: list[dict[str, Any]] = []
        if f.kind == "numeric":
            bounds: list[float | None] = [None, *f.edges, None]
            for low, high, points in zip(bounds, bounds[1:], f.points, strict=False):
                bins.append({"kind": "range", "low": low, "high": high, "points": points})
        else:
            bins += [
                {"kind": "values", "values": list(g.values), "points": g.points} for g in f.groups
            ]
            bins.append({"kind": "other", "points": f.other_points})
        bins.append({"kind": "missing", "points": f.missing_points})
        rows.append(
            {
                "feature": f.name,
                "en": known.label if known else (f.label or f.name),
                "zh": known.label_zh if known else (f.label or f.name),
                "dimension": f.dimension,
                "kind": f.kind,
                "actionable": f.actionable,
                "bins": bins,
            }
        )
    return rows


_comparisons = RunCache()


def comparison(
    lake: Engine, champion: tuple[ScorecardSpec, str], challenger: tuple[ScorecardSpec, str]
) -> dict[str, Any]:
    """:func:`compare_scores` over the people in both runs (kept per pair of runs)."""
    return _comparisons.get(
        lake, ("compare", champion[1], challenger[1]), lambda: _compare(lake, champion, challenger)
    )


def _compare(
    lake: Engine, champion: tuple[ScorecardSpec, str], challenger: tuple[ScorecardSpec, str]
) -> dict[str, Any]:
    scores = lake.query(
        "champion and challenger",
        "SELECT a.score AS a, b.score AS b FROM score_history a "
        "JOIN score_history b ON b.subject_key = a.subject_key "
        "WHERE a.run_id = ? AND b.run_id = ?",
        [champion[1], challenger[1]],
    )
    result = compare_scores(
        champion[0],
        challenger[0],
        np.asarray(scores.column("a").to_numpy(zero_copy_only=False)),
        np.asarray(scores.column("b").to_numpy(zero_copy_only=False)),
    )
    result |= {"champion_run": champion[1], "challenger_run": challenger[1]}
    return result


def latest_run_of(lake: Engine, version: str, *, other: bool = False) -> dict[str, Any] | None:
    rows = query_rows(
        lake,
        "run of version",
        "SELECT run_id, as_of, scorecard_version FROM score_runs "
        f"WHERE scorecard_version {'<>' if other else '='} ? "
        "ORDER BY as_of DESC, created_at DESC LIMIT 1",
        [version],
    )
    return rows[0] if rows else None
