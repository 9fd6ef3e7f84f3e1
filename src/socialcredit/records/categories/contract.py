"""``contract``: obligations to third parties (rentals, deposits, rides, deliveries, services).

Version 2 adds ``role``, the person's liability under the contract as Metro 2 reports
it with ECOA codes: ``individual`` (1), ``joint`` (2, the primary party of a joint
contract), ``co_borrower`` (2, another party equally liable) and ``guarantor`` (5,
liable only if the principal does not pay). Files without the column stay valid:
an empty role is ``individual``.
"""

from socialcredit.records.schema import Category, Field, Rule

CATEGORY = Category(
    negative="{a}.status IN ('breached', 'defaulted')",
    name="contract",
    version=2,
    description="One contract with a third party and whether it was fulfilled.",
    fields=(
        Field(
            "kind",
            "choice",
            "What the contract is.",
            choices=(
                "rental",
                "deposit",
                "ride",
                "delivery",
                "service",
                "lease",
            ),
        ),
        Field("start_date", "date", "When the contract started (YYYY-MM-DD)."),
        Field("due_date", "date", "When it had to be fulfilled (YYYY-MM-DD)."),
        Field(
            "fulfilled_date", "date", "When it was fulfilled; empty if not (yet).", required=False
        ),
        Field(
            "status",
            "choice",
            "fulfilled, breached (late or partly), defaulted (not at "
            "all) or open (not yet due or not yet settled).",
            choices=("fulfilled", "breached", "defaulted", "open"),
        ),
        Field("value", "amount", "Value of the contract, in yuan."),
        Field(
            "role",
            "choice",
            "The person's liability (Metro 2 ECOA code): individual (1), joint (2), "
            "co_borrower (2: another party equally liable) or guarantor (5: liable only if "
            "the principal does not pay; not counted as the person's own fulfilment: a "
            "guarantee is furnished as a guarantee record, which names the principal). "
            "Empty: individual.",
            required=False,
            choices=("individual", "joint", "co_borrower", "guarantor"),
        ),
    ),
    rules=(
        Rule(
            "due_before_start",
            "due_date",
            ("due_date", "start_date"),
            "due_date < start_date",
            "due_date is before start_date",
        ),
        Rule(
            "fulfilled_before_start",
            "fulfilled_date",
            ("fulfilled_date", "start_date"),
            "fulfilled_date < start_date",
            "fulfilled_date is before start_date",
        ),
        Rule(
            "fulfilled_without_date",
            "fulfilled_date",
            ("status",),
            "status = 'fulfilled' AND fulfilled_date IS NULL",
            "status is 'fulfilled' but fulfilled_date is empty",
        ),
        Rule(
            "fulfilled_after_observed",
            "fulfilled_date",
            ("fulfilled_date", "observed_date"),
            "fulfilled_date > observed_date",
            "fulfilled_date is after observed_date",
        ),
        Rule(
            "start_after_observed",
            "start_date",
            ("start_date", "observed_date"),
            "start_date > observed_date",
            "start_date is after observed_date",
        ),
    ),
    order=2,
)
