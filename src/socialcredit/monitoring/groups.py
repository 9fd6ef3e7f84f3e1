"""The groups fairness compares: sex, age band and province, derived from the
resident ID and kept in the lake's ``subjects`` table for this alone (no scorecard
may read them).

>>> age_bands([18, 44.5, 45, None, 71]).tolist()
['18-29', '30-44', '45-59', '', '60+']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["AGE_BANDS", "ATTRIBUTES", "age_bands", "group_columns_sql"]

#: the attributes compared, in the report's order
ATTRIBUTES = ("sex", "age_band", "province")
#: (label, lowest age, highest age): the age bands groups are compared in
AGE_BANDS = (("18-29", 0, 29), ("30-44", 30, 44), ("45-59", 45, 59), ("60+", 60, 200))


def age_bands(ages: Sequence[Any] | np.ndarray) -> np.ndarray:
    """The band of each age in years ("": unknown)."""
    years = np.asarray([np.nan if a is None else a for a in ages], dtype=float)
    found = np.full(len(years), "", dtype=object)
    for label, low, high in AGE_BANDS:
        found[(years >= low) & (years < high + 1)] = label
    return found


def group_columns_sql(as_of: dt.date, subjects: str = "s") -> str:
    """The columns ``age_band`` (on ``as_of``), ``sex`` and ``province`` of the
    ``subjects`` table under the alias ``subjects``."""
    age = f"{as_of.year} - {subjects}.birth_year"
    cases = " ".join(
        f"WHEN {age} BETWEEN {low} AND {high} THEN '{label}'" for label, low, high in AGE_BANDS
    )
    return (
        f"CASE {cases} END AS age_band, {subjects}.sex AS sex, "
        f"substr({subjects}.region, 1, 2) AS province"
    )
