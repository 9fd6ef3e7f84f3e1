"""Personal characteristics: verified identity, address and phone tenure,
verified employment. The latest check of each kind counts.

Education checks are accepted as records but not scored: they would mostly
measure opportunity, not trustworthiness.
"""

from __future__ import annotations

from socialcredit.dimensions.base import FeatureDef, Part, State, Window, counting

__all__ = ["FEATURES", "KINDS", "STATE", "checks_sql", "features"]

DIMENSION = "characteristics"

FEATURES = (
    FeatureDef(
        "pc_identity_verified",
        DIMENSION,
        "Identity verified",
        "身份已核验",
        "Your identity has not been verified by a partner.",
        "您的身份尚未经合作机构核验。",
        "verification",
        "r.kind = 'identity'",
    ),
    FeatureDef(
        "pc_years_at_address",
        DIMENSION,
        "Years at verified address",
        "已核验地址居住年数",
        "You have lived at your verified address for {value:.1f} years.",
        "您在已核验地址居住{value:.1f}年。",
        "verification",
        "r.kind = 'address'",
    ),
    FeatureDef(
        "pc_phone_tenure_years",
        DIMENSION,
        "Years with verified phone number",
        "已核验手机号使用年数",
        "You have had your verified phone number for {value:.1f} years.",
        "您的已核验手机号使用{value:.1f}年。",
        "verification",
        "r.kind = 'phone'",
    ),
    FeatureDef(
        "pc_employment_verified",
        DIMENSION,
        "Employment verified",
        "工作已核验",
        "Your employment has not been verified by a partner.",
        "您的工作信息尚未经合作机构核验。",
        "verification",
        "r.kind = 'employment'",
    ),
)


#: Every kind of check: the latest of each counts (education is kept but not scored).
KINDS = ("identity", "address", "phone", "employment", "education")


#: Separators of a check's ``latest`` text: key fields, then what the key orders.
_KEY, _VALUE = "chr(31)", "chr(30)"


def _rows(window: Window) -> str:
    """Every counting check, with its ``latest`` text: observed date, partner and record
    (the order the latest check is chosen by) then result and since-date. The
    greatest text of a kind is its latest check: the separators sort below any
    character of a date or an id, so text order is the order of those fields."""
    source, predicate = counting("verification", "v", window)
    return (
        f"SELECT v.subject_key, v.kind, CAST(v.observed_date AS VARCHAR) || {_KEY} || "
        f"v.partner_id || {_KEY} || v.record_id || {_VALUE} || v.result || {_VALUE} || "
        f"coalesce(CAST(v.since_date AS VARCHAR), '') AS latest FROM {source} WHERE {predicate}"
    )


#: Per person: the latest check of each kind (see ``State``).
STATE = State(
    "verification",
    "v",
    _rows,
    tuple(
        Part(f"{kind}_latest", "VARCHAR", f"max(latest) FILTER (WHERE kind = '{kind}')", "max")
        for kind in KINDS
    ),
)


def _result(kind: str) -> str:
    return f"split_part(v.{kind}_latest, {_VALUE}, 2)"


def _since(kind: str) -> str:
    return f"CAST(nullif(split_part(v.{kind}_latest, {_VALUE}, 3), '') AS DATE)"


def features(window: Window) -> dict[str, str]:
    """Each feature from the state (alias ``v``)."""

    def passed(kind: str) -> str:
        return (
            f"CAST(CASE WHEN v.{kind}_latest IS NULL THEN NULL WHEN {_result(kind)} = 'pass' "
            "THEN 1.0 ELSE 0.0 END AS DOUBLE)"
        )

    def held_if_passed(kind: str) -> str:
        held = f"CAST(date_diff('day', {_since(kind)}, {window.day}) AS DOUBLE) / 365.25"
        return f"CASE WHEN {_result(kind)} = 'pass' THEN {held} END"

    return {
        "pc_identity_verified": passed("identity"),
        "pc_years_at_address": held_if_passed("address"),
        "pc_phone_tenure_years": held_if_passed("phone"),
        "pc_employment_verified": passed("employment"),
    }


def checks_sql() -> str:
    """How many kinds of check the person has (alias ``v``)."""
    return " + ".join(f"CASE WHEN v.{k}_latest IS NULL THEN 0 ELSE 1 END" for k in KINDS)
