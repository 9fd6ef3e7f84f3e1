"""Personal characteristics: verified identity, address and phone tenure,
verified employment. The latest check of each kind counts.

Education checks are accepted as records but not scored: they would mostly
measure opportunity, not trustworthiness.
"""

from __future__ import annotations

from socialcredit.dimensions.base import FeatureDef, Window, visible

__all__ = ["FEATURES", "query"]

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


def query(window: Window) -> str:
    """Characteristics features per subject in ``window``."""
    day = window.day

    def latest(kind: str, what: str) -> str:
        return f"max(CASE WHEN kind = '{kind}' THEN {what} END)"

    held = f"CAST(date_diff('day', since_date, {day}) AS DOUBLE) / 365.25"
    held_if_passed = f"CASE WHEN result = 'pass' THEN {held} END"
    passed = "CASE WHEN result = 'pass' THEN 1.0 ELSE 0.0 END"
    checks = (
        "SELECT subject_key, kind, result, since_date, row_number() OVER (PARTITION BY "
        "subject_key, kind ORDER BY observed_date DESC, partner_id DESC, record_id DESC) AS n "
        f"FROM {window.table('verification')} v WHERE {visible('verification', 'v', window)}"
    )
    return (
        "SELECT subject_key, "
        f"CAST({latest('identity', passed)} AS DOUBLE) AS pc_identity_verified, "
        f"{latest('address', held_if_passed)} AS pc_years_at_address, "
        f"{latest('phone', held_if_passed)} AS pc_phone_tenure_years, "
        f"CAST({latest('employment', passed)} AS DOUBLE) AS pc_employment_verified, "
        f"count(*) AS pc_checks FROM ({checks}) v WHERE n = 1 GROUP BY subject_key"
    )
