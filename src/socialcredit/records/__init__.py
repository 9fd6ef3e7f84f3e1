"""Record categories partners furnish, one module per category.

Only categories about a person's own obligations and verified facts are
accepted: payments, contracts, judgments and verifications.
"""

from __future__ import annotations

from socialcredit.errors import InputError
from socialcredit.records.contract import CONTRACT
from socialcredit.records.judgment import JUDGMENT
from socialcredit.records.payment import PAYMENT
from socialcredit.records.schema import COMMON_FIELDS, Category, Field, Rule, json_schema
from socialcredit.records.verification import VERIFICATION

__all__ = [
    "CATEGORIES",
    "COMMON_FIELDS",
    "Category",
    "Field",
    "Rule",
    "category",
    "json_schema",
]

CATEGORIES: dict[str, Category] = {c.name: c for c in (PAYMENT, CONTRACT, JUDGMENT, VERIFICATION)}


def category(name: str) -> Category:
    """The category called ``name``; a clear error listing the accepted ones otherwise."""
    try:
        return CATEGORIES[name]
    except KeyError:
        raise InputError(
            f"unknown record category {name!r}; accepted categories: {', '.join(CATEGORIES)}"
        ) from None
