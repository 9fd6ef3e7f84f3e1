"""Score tiers (DESIGN default): 350-549 poor, 550-599 fair, 600-649 good,
650-699 very good, 700-950 excellent.

>>> tier_of(599), tier_of(700)
('fair', 'excellent')
"""

from __future__ import annotations

__all__ = ["TIERS", "tier_of", "tier_sql"]

#: (tier id, lowest score, English, Chinese), in ascending order
TIERS: tuple[tuple[str, int, str, str], ...] = (
    ("poor", 350, "poor", "较差"),
    ("fair", 550, "fair", "中等"),
    ("good", 600, "good", "良好"),
    ("very_good", 650, "very good", "优秀"),
    ("excellent", 700, "excellent", "极好"),
)


def tier_of(score: int) -> str:
    found = TIERS[0][0]
    for name, lowest, _, _ in TIERS:
        if score >= lowest:
            found = name
    return found


def tier_sql(score: str) -> str:
    """Engine expression of :func:`tier_of`."""
    cases = " ".join(f"WHEN {score} >= {low} THEN '{name}'" for name, low, _, _ in reversed(TIERS))
    return f"CASE {cases} ELSE '{TIERS[0][0]}' END"
