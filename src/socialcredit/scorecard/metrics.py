"""How good a scorecard is on outcomes: AUC, KS, Gini, calibration by score
band, score distributions of goods and bads, and population stability (PSI).

Scores are "higher = lower risk"; outcomes are 1 = bad.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE, Scaling
from socialcredit.scorecard.spec import ScoreBand

__all__ = ["Evaluation", "evaluate_scores", "psi", "score_bands"]

BAND_WIDTH = 50


@dataclass(frozen=True)
class Evaluation:
    n: int
    bads: int
    auc: float
    gini: float
    ks: float
    ks_score: int
    calibration: list[dict[str, Any]]
    distribution: list[dict[str, Any]]
    psi: float | None
    roc: dict[str, list[float]]

    def as_json(self, *, with_curve: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not with_curve:
            data.pop("roc")
        return data


def _bands(width: int = BAND_WIDTH) -> list[tuple[int, int]]:
    return [
        (low, low + width - 1 if low + width < MAX_SCORE else MAX_SCORE)
        for low in range(MIN_SCORE, MAX_SCORE, width)
    ]


def score_bands(scores: np.ndarray, width: int = BAND_WIDTH) -> tuple[ScoreBand, ...]:
    """Share of ``scores`` in each band of ``width`` points from MIN_SCORE to MAX_SCORE."""
    scores = np.asarray(scores, dtype=float)
    return tuple(
        ScoreBand(
            low=low,
            high=high,
            share=round(float(np.mean((scores >= low) & (scores <= high))), 6)
            if len(scores)
            else 0.0,
        )
        for low, high in _bands(width)
    )


def psi(expected: tuple[ScoreBand, ...], scores: np.ndarray) -> float:
    """Population stability index of ``scores`` against a reference distribution.

    Empty bands count as a share of 0.0001 on either side, the usual convention.
    Below 0.1: stable; 0.1-0.25: some shift; above 0.25: a different population.
    """
    total = 0.0
    for band in expected:
        actual = float(np.mean((scores >= band.low) & (scores <= band.high))) if len(scores) else 0
        e, a = max(band.share, 1e-4), max(actual, 1e-4)
        total += (a - e) * np.log(a / e)
    return round(float(total), 6)


def evaluate_scores(
    scores: np.ndarray,
    bad: np.ndarray,
    scaling: Scaling,
    reference: tuple[ScoreBand, ...] | None = None,
) -> Evaluation:
    """Every figure of :class:`Evaluation` for scores against outcomes."""
    scores = np.asarray(scores, dtype=float)
    bad = np.asarray(bad, dtype=int)
    auc = float(roc_auc_score(bad, -scores))
    fpr, tpr, thresholds = roc_curve(bad, -scores)
    gap = tpr - fpr
    best = int(np.argmax(gap))
    calibration, distribution = [], []
    goods_total, bads_total = max(int((bad == 0).sum()), 1), max(int(bad.sum()), 1)
    for low, high in _bands():
        inside = (scores >= low) & (scores <= high)
        count = int(inside.sum())
        mid = (low + high) / 2
        predicted = 1 / (1 + np.exp((mid - scaling.offset) / scaling.factor))
        calibration.append(
            {
                "band": f"{low}-{high}",
                "n": count,
                "predicted_bad_rate": round(float(predicted), 4),
                "observed_bad_rate": round(float(bad[inside].mean()), 4) if count else None,
            }
        )
        distribution.append(
            {
                "band": f"{low}-{high}",
                "goods": round(float(((bad == 0) & inside).sum() / goods_total), 4),
                "bads": round(float(((bad == 1) & inside).sum() / bads_total), 4),
            }
        )
    step = max(1, len(fpr) // 200)
    return Evaluation(
        n=len(bad),
        bads=int(bad.sum()),
        auc=round(auc, 6),
        gini=round(2 * auc - 1, 6),
        ks=round(float(gap[best]), 6),
        ks_score=int(-thresholds[best]) if best else MAX_SCORE,
        calibration=calibration,
        distribution=distribution,
        psi=psi(reference, scores) if reference else None,
        roc={
            "fpr": [round(float(v), 4) for v in fpr[::step]] + [1.0],
            "tpr": [round(float(v), 4) for v in tpr[::step]] + [1.0],
        },
    )
