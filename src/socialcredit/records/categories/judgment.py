"""``judgment``: court enforcement cases and administrative penalties."""

from socialcredit.records.schema import Category, Field, Rule

CATEGORY = Category(
    negative="TRUE",
    name="judgment",
    version=1,
    description="One enforcement case or administrative penalty and whether it was resolved.",
    fields=(
        Field(
            "kind",
            "choice",
            "court_enforcement (a court judgment being enforced) or administrative_penalty.",
            choices=("court_enforcement", "administrative_penalty"),
        ),
        Field("authority", "text", "The court or authority that decided it."),
        Field("case_ref", "text", "The authority's case reference.", max_length=64),
        Field("filed_date", "date", "When the case was filed (YYYY-MM-DD)."),
        Field(
            "resolved_date",
            "date",
            "When it was resolved (paid, performed or quashed); empty if open.",
            required=False,
        ),
        Field("amount", "amount", "Amount owed under the case, in yuan."),
        Field(
            "conduct",
            "choice",
            "refused_to_pay or unable_to_pay, as the authority found; "
            "empty if not stated. Inability to pay weighs less than refusal.",
            required=False,
            choices=("refused_to_pay", "unable_to_pay"),
        ),
    ),
    rules=(
        Rule(
            "resolved_before_filed",
            "resolved_date",
            ("resolved_date", "filed_date"),
            "resolved_date < filed_date",
            "resolved_date is before filed_date",
        ),
        Rule(
            "resolved_after_observed",
            "resolved_date",
            ("resolved_date", "observed_date"),
            "resolved_date > observed_date",
            "resolved_date is after observed_date",
        ),
        Rule(
            "filed_after_observed",
            "filed_date",
            ("filed_date", "observed_date"),
            "filed_date > observed_date",
            "filed_date is after observed_date",
        ),
    ),
    order=3,
)
