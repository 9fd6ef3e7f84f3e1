"""``payment``: bills and loan instalments (utilities, phone, rent, loans, cards...)."""

from socialcredit.records.schema import Category, Field, Rule

CATEGORY = Category(
    negative="({a}.paid_date > {a}.due_date OR (coalesce({a}.amount_paid, 0) < {a}.amount_due "
    "AND {a}.due_date < {a}.observed_date))",
    name="payment",
    version=1,
    description="One bill or instalment: what was due, when, and what was paid when.",
    fields=(
        Field(
            "kind",
            "choice",
            "What the payment is for.",
            choices=(
                "utility",
                "phone",
                "internet",
                "rent",
                "loan",
                "card",
                "insurance",
                "subscription",
            ),
        ),
        Field("due_date", "date", "When the amount fell due (YYYY-MM-DD)."),
        Field(
            "paid_date",
            "date",
            "When it was paid in full or last paid; empty if unpaid.",
            required=False,
        ),
        Field("amount_due", "amount", "Amount due, in yuan.", positive=True),
        Field(
            "amount_paid", "amount", "Amount paid by observed_date; empty means 0.", required=False
        ),
    ),
    rules=(
        Rule(
            "paid_after_observed",
            "paid_date",
            ("paid_date", "observed_date"),
            "paid_date > observed_date",
            "paid_date is after observed_date: a payment cannot be reported before it is made",
        ),
        Rule(
            "paid_amount_without_date",
            "paid_date",
            ("amount_paid",),
            "amount_paid > 0 AND paid_date IS NULL",
            "amount_paid is above 0 but paid_date is empty; give the date of the payment",
        ),
    ),
    order=1,
)
