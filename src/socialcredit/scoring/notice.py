"""Notice before a negative record counts.

A negative record (a late or unpaid bill, a breached or defaulted contract, a
court or administrative case, a failed check) starts counting only on the
``n``-th working day after the partner reported it, so that the person can see
it and object first; an objection opens a dispute, which keeps the record out
until it is resolved.

Because "counts from" rises with the reporting date, the whole rule is one date
per scoring run: a negative record counts as of A exactly when it was observed
on or before ``notice_cutoff(A, n)``.

>>> counts_from(dt.date(2026, 6, 1), 7)  # a Monday
datetime.date(2026, 6, 10)
>>> notice_cutoff(dt.date(2026, 6, 10), 7)
datetime.date(2026, 6, 1)
"""

from __future__ import annotations

import datetime as dt

import numpy as np

__all__ = ["DEFAULT_NOTICE_DAYS", "counts_from", "notice_cutoff"]

#: China's rule for conduct-based restrictions: 7 working days to object.
DEFAULT_NOTICE_DAYS = 7


def counts_from(observed: dt.date, working_days: int) -> dt.date:
    """The day a negative record observed on ``observed`` starts counting."""
    if working_days <= 0:
        return observed
    day = np.busday_offset(np.datetime64(observed, "D"), working_days, roll="backward")
    return dt.date.fromisoformat(str(day))


def notice_cutoff(as_of: dt.date, working_days: int) -> dt.date:
    """The latest reporting date whose negative records count as of ``as_of``."""
    if working_days <= 0:
        return as_of
    last = np.busday_offset(np.datetime64(as_of, "D"), -working_days, roll="backward")
    # Weekend days after that working day count from the same day as it does.
    following = np.busday_offset(last, 1, roll="forward")
    return dt.date.fromisoformat(str(following - np.timedelta64(1, "D")))
