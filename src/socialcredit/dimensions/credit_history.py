"""Credit history: how bills and loan instalments were paid.

A payment's delay is what the partner saw: paid date minus due date when it
was paid in full, otherwise observed date minus due date (still unpaid when
reported). Payments due more than ``RETENTION_YEARS`` before the as-of date no
longer count.
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

DIMENSION = "credit_history"

#: Days late of a payment record (alias r).
DAYS_LATE = (
    "greatest(CASE WHEN r.paid_date IS NOT NULL AND coalesce(r.amount_paid, 0) >= r.amount_due "
    "THEN date_diff('day', r.due_date, r.paid_date) "
    "ELSE date_diff('day', r.due_date, r.observed_date) END, 0)"
)

FEATURES = (
    FeatureDef(
        "ch_on_time_share",
        DIMENSION,
        "Share of bills paid on time (24 months)",
        "按时缴费比例（24个月）",
        "{value:.0%} of your bills in the last 24 months were paid on time.",
        "近24个月按时缴费的账单占{value:.0%}。",
        "payment",
        f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "ch_worst_days_late_24m",
        DIMENSION,
        "Longest delay (24 months)",
        "最长逾期天数（24个月）",
        "Your longest payment delay in the last 24 months was {value:.0f} days.",
        "近24个月最长逾期{value:.0f}天。",
        "payment",
        f"{DAYS_LATE} > 0 AND r.due_date > {{as_of}} - INTERVAL 24 MONTH",
    ),
    FeatureDef(
        "ch_late30_count_36m",
        DIMENSION,
        "Payments 30+ days late (36 months)",
        "逾期30天以上笔数（36个月）",
        "{value:.0f} of your payments in the last 36 months were 30 or more days late.",
        "近36个月有{value:.0f}笔逾期30天以上。",
        "payment",
        f"{DAYS_LATE} >= 30 AND r.due_date > {{as_of}} - INTERVAL 36 MONTH",
    ),
    FeatureDef(
        "ch_months_since_late30",
        DIMENSION,
        "Months since a payment was 30+ days late",
        "距最近一次逾期30天以上的月数",
        "Your last payment 30 or more days late was {value:.0f} months ago.",
        "距最近一次逾期30天以上{value:.0f}个月。",
        "payment",
        f"{DAYS_LATE} >= 30",
    ),
    FeatureDef(
        "ch_history_months",
        DIMENSION,
        "Length of payment history",
        "缴费记录时长",
        "Your payment history is {value:.0f} months long.",
        "您的缴费记录时长为{value:.0f}个月。",
        "payment",
        "TRUE",
    ),
    FeatureDef(
        "ch_amount_overdue",
        DIMENSION,
        "Amount overdue",
        "逾期金额",
        "{value:,.0f} yuan of your bills is overdue.",
        "您有{value:,.0f}元账单逾期未还。",
        "payment",
        "coalesce(r.amount_paid, 0) < r.amount_due AND r.due_date < r.observed_date",
    ),
)


def query(window: Window) -> str:
    """Credit-history features per subject in ``window``."""
    day = window.day
    since = date_literal(years_before(window.as_of, RETENTION_YEARS))
    return (
        f"SELECT subject_key, "
        f"CAST(avg(CASE WHEN due_date > {day} - INTERVAL 24 MONTH THEN "
        "CASE WHEN days_late = 0 THEN 1.0 ELSE 0.0 END END) AS DOUBLE) AS ch_on_time_share, "
        f"CAST(coalesce(max(CASE WHEN due_date > {day} - INTERVAL 24 MONTH THEN days_late END), "
        "0) AS DOUBLE) AS ch_worst_days_late_24m, "
        f"CAST(count(CASE WHEN days_late >= 30 AND due_date > {day} - INTERVAL 36 MONTH "
        "THEN 1 END) AS DOUBLE) AS ch_late30_count_36m, "
        f"CAST(date_diff('month', max(CASE WHEN days_late >= 30 THEN due_date END), {day}) "
        "AS DOUBLE) AS ch_months_since_late30, "
        f"CAST(date_diff('month', min(due_date), {day}) AS DOUBLE) AS ch_history_months, "
        "CAST(coalesce(sum(CASE WHEN overdue THEN amount_due - coalesce(amount_paid, 0) END), 0) "
        "AS DOUBLE) AS ch_amount_overdue, "
        "count(*) AS ch_payments "
        f"FROM (SELECT r.subject_key, r.due_date, r.amount_due, r.amount_paid, {DAYS_LATE} "
        "AS days_late, coalesce(r.amount_paid, 0) < r.amount_due AND r.due_date < "
        f"r.observed_date AS overdue FROM {window.table('payment')} r "
        f"WHERE {visible('payment', 'r', window)} "
        f"AND r.due_date <= {day} AND r.due_date > {since}) p GROUP BY subject_key"
    )
