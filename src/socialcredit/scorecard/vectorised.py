"""Score many rows of plain arrays at once with NumPy: the scikit-learn path.

Same bins, same integer arithmetic as :mod:`.evaluate` (one person) and
:mod:`.compile` (the engine); tests hold the three together.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from socialcredit.errors import InputError
from socialcredit.scorecard.spec import FeatureSpec, ScorecardSpec

__all__ = ["feature_points_array", "score_columns"]


def feature_points_array(feature: FeatureSpec, values: np.ndarray) -> np.ndarray:
    """Points of every value of one column."""
    if feature.kind == "numeric":
        x = np.asarray(values, dtype=float)
        table = np.asarray(feature.points, dtype=np.int64)
        points = table[np.searchsorted(np.asarray(feature.edges), x, side="right")]
        return np.where(np.isnan(x), feature.missing_points, points)
    lookup = {v: g.points for g in feature.groups for v in g.values}
    out = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        missing = value is None or (isinstance(value, float) and value != value)
        out[i] = feature.missing_points if missing else lookup.get(str(value), feature.other_points)
    return out


def score_columns(spec: ScorecardSpec, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Clipped integer scores of rows given as ``column -> values``."""
    missing = [f.column for f in spec.features if f.column not in columns]
    if missing:
        raise InputError(
            f"the data lacks column(s) {', '.join(missing)} that scorecard {spec.version} reads"
        )
    rows = len(next(iter(columns.values()))) if columns else 0
    total = np.full(rows, spec.base_points, dtype=np.int64)
    for feature in spec.features:
        total += feature_points_array(feature, columns[feature.column])
    return np.clip(total, spec.scaling.min_score, spec.scaling.max_score)
