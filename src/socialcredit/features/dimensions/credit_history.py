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
        name="ch_on_time_share",
        dimension=ID,
        label="Share of bills paid on time (24 months)",
        label_zh="按时缴费比例（24个月）",
        en="{value:.0%} of your bills in the last 24 months were paid on time.",
        zh="近24个月按时缴费的账单占{value:.0%}。",
        category="payment",
        evidence=f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        name="ch_worst_days_late_24m",
        dimension=ID,
        label="Longest delay (24 months)",
        label_zh="最长逾期天数（24个月）",
        en="Your longest payment delay in the last 24 months was {value:.0f} days.",
        zh="近24个月最长逾期{value:.0f}天。",
        category="payment",
        evidence=f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        name="ch_late30_count_36m",
        dimension=ID,
        label="Payments 30+ days late (36 months)",
        label_zh="逾期30天以上笔数（36个月）",
        en="{value:.0f} of your payments in the last 36 months were 30 or more days late.",
        zh="近36个月有{value:.0f}笔逾期30天以上。",
        category="payment",
        evidence=f"{DAYS_LATE} >= 30 AND r.due_date > {{as_of}} - INTERVAL 36 MONTH",
    ),
    FeatureDef(
        name="ch_months_since_late30",
        dimension=ID,
        label="Months since a payment was 30+ days late",
        label_zh="距最近一次逾期30天以上的月数",
        en="Your last payment 30 or more days late was {value:.0f} months ago.",
        zh="距最近一次逾期30天以上{value:.0f}个月。",
        category="payment",
        evidence=f"{DAYS_LATE} >= 30",
    ),
    FeatureDef(
        name="ch_history_months",
        dimension=ID,
        label="Length of payment history",
        label_zh="缴费记录时长",
        en="Your payment history is {value:.0f} months long.",
        zh="您的缴费记录时长为{value:.0f}个月。",
        category="payment",
        evidence="TRUE",
    ),
    FeatureDef(
        name="ch_amount_overdue",
        dimension=ID,
        label="Amount overdue",
        label_zh="逾期金额",
        en="{value:,.0f} yuan of your bills is overdue.",
        zh="您有{value:,.0f}元账单逾期未还。",
        category="payment",
        evidence="coalesce(r.amount_paid, 0) < r.amount_due AND r.due_date < r.observed_date",
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
    category="payment",
    alias="p",
    rows=_rows,
    parts=(
        Part(name="pay_24m", type="BIGINT", agg="count(CASE WHEN in_24m THEN 1 END)", merge="sum"),
        Part(
            name="pay_on_time_24m",
            type="BIGINT",
            agg="count(CASE WHEN in_24m AND days_late = 0 THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="pay_worst_24m",
            type="BIGINT",
            agg="max(CASE WHEN in_24m THEN days_late END)",
            merge="max",
        ),
        Part(
            name="pay_late30_36m",
            type="BIGINT",
            agg="count(CASE WHEN days_late >= 30 AND in_36m THEN 1 END)",
            merge="sum",
        ),
        Part(
            name="pay_last_late30",
            type="DATE",
            agg="max(CASE WHEN days_late >= 30 THEN due_date END)",
            merge="max",
        ),
        Part(name="pay_first_due", type="DATE", agg="min(due_date)", merge="min"),
        Part(
            name="pay_overdue",
            type="DECIMAL(38,2)",
            agg="sum(CASE WHEN overdue THEN amount_due - coalesce(amount_paid, 0) END)",
            merge="sum",
        ),
        Part(name="pay_records", type="BIGINT", agg="count(*)", merge="sum"),
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
