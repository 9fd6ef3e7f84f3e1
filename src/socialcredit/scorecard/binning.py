"""Candidate bins for training, and the design matrix over them.

Numeric features get fine quantile bins (each holding at least ``min_share`` of
the rows) encoded as *thermometer* indicators (x >= edge), so that a ridge
penalty on their weights penalises jumps between adjacent bins (smoothness)
and sign bounds on them make the feature's effect monotone. Missing values get
their own indicator. Categorical features get one indicator per level seen in
at least ``min_share`` of the rows; rarer levels share an "other" indicator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import spearmanr

from socialcredit.scorecard.tabular import Column

__all__ = ["Binned", "Direction", "design", "fit_bins"]

#: +1: the bad rate rises with the value; -1: it falls; 0: no constraint
Direction = Literal[-1, 0, 1]
MISSING = "__missing__"
#: a trend must be this clear (Spearman p-value) before it is imposed
TREND_P_VALUE = 0.05


@dataclass(frozen=True)
class Binned:
    """How one feature is cut into bins."""

    name: str
    kind: Literal["numeric", "categorical"]
    edges: np.ndarray  # numeric: ascending
    levels: tuple[str, ...]  # categorical: levels with their own bin
    direction: Direction
    has_missing: bool

    @property
    def width(self) -> int:
        """Columns this feature takes in the design matrix."""
        if self.kind == "numeric":
            return len(self.edges) + 1  # thermometer + missing
        return len(self.levels) + 1  # levels + other


def _edges(x: np.ndarray, max_bins: int, min_share: float) -> np.ndarray:
    present = x[~np.isnan(x)]
    if len(present) == 0:
        return np.empty(0)
    quantiles = np.unique(np.quantile(present, np.linspace(0, 1, max_bins + 1)[1:-1]))
    edges: list[float] = []
    low = -np.inf
    minimum = min_share * len(present)
    for q in quantiles:
        if ((present >= low) & (present < q)).sum() >= minimum and (present >= q).sum() >= minimum:
            edges.append(float(q))
            low = q
    return np.asarray(edges, dtype=float)


def _trend(x: np.ndarray, y: np.ndarray) -> Direction:
    present = ~np.isnan(x)
    if present.sum() < 10 or len(np.unique(x[present])) < 2:
        return 0
    result = spearmanr(x[present], y[present])
    rho, p = float(result.statistic), float(result.pvalue)
    if np.isnan(rho) or p > TREND_P_VALUE:
        return 0
    return 1 if rho > 0 else -1


def fit_bins(
    column: Column,
    y: np.ndarray,
    *,
    max_bins: int,
    min_share: float,
    direction: Direction | None = None,
) -> Binned:
    """Bins of one feature on training rows; ``direction`` None means "from the data"."""
    if column.kind == "numeric":
        x = column.values
        edges = _edges(x, max_bins, min_share)
        trend = _trend(x, y) if direction is None else direction
        return Binned(column.name, "numeric", edges, (), trend, bool(np.isnan(x).any()))
    values = np.asarray([MISSING if v is None else v for v in column.values], dtype=object)
    levels, counts = np.unique(values.astype(str), return_counts=True)
    keep = tuple(
        str(level)
        for level, n in zip(levels, counts, strict=True)
        if n >= max(min_share * len(values), 5)
    )
    return Binned(column.name, "categorical", np.empty(0), keep, 0, MISSING in set(levels))


def design(binned: list[Binned], columns: dict[str, Column]) -> np.ndarray:
    """The 0/1 design matrix of ``columns`` under ``binned``."""
    rows = len(next(iter(columns.values())))
    parts: list[np.ndarray] = []
    for spec in binned:
        values = columns[spec.name].values
        block = np.zeros((rows, spec.width))
        if spec.kind == "numeric":
            x = np.asarray(values, dtype=float)
            present = ~np.isnan(x)
            for j, edge in enumerate(spec.edges):
                block[:, j] = present & (x >= edge)
            block[:, -1] = ~present
        else:
            text = np.asarray([MISSING if v is None else str(v) for v in values], dtype=object)
            known = np.zeros(rows, dtype=bool)
            for j, level in enumerate(spec.levels):
                hit = text == level
                block[:, j] = hit
                known |= hit
            block[:, -1] = ~known
        parts.append(block)
    return np.hstack(parts) if parts else np.zeros((rows, 0))
