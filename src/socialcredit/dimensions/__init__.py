"""The scored dimensions and their features, computed by the engine as of a date.

Three dimensions are built: credit history, fulfilment capacity and personal
characteristics. Each module declares ``FEATURES``, the per-person state of
its record categories (:class:`~socialcredit.dimensions.base.State`) and how
each feature follows from that state; :func:`features_sql` joins them into one
row per subject.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.dimensions import characteristics, credit_history, fulfilment
from socialcredit.dimensions.base import FeatureDef, State, Window
from socialcredit.notice import DEFAULT_NOTICE_DAYS, notice_cutoff

__all__ = [
    "DIMENSIONS",
    "FEATURES",
    "STATES",
    "FeatureDef",
    "feature",
    "features_from_states_sql",
    "features_sql",
    "subjects_filter",
    "window_for",
]

_MODULES = (credit_history, fulfilment, characteristics)

#: dimension id -> (English name, Chinese name)
DIMENSIONS: dict[str, tuple[str, str]] = {
    credit_history.DIMENSION: ("Credit history", "信用历史"),
    fulfilment.DIMENSION: ("Fulfilment capacity", "履约能力"),
    characteristics.DIMENSION: ("Personal characteristics", "身份特质"),
}

FEATURES: dict[str, FeatureDef] = {f.name: f for m in _MODULES for f in m.FEATURES}


def feature(name: str) -> FeatureDef:
    return FEATURES[name]


#: category -> the per-person state its features are computed from
STATES: dict[str, State] = {
    s.category: s for s in (credit_history.STATE, *fulfilment.STATES, characteristics.STATE)
}


def window_for(
    as_of: dt.date, notice_days: int = DEFAULT_NOTICE_DAYS, tables: dict[str, str] | None = None
) -> Window:
    return Window(as_of, notice_cutoff(as_of, notice_days), tuple((tables or {}).items()))


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
    days has passed (:mod:`socialcredit.notice`). With ``subject_key`` the same
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
        **credit_history.features(window),
        **fulfilment.features(window),
        **characteristics.features(window),
    }
    names = ", ".join(f"{expressions[name]} AS {name}" for name in FEATURES)
    joins = " ".join(
        f"LEFT JOIN {states[c]} {state.alias} ON {state.alias}.subject_key = s.subject_key"
        for c, state in STATES.items()
    )
    present = " OR ".join(f"{state.alias}.subject_key IS NOT NULL" for state in STATES.values())
    counts = " + ".join(
        [
            f"coalesce({state.alias}.{state.parts[-1].name}, 0)"
            for c, state in STATES.items()
            if c != "verification"
        ]
        + [f"({characteristics.checks_sql()})"]
    )
    return (
        f"SELECT s.subject_key, {names}, CAST({counts} AS BIGINT) AS records "
        f"FROM ({people or f'SELECT subject_key FROM subjects{where}'}) s {joins} "
        f"WHERE {present}"
    )


def _quote(value: str) -> str:
    return value.replace("'", "''")
