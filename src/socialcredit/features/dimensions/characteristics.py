"""Personal characteristics: verified identity, address and phone tenure,
verified employment. The latest check of each kind counts; of checks observed on
the same day, a pass counts over a fail, then the longest-held fact.

Education checks are accepted as records but not scored: they would mostly
measure opportunity, not trustworthiness.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.features.base import (
    Dimension,
    FeatureDef,
    Part,
    State,
    Window,
    counting,
    date_literal,
)

__all__ = ["DIMENSION", "FEATURES", "KINDS", "STATE", "features"]

ID = "characteristics"

FEATURES = (
    FeatureDef(
        name="pc_identity_verified",
        dimension=ID,
        label="Identity verified",
        label_zh="身份已核验",
        en="Your identity has not been verified by a partner.",
        zh="您的身份尚未经合作机构核验。",
        category="verification",
        evidence="r.kind = 'identity'",
    ),
    FeatureDef(
        name="pc_years_at_address",
        dimension=ID,
        label="Years at verified address",
        label_zh="已核验地址居住年数",
        en="You have lived at your verified address for {value:.1f} years.",
        zh="您在已核验地址居住{value:.1f}年。",
        category="verification",
        evidence="r.kind = 'address'",
    ),
    FeatureDef(
        name="pc_phone_tenure_years",
        dimension=ID,
        label="Years with verified phone number",
        label_zh="已核验手机号使用年数",
        en="You have had your verified phone number for {value:.1f} years.",
        zh="您的已核验手机号使用{value:.1f}年。",
        category="verification",
        evidence="r.kind = 'phone'",
    ),
    FeatureDef(
        name="pc_employment_verified",
        dimension=ID,
        label="Employment verified",
        label_zh="工作已核验",
        en="Your employment has not been verified by a partner.",
        zh="您的工作信息尚未经合作机构核验。",
        category="verification",
        evidence="r.kind = 'employment'",
    ),
)


#: Every kind of check: the latest of each counts (education is kept but not scored).
KINDS = ("identity", "address", "phone", "employment", "education")


#: Dates in a packed check are days since this date (proleptic Gregorian, in every
#: engine); a field of this many days holds any date before the year 2870.
_EPOCH, _SPAN = dt.date(1, 1, 1), 2**20


def _days(column: str) -> str:
    return f"date_diff('day', {date_literal(_EPOCH)}, {column})"


def _rows(window: Window) -> str:
    """Every counting check, packed into one integer ``latest`` whose greatest value
    of a kind is the check that counts: the latest observed date; on that day, a pass
    before a fail; then the longest-held fact (earliest since-date). Checks observed
    on the same day have no order between them, so the more favourable one counts.

    Packed, from the most significant part: observed day, pass (one bit), and
    ``_SPAN`` minus the since-day (0 when there is none). ``since_date`` is never
    after ``observed_date`` (ingestion rule), so it fits its field.
    """
    source, predicate = counting("verification", "v", window)
    return (
        f"SELECT v.subject_key, v.kind, CAST({_days('v.observed_date')} AS BIGINT) * "
        f"{2 * _SPAN} + CASE WHEN v.result = 'pass' THEN {_SPAN} ELSE 0 END + "
        f"coalesce({_SPAN} - {_days('v.since_date')}, 0) AS latest FROM {source} "
        f"WHERE {predicate}"
    )


#: Per person: the latest check of each kind (see ``State``).
STATE = State(
    category="verification",
    alias="v",
    rows=_rows,
    parts=tuple(
        Part(
            name=f"{kind}_latest",
            type="BIGINT",
            agg=f"max(latest) FILTER (WHERE kind = '{kind}')",
            merge="max",
        )
        for kind in KINDS
    ),
    records=" + ".join(f"CASE WHEN v.{k}_latest IS NULL THEN 0 ELSE 1 END" for k in KINDS),
)


def _passed(kind: str) -> str:
    """The latest check of ``kind`` passed (NULL: there is none)."""
    return f"(v.{kind}_latest // {_SPAN}) % 2 = 1"


def features(window: Window) -> dict[str, str]:
    """Each feature from the state (alias ``v``)."""
    today = (window.as_of - _EPOCH).days

    def passed(kind: str) -> str:
        return (
            f"CAST(CASE WHEN v.{kind}_latest IS NULL THEN NULL WHEN {_passed(kind)} "
            "THEN 1.0 ELSE 0.0 END AS DOUBLE)"
        )

    def held_if_passed(kind: str) -> str:
        since = f"v.{kind}_latest % {_SPAN}"  # _SPAN minus the since-day; 0: none
        held = f"CAST({today} - ({_SPAN} - {since}) AS DOUBLE) / 365.25"
        return f"CASE WHEN {_passed(kind)} AND {since} > 0 THEN {held} END"

    return {
        "pc_identity_verified": passed("identity"),
        "pc_years_at_address": held_if_passed("address"),
        "pc_phone_tenure_years": held_if_passed("phone"),
        "pc_employment_verified": passed("employment"),
    }


DIMENSION = Dimension(
    id=ID,
    name_en="Personal characteristics",
    name_zh="身份特质",
    order=3,
    features=FEATURES,
    states=(STATE,),
    expressions=features,
)
