"""Champion and challenger: score one population with two scorecard versions
side by side and show where they disagree, before promoting one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from socialcredit.scorecard.spec import ScorecardSpec
from socialcredit.scorecard.tiers import TIERS, tier_of

__all__ = ["compare_scores"]


def compare_scores(
    champion: ScorecardSpec,
    challenger: ScorecardSpec,
    champion_scores: np.ndarray,
    challenger_scores: np.ndarray,
    bad: np.ndarray | None = None,
) -> dict[str, Any]:
    """Tier moves, score shifts and (with outcomes) the AUC of each version."""
    names = [t.id for t in TIERS]
    a = [tier_of(int(s)) for s in champion_scores]
    b = [tier_of(int(s)) for s in challenger_scores]
    matrix = {t: dict.fromkeys(names, 0) for t in names}
    for old, new in zip(a, b, strict=True):
        matrix[old][new] += 1
    order = {name: i for i, name in enumerate(names)}
    up = sum(1 for old, new in zip(a, b, strict=True) if order[new] > order[old])
    down = sum(1 for old, new in zip(a, b, strict=True) if order[new] < order[old])
    diff = np.asarray(challenger_scores, dtype=float) - np.asarray(champion_scores, dtype=float)
    result: dict[str, Any] = {
        "champion": champion.version,
        "challenger": challenger.version,
        "n": len(a),
        "tier_moves": matrix,
        "moved_up": up,
        "moved_down": down,
        "unchanged_tier": len(a) - up - down,
        "mean_score_change": round(float(diff.mean()), 3) if len(diff) else 0.0,
        "score_change_abs_p90": round(float(np.quantile(np.abs(diff), 0.9)), 3) if len(diff) else 0,
    }
    if bad is not None and len(set(np.asarray(bad).tolist())) == 2:
        result["auc_champion"] = round(float(roc_auc_score(bad, -champion_scores)), 6)
        result["auc_challenger"] = round(float(roc_auc_score(bad, -challenger_scores)), 6)
    return result
