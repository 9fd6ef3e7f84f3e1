"""The features query: one row per subject with every feature of every
dimension, computed from the per-person state of each record category.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.features.base import Window
from socialcredit.features.registry import DIMENSIONS, FEATURES, STATES
from socialcredit.scoring.notice import DEFAULT_NOTICE_DAYS, notice_cutoff

__all__ = ["features_from_states_sql", "features_sql", "subjects_filter", "window_for"]


def window_for(
    as_of: dt.date, notice_days: int = DEFAULT_NOTICE_DAYS, tables: dict[str, str] | None = None
) -> Window:
    return Window(
        as_of=as_of,
        negative_cutoff=notice_cutoff(as_of, notice_days),
        tables=tuple((tables or {}).items()),
    )


def subjects_filter(subject_key: str | None = None, subjects: str | None = None) -> str:
    """`` WHERE ...`` restricting ``subject_key`` to one person or a query of keys."""
    if subject_key is not None:
        return f" WHERE subject_key = '{_quote(subject_key)}'"
    if subjects is not None:
        return f" WHERE subject_key IN ({subjects})"
    return ""


def features_sql(
    as_of: dt.date,
    subject_key: str | None = None,
    *,
    notice_days: int = DEFAULT_NOTICE_DAYS,
    subjects: str | None = None,
    tables: dict[str, str] | None = None,
) -> str:
    """One row per subject with any record counting as of ``as_of``: every feature.

    Negative records count once their notice period of ``notice_days`` working
    days has passed (:mod:`socialcredit.scoring.notice`). With ``subject_key`` the same
    query is restricted to one subject (the single-subject path of reports), with
    ``subjects`` (a query of subject keys) to those (incremental rescoring);
    the values are identical. ``tables`` names relations that stand in for the lake's
    record tables (category -> relation), e.g. one person's records selected once.
    Features are computed from each category's per-person state (:data:`STATES`).
    """
    window = window_for(as_of, notice_days, tables)
    where = subjects_filter(subject_key, subjects)
    states = {c: f"({state.sql(window, where)})" for c, state in STATES.items()}
    return features_from_states_sql(window, states, where)


def features_from_states_sql(
    window: Window, states: dict[str, str], where: str = "", people: str | None = None
) -> str:
    """Every feature from the per-person states (category -> relation of that state),
    for everyone in ``subjects`` (``where`` filters them), or for the subject keys of
    the query ``people`` (anyone without a state row is left out either way)."""
    expressions = {
        name: sql for d in DIMENSIONS.values() for name, sql in d.expressions(window).items()
    }
    names = ", ".join(f"{expressions[name]} AS {name}" for name in FEATURES)
    joins = " ".join(
        f"LEFT JOIN {states[c]} {state.alias} ON {state.alias}.subject_key = s.subject_key"
        for c, state in STATES.items()
    )
    present = " OR ".join(f"{state.alias}.subject_key IS NOT NULL" for state in STATES.values())
    counts = " + ".join(f"({state.records_sql()})" for state in STATES.values())
    return (
        f"SELECT s.subject_key, {names}, CAST({counts} AS BIGINT) AS records "
        f"FROM ({people or f'SELECT subject_key FROM subjects{where}'}) s {joins} "
        f"WHERE {present}"
    )


def _quote(value: str) -> str:
    return value.replace("'", "''")
