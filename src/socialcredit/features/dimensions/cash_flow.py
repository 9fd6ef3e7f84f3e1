"""Cash flow, shared with consent: how a person manages money, from the monthly
totals of the accounts they let a bank or payment partner share (``account_flow``).

Only months of the last 12 before the as-of date count, and only while the person's
consent for that partner lasts (:mod:`socialcredit.records.consent`): a withdrawal
takes the partner's months out at once. Totals only: what was bought, where and
from whom is never received, so it is never read.

Nobody is scored lower for not sharing: a person without counting months has no
value for any feature here, and the scorecard gives such a feature 0 points and
never names it as a reason (its features are ``consented``).

The per-person state keeps sets of months as bits (bit *i*: *i* months before the
as-of month), combined by OR, and sums; two states combine into exactly what all
their records would give.
"""

from __future__ import annotations

from socialcredit.features.base import (
    Dimension,
    FeatureDef,
    Part,
    State,
    Window,
    counting,
)

__all__ = ["DIMENSION", "FEATURES", "STATE", "features"]

ID = "cash_flow"
CATEGORY = "account_flow"

#: the months of the last 12 (alias r, ``{as_of}``): what every feature reads
_IN_12M = "r.month > {as_of} - INTERVAL 12 MONTH"
_OVERDRAWN = "(r.overdraft_events > 0 OR r.insufficient_funds_events > 0)"


def _overdrafts(months: int) -> FeatureDef:
    return FeatureDef(
        name=f"cf_overdrafts_{months}m",
        dimension=ID,
        label=f"Overdrafts and refused payments ({months} months)",
        label_zh=f"透支及余额不足拒付次数（{months}个月）",
        en=f"Overdrafts and payments refused for lack of funds on your shared accounts in "
        f"the last {months} months: {{value:.0f}}.",
        zh=f"近{months}个月您共享的账户透支或因余额不足拒付{{value:.0f}}次。",
        category=CATEGORY,
        evidence=f"{_OVERDRAWN} AND r.month > {{as_of}} - INTERVAL {months} MONTH",
    )


FEATURES = (
    FeatureDef(
        name="cf_income_regularity",
        dimension=ID,
        label="Months with regular income (12 months)",
        label_zh="有稳定收入的月份占比（12个月）",
        en="Regular income reached your shared accounts in {value:.0%} of the months "
        "shared in the last 12 months.",
        zh="近12个月您共享账户的月份中，有{value:.0%}收到稳定收入。",
        category=CATEGORY,
        evidence=f"(r.regular_payer = 'no' OR r.income_credits = 0) AND {_IN_12M}",
    ),
    FeatureDef(
        name="cf_buffer_months",
        dimension=ID,
        label="Months of outgoings covered by balances (6 months)",
        label_zh="余额可覆盖的支出月数（6个月）",
        en="Over the last 6 months the month-end balances of your shared accounts covered "
        "{value:.1f} months of their outgoings.",
        zh="近6个月您共享账户的月末余额可覆盖{value:.1f}个月的支出。",
        category=CATEGORY,
        evidence="r.month > {as_of} - INTERVAL 6 MONTH",
    ),
    _overdrafts(3),
    _overdrafts(6),
    _overdrafts(12),
    FeatureDef(
        name="cf_bills_on_time_share",
        dimension=ID,
        label="Recurring bills paid on time from shared accounts (12 months)",
        label_zh="共享账户定期账单按时支付比例（12个月）",
        en="{value:.0%} of the recurring bills paid from your shared accounts in the last "
        "12 months were paid on time.",
        zh="近12个月您共享账户支付的定期账单中，按时支付的占{value:.0%}。",
        category=CATEGORY,
        evidence=f"r.bills_late > 0 AND {_IN_12M}",
    ),
)


def _rows(window: Window) -> str:
    """The counting months of the last 12, each with its bit (months before the as-of
    month: 0 for the as-of month itself)."""
    day = window.day
    source, predicate = counting(CATEGORY, "r", window)
    ago = f"date_diff('month', r.month, {day})"
    return (
        f"SELECT r.subject_key, {ago} AS ago, CAST(power(2, {ago}) AS BIGINT) AS bit, "
        "r.regular_payer = 'yes' AND r.income_credits > 0 AS regular, r.outflows, "
        "r.end_balance, r.overdraft_events + r.insufficient_funds_events AS overdrafts, "
        f"r.bills_on_time, r.bills_late FROM {source} WHERE {predicate} "
        f"AND r.month > {day} - INTERVAL 12 MONTH AND r.month <= {day}"
    )


def _within(months: int, what: str) -> str:
    return f"sum(CASE WHEN ago < {months} THEN {what} END)"


#: Per person: what the features are computed from (see ``State``).
STATE = State(
    category=CATEGORY,
    alias="cf",
    rows=_rows,
    parts=(
        Part(name="cf_months", type="BIGINT", agg="bit_or(bit)", merge="or"),
        Part(
            name="cf_regular_months",
            type="BIGINT",
            agg="bit_or(CASE WHEN regular THEN bit END)",
            merge="or",
        ),
        Part(
            name="cf_balance_6m", type="DECIMAL(38,2)", agg=_within(6, "end_balance"), merge="sum"
        ),
        Part(name="cf_outflows_6m", type="DECIMAL(38,2)", agg=_within(6, "outflows"), merge="sum"),
        Part(name="cf_overdrafts_3m", type="BIGINT", agg=_within(3, "overdrafts"), merge="sum"),
        Part(name="cf_overdrafts_6m", type="BIGINT", agg=_within(6, "overdrafts"), merge="sum"),
        Part(name="cf_overdrafts_12m", type="BIGINT", agg="sum(overdrafts)", merge="sum"),
        Part(name="cf_bills_on_time", type="BIGINT", agg="sum(bills_on_time)", merge="sum"),
        Part(name="cf_bills_late", type="BIGINT", agg="sum(bills_late)", merge="sum"),
        Part(name="cf_records", type="BIGINT", agg="count(*)", merge="sum"),
    ),
)


def _seen_within(months: int) -> str:
    """Some month of the last ``months`` was shared."""
    return f"(cf.cf_months & {2**months - 1}) <> 0"


def features(window: Window) -> dict[str, str]:
    """Each feature from the state (alias ``cf``); NULL where the person shared no month
    of the feature's window."""

    def overdrafts(months: int) -> str:
        column = f"cf.cf_overdrafts_{months}m"
        return f"CASE WHEN {_seen_within(months)} THEN CAST(coalesce({column}, 0) AS DOUBLE) END"

    bills = "coalesce(cf.cf_bills_on_time, 0) + coalesce(cf.cf_bills_late, 0)"
    return {
        "cf_income_regularity": "CASE WHEN cf.cf_months <> 0 THEN "
        "CAST(bit_count(coalesce(cf.cf_regular_months, 0)) AS DOUBLE) / "
        "bit_count(cf.cf_months) END",
        "cf_buffer_months": f"CASE WHEN {_seen_within(6)} THEN "
        "CAST(coalesce(cf.cf_balance_6m, 0) AS DOUBLE) / "
        "greatest(CAST(coalesce(cf.cf_outflows_6m, 0) AS DOUBLE), 1.0) END",
        "cf_overdrafts_3m": overdrafts(3),
        "cf_overdrafts_6m": overdrafts(6),
        "cf_overdrafts_12m": overdrafts(12),
        "cf_bills_on_time_share": f"CASE WHEN {bills} > 0 THEN "
        f"CAST(coalesce(cf.cf_bills_on_time, 0) AS DOUBLE) / ({bills}) END",
    }


DIMENSION = Dimension(
    id=ID,
    name_en="Cash flow (shared with consent)",
    name_zh="资金流水（经本人同意共享）",
    order=4,
    features=FEATURES,
    states=(STATE,),
    expressions=features,
)
