"""The scored dimensions and their features, computed by the engine as of a date.

Three dimensions are built: credit history, fulfilment capacity and personal
characteristics. Each module declares ``FEATURES`` and a ``query(as_of)``;
:func:`features_sql` joins them into one row per subject.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.dimensions import characteristics, credit_history, fulfilment
from socialcredit.dimensions.base import FeatureDef, Window
from socialcredit.notice import DEFAULT_NOTICE_DAYS, notice_cutoff

__all__ = ["DIMENSIONS", "FEATURES", "FeatureDef", "feature", "features_sql"]

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
    """
    window = Window(as_of, notice_cutoff(as_of, notice_days), tuple((tables or {}).items()))
    where = ""
    if subject_key is not None:
        where = f" WHERE subject_key = '{_quote(subject_key)}'"
    elif subjects is not None:
        where = f" WHERE subject_key IN ({subjects})"
    ch, fu, pc = (f"(SELECT * FROM ({m.query(window)}) q{where})" for m in _MODULES)
    names = ", ".join(FEATURES)
    return (
        f"SELECT s.subject_key, {names}, "
        "coalesce(ch.ch_payments, 0) + coalesce(fu.fu_records, 0) + coalesce(pc.pc_checks, 0) "
        "AS records "
        f"FROM (SELECT subject_key FROM subjects{where}) s "
        f"LEFT JOIN {ch} ch ON ch.subject_key = s.subject_key "
        f"LEFT JOIN {fu} fu ON fu.subject_key = s.subject_key "
        f"LEFT JOIN {pc} pc ON pc.subject_key = s.subject_key "
        "WHERE ch.subject_key IS NOT NULL OR fu.subject_key IS NOT NULL "
        "OR pc.subject_key IS NOT NULL"
    )


def _quote(value: str) -> str:
    return value.replace("'", "''")
