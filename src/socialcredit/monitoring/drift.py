"""Fairness drift: a scorecard that passed the four-fifths rule can stop passing as
the population changes. For a scorecard version, its newest run and the one before
it, each with the fairness report's headline (:func:`.fairness.fairness_report`); the
newest is flagged when a group's approval rate is significantly below four fifths of
the best-treated group's at a tier or policy cut-off. The console's dashboard shows
it for the scorecard people are scored by.
"""

from __future__ import annotations

from typing import Any

from socialcredit.engines import Engine
from socialcredit.monitoring.fairness import fairness_report
from socialcredit.monitoring.impact import FOUR_FIFTHS

__all__ = ["fairness_drift", "runs_of"]


def runs_of(engine: Engine, version: str) -> list[dict[str, Any]]:
    """The newest run of scorecard ``version`` and the one before it (newest first)."""
    found: list[dict[str, Any]] = engine.query(
        "runs of a scorecard",
        "SELECT run_id, as_of FROM score_runs WHERE scorecard_version = ? "
        "ORDER BY as_of DESC, created_at DESC LIMIT 2",
        [version],
    ).to_pylist()
    return found


def _flagged(lowest: dict[str, Any] | None) -> bool:
    return lowest is not None and bool(lowest["significant"])


def fairness_drift(engine: Engine, version: str, cutoffs: tuple[int, ...]) -> dict[str, Any] | None:
    """The fairness of scorecard ``version`` on its newest run against the run before
    (None: the version has no run): each run's headline (the lowest significant ratio
    below four fifths, else the lowest), ``flagged`` when the newest headline is
    significant, ``new`` when the run before was not flagged."""
    runs = runs_of(engine, version)
    if not runs:
        return None
    now = fairness_report(engine, runs[0]["run_id"], cutoffs)
    before = fairness_report(engine, runs[1]["run_id"], cutoffs) if len(runs) > 1 else None
    flagged = _flagged(now.lowest)
    return {
        "scorecard_version": version,
        "run_id": now.run_id,
        "as_of": now.as_of,
        "cutoffs": list(now.cutoffs),
        "threshold": FOUR_FIFTHS,
        "lowest": now.lowest,
        "flagged": flagged,
        "previous_run": None if before is None else before.run_id,
        "previous_as_of": None if before is None else before.as_of,
        "previous_lowest": None if before is None else before.lowest,
        "previous_flagged": None if before is None else _flagged(before.lowest),
        "new": flagged and (before is None or not _flagged(before.lowest)),
    }
