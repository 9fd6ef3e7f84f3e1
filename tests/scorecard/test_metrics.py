from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from socialcredit.scorecard import Scaling
from socialcredit.scorecard.metrics import evaluate_scores, psi
from socialcredit.scorecard.spec import ScoreBand


def _population(seed: int, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    latent = rng.standard_normal(5000)
    scores = np.clip(np.round(620 + 60 * latent + shift), 350, 950)
    bad = (rng.random(5000) < 1 / (1 + np.exp(3 + 1.2 * latent))).astype(int)
    return scores, bad


def test_auc_gini_ks() -> None:
    scores, bad = _population(1)
    result = evaluate_scores(scores, bad, Scaling())
    assert result.auc == pytest.approx(roc_auc_score(bad, -scores), abs=1e-6)
    assert result.gini == pytest.approx(2 * result.auc - 1, abs=1e-6)
    goods, bads = np.sort(scores[bad == 0]), np.sort(scores[bad == 1])
    grid = np.unique(scores)
    gap = max(
        abs(
            np.searchsorted(bads, g, "right") / len(bads)
            - np.searchsorted(goods, g, "right") / len(goods)
        )
        for g in grid
    )
    assert result.ks == pytest.approx(gap, abs=1e-6)
    assert sum(b["n"] for b in result.calibration) == len(scores)
    assert sum(d["goods"] for d in result.distribution) == pytest.approx(1, abs=1e-3)


def test_psi_is_zero_on_the_same_population_and_grows_with_shift() -> None:
    scores, _ = _population(2)
    bands = tuple(
        ScoreBand(
            low=low,
            high=min(low + 49, 950),
            share=float(np.mean((scores >= low) & (scores <= min(low + 49, 950)))),
        )
        for low in range(350, 950, 50)
    )
    assert psi(bands, scores) == pytest.approx(0, abs=1e-9)
    small, large = psi(bands, _population(3, 10)[0]), psi(bands, _population(3, 80)[0])
    assert 0 < small < large
    assert large > 0.25
