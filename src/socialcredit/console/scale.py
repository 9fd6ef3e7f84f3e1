"""The score range and the tier table as a JavaScript module for the console's pages.

The pages import ``./scale.js``; it is written from :mod:`socialcredit.scorecard`
when asked for, so the charts' axes and tier bands cannot drift from the tiers the
scores are given.

>>> "export const MIN_SCORE = 350;" in scale_js()
True
"""

from __future__ import annotations

import json

from socialcredit.scorecard import MAX_SCORE, MIN_SCORE, TIERS

__all__ = ["scale_js"]


def scale_js() -> str:
    """ES module source: ``MIN_SCORE``, ``MAX_SCORE`` and ``TIERS`` (id, low, high)."""
    tiers = [{"id": t.id, "low": t.low, "high": t.high} for t in TIERS]
    return (
        "// The score range and tiers, from socialcredit.scorecard (served by the API).\n"
        f"export const MIN_SCORE = {MIN_SCORE};\n"
        f"export const MAX_SCORE = {MAX_SCORE};\n"
        f"export const TIERS = {json.dumps(tiers)};\n"
    )
