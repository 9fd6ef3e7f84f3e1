"""What a dimension declares: its features, how each is explained, and which
records stand behind it. Each dimension module computes its features as of a
date with one engine query grouped by subject.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = [
    "RETENTION_YEARS",
    "FeatureDef",
    "Window",
    "date_literal",
    "not_held",
    "visible",
    "years_before",
]

#: Negative records stop counting after this many years (DESIGN: due process).
RETENTION_YEARS = 5


@dataclass(frozen=True, slots=True)
class FeatureDef:
    """One feature: its dimension, a sentence for reasons, and its evidence.

    ``en`` and ``zh`` are sentences with ``{value}`` for the person's value,
    said when the feature costs points. ``evidence`` is a predicate over the
    records of ``category`` (alias ``r``; ``{as_of}`` is the as-of date literal)
    selecting the records behind the feature.
    """

    name: str
    dimension: str
    label: str
    label_zh: str
    en: str
    zh: str
    category: str
    evidence: str


@dataclass(frozen=True, slots=True)
class Window:
    """Which records a score as of ``as_of`` may see: records observed by then, and
    negative ones only if observed by ``negative_cutoff`` (the notice period)."""

    as_of: dt.date
    negative_cutoff: dt.date
    #: (category, relation) pairs that stand in for the lake tables, e.g. one person's
    #: records already selected (reports); empty: the lake tables
    tables: tuple[tuple[str, str], ...] = ()

    @property
    def day(self) -> str:
        return date_literal(self.as_of)

    def table(self, category: str) -> str:
        """The relation to read ``category``'s records from."""
        from socialcredit.records import CATEGORIES

        return dict(self.tables).get(category, CATEGORIES[category].table)


def visible(category: str, alias: str, window: Window) -> str:
    """Predicate: the record counts in ``window`` (observed in time, not held)."""
    from socialcredit.records import CATEGORIES

    negative = CATEGORIES[category].negative.format(a=alias)
    return (
        f"{alias}.observed_date <= CASE WHEN {negative} THEN "
        f"{date_literal(window.negative_cutoff)} ELSE {window.day} END "
        f"AND {not_held(category, alias)}"
    )


def not_held(category: str, alias: str) -> str:
    """Predicate: the record is not held back by an open dispute (see ``record_holds``)."""
    return (
        f"NOT EXISTS (SELECT 1 FROM record_holds h WHERE h.category = '{category}' "
        f"AND h.partner_id = {alias}.partner_id AND h.record_id = {alias}.record_id)"
    )


def date_literal(day: dt.date) -> str:
    return f"DATE '{day.isoformat()}'"


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day ``years`` earlier (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
