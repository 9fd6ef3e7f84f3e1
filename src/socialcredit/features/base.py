"""What a dimension declares: its features, how each is explained, which
records stand behind it, and the per-person state (one engine query grouped by
subject per record category) its features are computed from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "RETENTION_YEARS",
    "Dimension",
    "FeatureDef",
    "Part",
    "State",
    "Window",
    "counting",
    "date_literal",
    "not_held",
    "visible",
    "years_before",
]

#: Negative records stop counting after this many years (the retention period of
#: docs/scoring.md): an old default should not follow a person for life.
RETENTION_YEARS = 5


@dataclass(frozen=True, slots=True, kw_only=True)
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Dimension:
    """One scored dimension, as its module declares it (``DIMENSION``).

    Adding a dimension is one module in :mod:`socialcredit.features.dimensions`
    that declares one of these; the registry, the lake's state tables and its
    score columns (``sub_<id>``), reports and the console all follow from it.
    """

    #: identifier: the scorecard's dimension name and the ``sub_<id>`` score column
    id: str
    name_en: str
    name_zh: str
    #: position among the dimensions (reports, the console's radar, column order)
    order: int
    features: tuple[FeatureDef, ...]
    #: the per-person state of each record category the features read
    states: tuple[State, ...]
    #: feature name -> SQL over the states' aliases, for a window
    expressions: Callable[[Window], dict[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
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

    def with_table(self, category: str, relation: str) -> Window:
        """The same window reading ``category``'s records from ``relation``."""
        tables = {**dict(self.tables), category: relation}
        return Window(
            as_of=self.as_of, negative_cutoff=self.negative_cutoff, tables=tuple(tables.items())
        )

    def table(self, category: str) -> str:
        """The relation to read ``category``'s records from."""
        from socialcredit.records import CATEGORIES

        return dict(self.tables).get(category, CATEGORIES[category].table)


def visible(category: str, alias: str, window: Window) -> str:
    """Predicate: the record counts in ``window`` (observed in time, not held, and for a
    category shared with consent, still consented: :mod:`socialcredit.records.consent`)."""
    from socialcredit.records import CATEGORIES
    from socialcredit.records.consent import consented_sql

    consent = CATEGORIES[category].consent
    consented = f" AND {consented_sql(consent, alias, window.as_of)}" if consent else ""
    observed = _observed_in_time(category, alias, window)
    return f"{observed} AND {not_held(category, alias)}{consented}"


def _observed_in_time(category: str, alias: str, window: Window) -> str:
    """Predicate: observed by the as-of date, or by the notice cut-off if negative."""
    from socialcredit.records import CATEGORIES

    negative = CATEGORIES[category].negative.format(a=alias)
    return (
        f"{alias}.observed_date <= CASE WHEN {negative} THEN "
        f"{date_literal(window.negative_cutoff)} ELSE {window.day} END"
    )


def counting(category: str, alias: str, window: Window) -> tuple[str, str]:
    """``(FROM clause, predicate)`` selecting the records of ``category`` that count in
    ``window``: :func:`visible`, with held records left out by a join against the
    (small) holds table rather than a correlated subquery, which engines may plan as
    a materialised join of every record; the same for consents where the category
    needs one."""
    from socialcredit.records import CATEGORIES
    from socialcredit.records.consent import counting_sql

    held = f"{alias}_held"
    source = (
        f"{window.table(category)} {alias} LEFT JOIN (SELECT DISTINCT partner_id AS "
        f"held_partner, record_id AS held_record FROM record_holds WHERE category = "
        f"'{category}') {held} ON {held}.held_partner = {alias}.partner_id "
        f"AND {held}.held_record = {alias}.record_id"
    )
    predicate = f"{_observed_in_time(category, alias, window)} AND {held}.held_record IS NULL"
    consent = CATEGORIES[category].consent
    if consent:
        joins, consented = counting_sql(consent, alias, window.as_of)
        source += joins
        predicate += f" AND {consented}"
    return source, predicate


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


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """One column of a category's per-person state: a partial aggregate that two
    sets of records combine into exactly what both together would give.

    ``agg`` aggregates the category's counting rows (:attr:`State.rows`); ``merge``
    says how two states combine: ``sum`` (counts and exact decimal sums), ``max``,
    ``min`` (a latest value is kept as the greatest of texts that sort in the
    order that picks it), or ``or`` (integers used as sets of bits, e.g. the months
    seen, aggregated with ``bit_or``).
    """

    name: str
    type: str
    agg: str
    merge: str


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """A category's per-person state as of a window: features are computed from it
    alone, so keeping it lets a run recompute a person from their new records only."""

    category: str
    #: alias of this state in :func:`socialcredit.features.features_sql`
    alias: str
    #: the counting rows of the category, with ``subject_key`` (and what ``parts`` read)
    rows: Callable[[Window], str]
    parts: tuple[Part, ...]
    #: how many records the state holds, over its alias; empty: its last part
    records: str = ""

    def records_sql(self) -> str:
        """The number of the person's records this state holds (0 when none)."""
        return self.records or f"coalesce({self.alias}.{self.parts[-1].name}, 0)"

    def sql(self, window: Window, where: str = "") -> str:
        """Per-person state from the records of ``window``; ``where`` (`` WHERE ...`` over
        ``subject_key``) filters the records before anything else is done with them."""
        if where:
            window = window.with_table(
                self.category, f"(SELECT * FROM {window.table(self.category)}{where})"
            )
        parts = ", ".join(f"{p.agg} AS {p.name}" for p in self.parts)
        return f"SELECT subject_key, {parts} FROM ({self.rows(window)}) q GROUP BY subject_key"

    def merge_sql(self, old: str, new: str) -> str:
        """``old`` and ``new`` (relations of this state) combined, one row per person."""
        columns = ", ".join(f"{_merged(p, 'o', 'n')} AS {p.name}" for p in self.parts)
        return (
            f"SELECT coalesce(n.subject_key, o.subject_key) AS subject_key, {columns} "
            f"FROM {old} o FULL OUTER JOIN {new} n ON n.subject_key = o.subject_key"
        )

    def columns_sql(self) -> str:
        """The state's columns, for its lake table."""
        return ", ".join(["subject_key VARCHAR", *(f"{p.name} {p.type}" for p in self.parts)])


def _merged(part: Part, old: str, new: str) -> str:
    a, b = f"{old}.{part.name}", f"{new}.{part.name}"
    if part.merge == "sum":
        return f"CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} ELSE {a} + {b} END"
    if part.merge in ("max", "min"):
        wins = ">=" if part.merge == "max" else "<="
        return (
            f"CASE WHEN {b} IS NULL THEN {a} WHEN {a} IS NULL THEN {b} "
            f"WHEN {a} {wins} {b} THEN {a} ELSE {b} END"
        )
    if part.merge == "or":
        return f"CASE WHEN {a} IS NULL THEN {b} WHEN {b} IS NULL THEN {a} ELSE {a} | {b} END"
    raise ValueError(f"unknown merge {part.merge!r} of state column {part.name}")
