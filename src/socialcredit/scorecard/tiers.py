"""Score tiers: 350-549 poor, 550-599 fair, 600-649 good, 650-699 very good,
700-950 excellent (the tier table of ``docs/scoring.md``).

>>> tier_of(599), tier_of(700)
('fair', 'excellent')
>>> TIER["good"].low, TIER["good"].high
(600, 649)
"""

from __future__ import annotations

from dataclasses import dataclass

from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

__all__ = ["TIER", "TIERS", "Tier", "tier_of", "tier_sql"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    """One tier: the scores from ``low`` to ``high`` (both included)."""

    #: identifier, as stored with every score (``score_rows.tier``)
    id: str
    name_en: str
    name_zh: str
    low: int
    high: int


#: The tiers in ascending order; together they cover MIN_SCORE..MAX_SCORE without gaps.
TIERS: tuple[Tier, ...] = (
    Tier(id="poor", name_en="poor", name_zh="较差", low=MIN_SCORE, high=549),
    Tier(id="fair", name_en="fair", name_zh="中等", low=550, high=599),
    Tier(id="good", name_en="good", name_zh="良好", low=600, high=649),
    Tier(id="very_good", name_en="very good", name_zh="优秀", low=650, high=699),
    Tier(id="excellent", name_en="excellent", name_zh="极好", low=700, high=MAX_SCORE),
)

#: tier id -> tier
TIER: dict[str, Tier] = {t.id: t for t in TIERS}


def tier_of(score: int) -> str:
    """The id of the tier ``score`` falls in (scores below the range: the lowest)."""
    found = TIERS[0].id
    for tier in TIERS:
        if score >= tier.low:
            found = tier.id
    return found


def tier_sql(score: str) -> str:
    """Engine expression of :func:`tier_of`."""
    cases = " ".join(f"WHEN {score} >= {t.low} THEN '{t.id}'" for t in reversed(TIERS))
    return f"CASE {cases} ELSE '{TIERS[0].id}' END"
