"""``account_flow``: one account's month in totals, shared by a bank or payment partner
only while the person consents (purpose ``cash_flow_sharing``).

Totals only: what came in, what went out, the balances, overdrafts, and whether
recurring bills were paid on time. Never what was bought, where, or from whom: a
column naming a merchant, a product, a place or a counterparty is refused
(:mod:`socialcredit.records.forbidden`, rule ``purchases_or_lifestyle``).
"""

from socialcredit.records.schema import Category, Field, Rule

#: the consent purpose a partner needs from the person to furnish these records
PURPOSE = "cash_flow_sharing"

CATEGORY = Category(
    negative="({a}.overdraft_events > 0 OR {a}.insufficient_funds_events > 0 "
    "OR {a}.bills_late > 0)",
    name="account_flow",
    version=1,
    description="One account's month in totals (money in and out, balances, overdrafts, "
    "recurring bills), shared only while the person consents to it (purpose "
    "cash_flow_sharing, at most 365 days); never what was bought, where or from whom.",
    fields=(
        Field(
            "account_ref",
            "text",
            "The partner's opaque reference of the account (not the account number); one "
            "row per account and month.",
            max_length=64,
        ),
        Field("month", "date", "The first day of the month summarised (YYYY-MM-01)."),
        Field("inflows", "amount", "Everything credited to the account in the month, in yuan."),
        Field(
            "income_credits",
            "count",
            "How many of the month's credits were income (wages, pension, benefits, "
            "business income).",
        ),
        Field(
            "regular_payer",
            "choice",
            "yes when the income came from the same payer at a steady interval (a salary, "
            "a pension), no otherwise.",
            choices=("yes", "no"),
        ),
        Field("outflows", "amount", "Everything debited from the account in the month, in yuan."),
        Field(
            "end_balance",
            "amount",
            "Balance at the end of the month, in yuan; negative when overdrawn.",
            signed=True,
        ),
        Field(
            "min_balance",
            "amount",
            "Lowest end-of-day balance in the month, in yuan; negative when overdrawn.",
            signed=True,
        ),
        Field(
            "overdraft_events",
            "count",
            "Days in the month the account went from a positive balance into overdraft.",
        ),
        Field(
            "insufficient_funds_events",
            "count",
            "Payments refused or returned in the month for insufficient funds.",
        ),
        Field(
            "bills_on_time",
            "count",
            "Recurring bills (direct debits, standing orders) paid from the account on time.",
        ),
        Field("bills_late", "count", "Recurring bills paid late or returned unpaid."),
    ),
    rules=(
        Rule(
            "month_not_first_day",
            "month",
            ("month",),
            "day(month) <> 1",
            "month must be the first day of the month summarised (YYYY-MM-01)",
        ),
        Rule(
            "month_not_over",
            "month",
            ("month", "observed_date"),
            "observed_date <= last_day(month)",
            "month has not ended by observed_date: a month is reported once it is over, "
            "so a month in the future or the current month is refused",
        ),
        Rule(
            "income_without_inflows",
            "income_credits",
            ("income_credits", "inflows"),
            "income_credits > 0 AND inflows = 0",
            "income_credits is above 0 but inflows is 0: income is part of the inflows",
        ),
        Rule(
            "regular_payer_without_income",
            "regular_payer",
            ("regular_payer", "income_credits"),
            "regular_payer = 'yes' AND income_credits = 0",
            "regular_payer is 'yes' but income_credits is 0",
        ),
        Rule(
            "min_balance_above_end",
            "min_balance",
            ("min_balance", "end_balance"),
            "min_balance > end_balance",
            "min_balance is above end_balance: the lowest balance of the month cannot be "
            "above the balance it ended with",
        ),
    ),
    order=5,
    consent=PURPOSE,
)
