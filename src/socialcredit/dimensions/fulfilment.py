"""Fulfilment capacity: contracts with third parties, court enforcement and
administrative penalties.

Contracts count by status as last reported. Enforcement cases count while
open as of the date; a case found ``unable_to_pay`` weighs less than one found
``refused_to_pay`` (or not stated).
"""

from __future__ import annotations

from socialcredit.dimensions.base import (
    RETENTION_YEARS,
    FeatureDef,
    Window,
    date_literal,
    visible,
    years_before,
)

__all__ = ["FEATURES", "query"]

DIMENSION = "fulfilment"

_OPEN_CASE = (
    "r.kind = 'court_enforcement' AND r.filed_date <= {as_of} "
    "AND (r.resolved_date IS NULL OR r.resolved_date > {as_of})"
)

FEATURES = (
    FeatureDef(
        "fu_fulfilled_share",
        DIMENSION,
        "Share of contracts fulfilled",
        "合约履约比例",
        "You fulfilled {value:.0%} of your settled contracts.",
        "已结清合约中按约履行的占{value:.0%}。",
        "contract",
        "r.status IN ('breached', 'defaulted')",
    ),
    FeatureDef(
        "fu_breaches_24m",
        DIMENSION,
        "Contracts breached (24 months)",
        "违约合约数（24个月）",
        "You breached {value:.0f} contracts in the last 24 months.",
        "近24个月有{value:.0f}份合约违约。",
        "contract",
        "r.status = 'breached' AND r.due_date > {as_of} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "fu_defaults",
        DIMENSION,
        "Contracts defaulted",
        "未履行合约数",
        "{value:.0f} of your contracts are in default.",
        "您有{value:.0f}份合约未履行。",
        "contract",
        "r.status = 'defaulted'",
    ),
    FeatureDef(
        "fu_amount_outstanding",
        DIMENSION,
        "Value of defaulted contracts",
        "未履行合约金额",
        "Contracts worth {value:,.0f} yuan are in default.",
        "未履行合约金额{value:,.0f}元。",
        "contract",
        "r.status = 'defaulted'",
    ),
    FeatureDef(
        "fu_enforcement_refused",
        DIMENSION,
        "Open enforcement cases (refused or not stated)",
        "未结执行案件（拒不履行或未说明）",
        "{value:.0f} court enforcement cases against you are open.",
        "您有{value:.0f}件法院执行案件尚未结案。",
        "judgment",
        _OPEN_CASE + " AND coalesce(r.conduct, '') <> 'unable_to_pay'",
    ),
    FeatureDef(
        "fu_enforcement_unable",
        DIMENSION,
        "Open enforcement cases (unable to pay)",
        "未结执行案件（无力履行）",
        "{value:.0f} court enforcement cases are open where you were found unable to pay.",
        "您有{value:.0f}件经认定无力履行的执行案件尚未结案。",
        "judgment",
        _OPEN_CASE + " AND r.conduct = 'unable_to_pay'",
    ),
    FeatureDef(
        "fu_penalties_24m",
        DIMENSION,
        "Administrative penalties (24 months)",
        "行政处罚次数（24个月）",
        "You received {value:.0f} administrative penalties in the last 24 months.",
        "近24个月受到{value:.0f}次行政处罚。",
        "judgment",
        "r.kind = 'administrative_penalty' AND r.filed_date > {as_of} - INTERVAL 24 MONTH",
    ),
)


def query(window: Window) -> str:
    """Fulfilment features per subject in ``window`` (contracts and judgments joined)."""
    day = window.day
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    open_case = _OPEN_CASE.replace("{as_of}", day)
    contracts = (
        "SELECT subject_key, "
        "CAST(avg(CASE WHEN status = 'fulfilled' THEN 1.0 WHEN status IN ('breached', "
        "'defaulted') THEN 0.0 END) AS DOUBLE) AS fu_fulfilled_share, "
        f"CAST(count(CASE WHEN status = 'breached' AND due_date > {day} - INTERVAL 24 MONTH "
        "THEN 1 END) AS DOUBLE) AS fu_breaches_24m, "
        "CAST(count(CASE WHEN status = 'defaulted' THEN 1 END) AS DOUBLE) AS fu_defaults, "
        "CAST(coalesce(sum(CASE WHEN status = 'defaulted' THEN value END), 0) AS DOUBLE) "
        "AS fu_amount_outstanding, count(*) AS fu_contracts "
        f"FROM {window.table('contract')} c WHERE {visible('contract', 'c', window)} "
        f"AND c.start_date > {since} "
        "GROUP BY subject_key"
    )
    judgments = (
        "SELECT r.subject_key, "
        f"CAST(count(CASE WHEN {open_case} AND coalesce(r.conduct, '') <> 'unable_to_pay' "
        "THEN 1 END) AS DOUBLE) AS fu_enforcement_refused, "
        f"CAST(count(CASE WHEN {open_case} AND r.conduct = 'unable_to_pay' THEN 1 END) "
        "AS DOUBLE) AS fu_enforcement_unable, "
        "CAST(count(CASE WHEN r.kind = 'administrative_penalty' AND r.filed_date > "
        f"{day} - INTERVAL 24 MONTH THEN 1 END) AS DOUBLE) AS fu_penalties_24m, "
        "count(*) AS fu_judgments "
        f"FROM {window.table('judgment')} r WHERE {visible('judgment', 'r', window)} "
        f"AND r.filed_date > {since} "
        "GROUP BY r.subject_key"
    )
    return (
        "SELECT coalesce(c.subject_key, j.subject_key) AS subject_key, c.fu_fulfilled_share, "
        "coalesce(c.fu_breaches_24m, 0) AS fu_breaches_24m, "
        "coalesce(c.fu_defaults, 0) AS fu_defaults, "
        "coalesce(c.fu_amount_outstanding, 0) AS fu_amount_outstanding, "
        "coalesce(j.fu_enforcement_refused, 0) AS fu_enforcement_refused, "
        "coalesce(j.fu_enforcement_unable, 0) AS fu_enforcement_unable, "
        "coalesce(j.fu_penalties_24m, 0) AS fu_penalties_24m, "
        "coalesce(c.fu_contracts, 0) + coalesce(j.fu_judgments, 0) AS fu_records "
        f"FROM ({contracts}) c FULL OUTER JOIN ({judgments}) j ON c.subject_key = j.subject_key"
    )
