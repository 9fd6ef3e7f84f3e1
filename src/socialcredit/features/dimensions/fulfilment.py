"""Fulfilment capacity: contracts with third parties, court enforcement and
administrative penalties.

Contracts count by status as last reported, except those the person only
guarantees (``role`` guarantor): that liability is contingent, and guarantees count
in the guarantees dimension, from guarantee records. Enforcement cases count while
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
        name="fu_fulfilled_share",
        dimension=ID,
        label="Share of contracts fulfilled",
        label_zh="合约履约比例",
        en="You fulfilled {value:.0%} of your settled contracts.",
        zh="已结清合约中按约履行的占{value:.0%}。",
        category="contract",
        evidence="r.status IN ('breached', 'defaulted')",
    ),
    FeatureDef(
        name="fu_breaches_24m",
        dimension=ID,
        label="Contracts breached (24 months)",
        label_zh="违约合约数（24个月）",
        en="You breached {value:.0f} contracts in the last 24 months.",
        zh="近24个月有{value:.0f}份合约违约。",
        category="contract",
        evidence="r.status = 'breached' AND r.due_date > {as_of} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        name="fu_defaults",
        dimension=ID,
        label="Contracts defaulted",
        label_zh="未履行合约数",
        en="{value:.0f} of your contracts are in default.",
        zh="您有{value:.0f}份合约未履行。",
        category="contract",
        evidence="r.status = 'defaulted'",
    ),
    FeatureDef(
        name="fu_amount_outstanding",
        dimension=ID,
        label="Value of defaulted contracts",
        label_zh="未履行合约金额",
        en="Contracts worth {value:,.0f} yuan are in default.",
        zh="未履行合约金额{value:,.0f}元。",
        category="contract",
        evidence="r.status = 'defaulted'",
    ),
    FeatureDef(
        name="fu_enforcement_refused",
        dimension=ID,
        label="Open enforcement cases (refused or not stated)",
        label_zh="未结执行案件（拒不履行或未说明）",
        en="{value:.0f} court enforcement cases against you are open.",
        zh="您有{value:.0f}件法院执行案件尚未结案。",
        category="judgment",
        evidence=_OPEN_CASE + " AND coalesce(r.conduct, '') <> 'unable_to_pay'",
    ),
    FeatureDef(
        name="fu_enforcement_unable",
        dimension=ID,
        label="Open enforcement cases (unable to pay)",
        label_zh="未结执行案件（无力履行）",
        en="{value:.0f} court enforcement cases are open where you were found unable to pay.",
        zh="您有{value:.0f}件经认定无力履行的执行案件尚未结案。",
        category="judgment",
        evidence=_OPEN_CASE + " AND r.conduct = 'unable_to_pay'",
    ),
    FeatureDef(
        name="fu_penalties_24m",
        dimension=ID,
        label="Administrative penalties (24 months)",
        label_zh="行政处罚次数（24个月）",
        en="You received {value:.0f} administrative penalties in the last 24 months.",
        zh="近24个月受到{value:.0f}次行政处罚。",
        category="judgment",
        evidence="r.kind = 'administrative_penalty' AND r.filed_date > {as_of} - INTERVAL 24 MONTH",
    ),
)


def _contract_rows(window: Window) -> str:
    source, predicate = counting("contract", "c", window)
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    return (
        f"SELECT c.subject_key, c.status, c.value, c.due_date > {window.day} - INTERVAL 24 MONTH "
        f"AS in_24m FROM {source} WHERE {predicate} AND c.start_date > {since} "
        # a guarantor's liability is contingent: the principal's breach is not theirs
        "AND coalesce(c.role, 'individual') <> 'guarantor'"
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
    category="contract",
    alias="c",
    rows=_contract_rows,
    parts=(
        Part(
            name="con_rated",
            type="BIGINT",
            agg="count(CASE WHEN status IN ('fulfilled', 'breached', 'defaulted') THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="con_fulfilled",
            type="BIGINT",
            agg="count(CASE WHEN status = 'fulfilled' THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="con_breached_24m",
            type="BIGINT",
            agg="count(CASE WHEN status = 'breached' AND in_24m THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="con_defaulted",
            type="BIGINT",
            agg="count(CASE WHEN status = 'defaulted' THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="con_outstanding",
            type="DECIMAL(38,2)",
            agg="sum(CASE WHEN status = 'defaulted' THEN value END)",
            merge="sum",
        ),
        Part(name="con_records", type="BIGINT", agg="count(*)", merge="sum"),
    ),
)

#: Per person: what the judgment features are computed from.
JUDGMENT_STATE = State(
    category="judgment",
    alias="j",
    rows=_judgment_rows,
    parts=(
        Part(
            name="jud_refused",
            type="BIGINT",
            agg="count(CASE WHEN open_case AND conduct <> 'unable_to_pay' THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="jud_unable",
            type="BIGINT",
            agg="count(CASE WHEN open_case AND conduct = 'unable_to_pay' THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="jud_penalties_24m",
            type="BIGINT",
            agg="count(CASE WHEN penalty_24m THEN 1 END)",
            merge="sum",
        ),
        Part(name="jud_records", type="BIGINT", agg="count(*)", merge="sum"),
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
