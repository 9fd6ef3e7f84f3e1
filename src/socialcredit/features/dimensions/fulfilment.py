"""Fulfilment capacity: contracts with third parties, court enforcement and
administrative penalties.

Contracts count by status as last reported. Enforcement cases count while
open as of the date; a case found ``unable_to_pay`` weighs less than one found
``refused_to_pay`` (or not stated).
"""

from __future__ import annotations

from socialcredit.features.base import (
    RETENTION_YEARS,
    Dimension,
    FeatureDef,
    Part,
    State,
    Window,
    counting,
    date_literal,
    years_before,
)

__all__ = [
    "CONTRACT_STATE",
    "DIMENSION",
    "FEATURES",
    "JUDGMENT_STATE",
    "STATES",
    "features",
]

ID = "fulfilment"

_OPEN_CASE = (
    "r.kind = 'court_enforcement' AND r.filed_date <= {as_of} "
    "AND (r.resolved_date IS NULL OR r.resolved_date > {as_of})"
)

FEATURES = (
    FeatureDef(
        "fu_fulfilled_share",
        ID,
        "Share of contracts fulfilled",
        "合约履约比例",
        "You fulfilled {value:.0%} of your settled contracts.",
        "已结清合约中按约履行的占{value:.0%}。",
        "contract",
        "r.status IN ('breached', 'defaulted')",
    ),
    FeatureDef(
        "fu_breaches_24m",
        ID,
        "Contracts breached (24 months)",
        "违约合约数（24个月）",
        "You breached {value:.0f} contracts in the last 24 months.",
        "近24个月有{value:.0f}份合约违约。",
        "contract",
        "r.status = 'breached' AND r.due_date > {as_of} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "fu_defaults",
        ID,
        "Contracts defaulted",
        "未履行合约数",
        "{value:.0f} of your contracts are in default.",
        "您有{value:.0f}份合约未履行。",
        "contract",
        "r.status = 'defaulted'",
    ),
    FeatureDef(
        "fu_amount_outstanding",
        ID,
        "Value of defaulted contracts",
        "未履行合约金额",
        "Contracts worth {value:,.0f} yuan are in default.",
        "未履行合约金额{value:,.0f}元。",
        "contract",
        "r.status = 'defaulted'",
    ),
    FeatureDef(
        "fu_enforcement_refused",
        ID,
        "Open enforcement cases (refused or not stated)",
        "未结执行案件（拒不履行或未说明）",
        "{value:.0f} court enforcement cases against you are open.",
        "您有{value:.0f}件法院执行案件尚未结案。",
        "judgment",
        _OPEN_CASE + " AND coalesce(r.conduct, '') <> 'unable_to_pay'",
    ),
    FeatureDef(
        "fu_enforcement_unable",
        ID,
        "Open enforcement cases (unable to pay)",
        "未结执行案件（无力履行）",
        "{value:.0f} court enforcement cases are open where you were found unable to pay.",
        "您有{value:.0f}件经认定无力履行的执行案件尚未结案。",
        "judgment",
        _OPEN_CASE + " AND r.conduct = 'unable_to_pay'",
    ),
    FeatureDef(
        "fu_penalties_24m",
        ID,
        "Administrative penalties (24 months)",
        "行政处罚次数（24个月）",
        "You received {value:.0f} administrative penalties in the last 24 months.",
        "近24个月受到{value:.0f}次行政处罚。",
        "judgment",
        "r.kind = 'administrative_penalty' AND r.filed_date > {as_of} - INTERVAL 24 MONTH",
    ),
)


def _contract_rows(window: Window) -> str:
    source, predicate = counting("contract", "c", window)
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    return (
        f"SELECT c.subject_key, c.status, c.value, c.due_date > {window.day} - INTERVAL 24 MONTH "
        f"AS in_24m FROM {source} WHERE {predicate} AND c.start_date > {since}"
    )


def _judgment_rows(window: Window) -> str:
    day = window.day
    source, predicate = counting("judgment", "r", window)
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    open_case = _OPEN_CASE.replace("{as_of}", day)
    return (
        f"SELECT r.subject_key, {open_case} AS open_case, coalesce(r.conduct, '') AS conduct, "
        f"r.kind = 'administrative_penalty' AND r.filed_date > {day} - INTERVAL 24 MONTH "
        f"AS penalty_24m FROM {source} WHERE {predicate} AND r.filed_date > {since}"
    )


#: Per person: what the contract features are computed from (see ``State``).
CONTRACT_STATE = State(
    "contract",
    "c",
    _contract_rows,
    (
        Part(
            "con_rated",
            "BIGINT",
            "count(CASE WHEN status IN ('fulfilled', 'breached', 'defaulted') THEN 1 END)",
            "sum",
        ),
        Part("con_fulfilled", "BIGINT", "count(CASE WHEN status = 'fulfilled' THEN 1 END)", "sum"),
        Part(
            "con_breached_24m",
            "BIGINT",
            "count(CASE WHEN status = 'breached' AND in_24m THEN 1 END)",
            "sum",
        ),
        Part("con_defaulted", "BIGINT", "count(CASE WHEN status = 'defaulted' THEN 1 END)", "sum"),
        Part(
            "con_outstanding",
            "DECIMAL(38,2)",
            "sum(CASE WHEN status = 'defaulted' THEN value END)",
            "sum",
        ),
        Part("con_records", "BIGINT", "count(*)", "sum"),
    ),
)

#: Per person: what the judgment features are computed from.
JUDGMENT_STATE = State(
    "judgment",
    "j",
    _judgment_rows,
    (
        Part(
            "jud_refused",
            "BIGINT",
            "count(CASE WHEN open_case AND conduct <> 'unable_to_pay' THEN 1 END)",
            "sum",
        ),
        Part(
            "jud_unable",
            "BIGINT",
            "count(CASE WHEN open_case AND conduct = 'unable_to_pay' THEN 1 END)",
            "sum",
        ),
        Part("jud_penalties_24m", "BIGINT", "count(CASE WHEN penalty_24m THEN 1 END)", "sum"),
        Part("jud_records", "BIGINT", "count(*)", "sum"),
    ),
)

STATES = (CONTRACT_STATE, JUDGMENT_STATE)


def features(window: Window) -> dict[str, str]:
    """Each feature from the states (aliases ``c`` and ``j``); NULL where the person
    has neither."""
    either = "(c.subject_key IS NOT NULL OR j.subject_key IS NOT NULL)"

    def count(column: str) -> str:
        return f"CASE WHEN {either} THEN CAST(coalesce({column}, 0) AS DOUBLE) END"

    return {
        "fu_fulfilled_share": "CASE WHEN c.con_rated > 0 THEN "
        "CAST(c.con_fulfilled AS DOUBLE) / c.con_rated END",
        "fu_breaches_24m": count("c.con_breached_24m"),
        "fu_defaults": count("c.con_defaulted"),
        "fu_amount_outstanding": count("c.con_outstanding"),
        "fu_enforcement_refused": count("j.jud_refused"),
        "fu_enforcement_unable": count("j.jud_unable"),
        "fu_penalties_24m": count("j.jud_penalties_24m"),
    }


DIMENSION = Dimension(
    id=ID,
    name_en="Fulfilment capacity",
    name_zh="履约能力",
    order=2,
    features=FEATURES,
    states=STATES,
    expressions=features,
)
