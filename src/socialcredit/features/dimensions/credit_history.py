"""Credit history: how bills and loan instalments were paid.

A payment's delay is what the partner saw: paid date minus due date when it
was paid in full, otherwise observed date minus due date (still unpaid when
reported). Payments due more than ``RETENTION_YEARS`` before the as-of date no
longer count.
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

__all__ = ["DIMENSION", "FEATURES", "STATE", "features"]

ID = "credit_history"

#: Days late of a payment record (alias r).
DAYS_LATE = (
    "greatest(CASE WHEN r.paid_date IS NOT NULL AND coalesce(r.amount_paid, 0) >= r.amount_due "
    "THEN date_diff('day', r.due_date, r.paid_date) "
    "ELSE date_diff('day', r.due_date, r.observed_date) END, 0)"
)

FEATURES = (
    FeatureDef(
        "ch_on_time_share",
        ID,
        "Share of bills paid on time (24 months)",
        "按时缴费比例（24个月）",
        "{value:.0%} of your bills in the last 24 months were paid on time.",
        "近24个月按时缴费的账单占{value:.0%}。",
        "payment",
        f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "ch_worst_days_late_24m",
        ID,
        "Longest delay (24 months)",
        "最长逾期天数（24个月）",
        "Your longest payment delay in the last 24 months was {value:.0f} days.",
        "近24个月最长逾期{value:.0f}天。",
        "payment",
        f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "ch_late30_count_36m",
        ID,
        "Payments 30+ days late (36 months)",
        "逾期30天以上笔数（36个月）",
        "{value:.0f} of your payments in the last 36 months were 30 or more days late.",
        "近36个月有{value:.0f}笔逾期30天以上。",
        "payment",
        f"{DAYS_LATE} >= 30 AND r.due_date > {{as_of}} - INTERVAL 36 MONTH",
    ),
    FeatureDef(
        "ch_months_since_late30",
        ID,
        "Months since a payment was 30+ days late",
        "距最近一次逾期30天以上的月数",
        "Your last payment 30 or more days late was {value:.0f} months ago.",
        "距最近一次逾期30天以上{value:.0f}个月。",
        "payment",
        f"{DAYS_LATE} >= 30",
    ),
    FeatureDef(
        "ch_history_months",
        ID,
        "Length of payment history",
        "缴费记录时长",
        "Your payment history is {value:.0f} months long.",
        "您的缴费记录时长为{value:.0f}个月。",
        "payment",
        "TRUE",
    ),
    FeatureDef(
        "ch_amount_overdue",
        ID,
        "Amount overdue",
        "逾期金额",
        "{value:,.0f} yuan of your bills is overdue.",
        "您有{value:,.0f}元账单逾期未还。",
        "payment",
        "coalesce(r.amount_paid, 0) < r.amount_due AND r.due_date < r.observed_date",
    ),
)


def _rows(window: Window) -> str:
    day = window.day
    source, predicate = counting("payment", "r", window)
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    return (
        f"SELECT r.subject_key, r.due_date, r.amount_due, r.amount_paid, {DAYS_LATE} "
        "AS days_late, coalesce(r.amount_paid, 0) < r.amount_due AND r.due_date < "
        f"r.observed_date AS overdue, r.due_date > {day} - INTERVAL 24 MONTH AS in_24m, "
        f"r.due_date > {day} - INTERVAL 36 MONTH AS in_36m FROM {source} WHERE {predicate} "
        f"AND r.due_date <= {day} AND r.due_date > {since}"
    )


#: Per person: what the features are computed from (see ``State``).
STATE = State(
    "payment",
    "p",
    _rows,
    (
        Part("pay_24m", "BIGINT", "count(CASE WHEN in_24m THEN 1 END)", "sum"),
        Part(
            "pay_on_time_24m",
            "BIGINT",
            "count(CASE WHEN in_24m AND days_late = 0 THEN 1 END)",
            "sum",
        ),
        Part("pay_worst_24m", "BIGINT", "max(CASE WHEN in_24m THEN days_late END)", "max"),
        Part(
            "pay_late30_36m",
            "BIGINT",
            "count(CASE WHEN days_late >= 30 AND in_36m THEN 1 END)",
            "sum",
        ),
        Part("pay_last_late30", "DATE", "max(CASE WHEN days_late >= 30 THEN due_date END)", "max"),
        Part("pay_first_due", "DATE", "min(due_date)", "min"),
        Part(
            "pay_overdue",
            "DECIMAL(38,2)",
            "sum(CASE WHEN overdue THEN amount_due - coalesce(amount_paid, 0) END)",
            "sum",
        ),
        Part("pay_records", "BIGINT", "count(*)", "sum"),
    ),
)


def features(window: Window) -> dict[str, str]:
    """Each feature from the state (alias ``p``); NULL where the person has none."""
    day = window.day
    return {
        "ch_on_time_share": "CASE WHEN p.pay_24m > 0 THEN "
        "CAST(p.pay_on_time_24m AS DOUBLE) / p.pay_24m END",
        "ch_worst_days_late_24m": "CASE WHEN p.subject_key IS NOT NULL THEN "
        "CAST(coalesce(p.pay_worst_24m, 0) AS DOUBLE) END",
        "ch_late30_count_36m": "CAST(p.pay_late30_36m AS DOUBLE)",
        "ch_months_since_late30": f"CAST(date_diff('month', p.pay_last_late30, {day}) AS DOUBLE)",
        "ch_history_months": f"CAST(date_diff('month', p.pay_first_due, {day}) AS DOUBLE)",
        "ch_amount_overdue": "CASE WHEN p.subject_key IS NOT NULL THEN "
        "CAST(coalesce(p.pay_overdue, 0) AS DOUBLE) END",
    }


DIMENSION = Dimension(
    id=ID,
    name_en="Credit history",
    name_zh="信用历史",
    order=1,
    features=FEATURES,
    states=(STATE,),
    expressions=features,
)
