"""``guarantee``: an obligation the person signed for someone else's debt.

The record's subject is the guarantor. The principal debtor (a person or an
organisation) is checked like a subject and replaced by its pseudonymous key:
it links guarantees into chains and circles (:mod:`socialcredit.graph`) and is
never stored, shown or named to anyone. One record is one guarantee as the lender
saw it on ``observed_date``; a later record with the same ``contract_ref`` is the
same guarantee's newer status (active, then called, then released).

A guarantee counts only if the guarantor was told what they sign before it
started (rule ``no_notice``), as the FTC's cosigner notice (16 CFR 444.3) requires
before a cosigner is obligated.
"""

from socialcredit.records.schema import PARTY_KINDS, Category, Field, Rule

CATEGORY = Category(
    negative="({a}.status = 'called' OR ({a}.status = 'active' "
    "AND {a}.principal_standing = 'overdue'))",
    name="guarantee",
    version=1,
    description="One guarantee the subject signed for a principal debtor's contract: how "
    "much, since when, whether the lender called it and what the guarantor paid.",
    fields=(
        Field(
            "principal_kind",
            "choice",
            "person (principal_id is a resident identity number) or organisation (a "
            "unified social credit code).",
            choices=PARTY_KINDS,
        ),
        Field(
            "principal_id",
            "party_id",
            "The principal debtor: a resident identity number (GB 11643) or an "
            "organisation's unified social credit code (GB 32100). Checked, then replaced "
            "by a pseudonymous key; never stored and never shown to the guarantor.",
            kind_field="principal_kind",
        ),
        Field(
            "contract_ref",
            "text",
            "The lender's reference of the guaranteed contract; records with the same "
            "reference are the same guarantee at different dates.",
            max_length=64,
        ),
        Field(
            "amount",
            "amount",
            "The most the guarantor can be called for, in yuan.",
            positive=True,
        ),
        Field("start_date", "date", "When the guarantee took effect (YYYY-MM-DD)."),
        Field(
            "end_date", "date", "When it ends by its terms; empty if open-ended.", required=False
        ),
        Field(
            "notice_date",
            "date",
            "When the guarantor was given notice of what they sign (the obligation and "
            "that they may have to pay it); must be on or before start_date.",
            required=False,
        ),
        Field(
            "status",
            "choice",
            "active (in force), called (the lender demanded payment from the guarantor) "
            "or released (the guarantor is no longer liable).",
            choices=("active", "called", "released"),
        ),
        Field(
            "principal_outstanding",
            "amount",
            "What the principal debtor still owes on the contract, in yuan; empty: the "
            "whole amount guaranteed.",
            required=False,
        ),
        Field(
            "principal_standing",
            "choice",
            "current or overdue: whether the principal debtor is behind on the contract; "
            "empty: current.",
            required=False,
            choices=("current", "overdue"),
        ),
        Field(
            "called_date",
            "date",
            "When the lender called the guarantee; required when status is called.",
            required=False,
        ),
        Field(
            "amount_called",
            "amount",
            "What the lender demanded from the guarantor, in yuan; required when called.",
            required=False,
        ),
        Field(
            "amount_paid",
            "amount",
            "What the guarantor has paid of amount_called by observed_date; empty means 0.",
            required=False,
        ),
    ),
    rules=(
        Rule(
            "no_notice",
            "notice_date",
            ("start_date",),
            "notice_date IS NULL OR notice_date > start_date",
            "the guarantor was not given notice of the obligation on or before start_date "
            "(notice_date empty or later): a guarantee signed without notice is not accepted",
        ),
        Rule(
            "end_before_start",
            "end_date",
            ("end_date", "start_date"),
            "end_date < start_date",
            "end_date is before start_date",
        ),
        Rule(
            "start_after_observed",
            "start_date",
            ("start_date", "observed_date"),
            "start_date > observed_date",
            "start_date is after observed_date",
        ),
        Rule(
            "called_without_date",
            "called_date",
            ("status",),
            "status = 'called' AND (called_date IS NULL OR amount_called IS NULL)",
            "status is 'called' but called_date or amount_called is empty",
        ),
        Rule(
            "called_before_start",
            "called_date",
            ("called_date", "start_date"),
            "called_date < start_date",
            "called_date is before start_date",
        ),
        Rule(
            "called_after_observed",
            "called_date",
            ("called_date", "observed_date"),
            "called_date > observed_date",
            "called_date is after observed_date",
        ),
        Rule(
            "called_above_amount",
            "amount_called",
            ("amount_called", "amount"),
            "amount_called > amount",
            "amount_called is above the amount guaranteed",
        ),
        Rule(
            "paid_above_called",
            "amount_paid",
            ("amount_paid",),
            "amount_paid > coalesce(amount_called, 0)",
            "amount_paid is above amount_called (or nothing was called)",
        ),
        Rule(
            "guarantees_self",
            "principal_id",
            ("principal_key",),
            "principal_key = subject_key",
            "the principal debtor is the guarantor: a person cannot guarantee their own debt",
        ),
    ),
    order=6,
)
