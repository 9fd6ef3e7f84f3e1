"""Record categories partners furnish, one module per category.

Only categories about a person's own obligations and verified facts are
accepted. Each is one module of :mod:`socialcredit.records.categories`, picked up
here.
"""

from __future__ import annotations

import importlib
import pkgutil

from socialcredit.errors import InputError
from socialcredit.records import categories as _package
from socialcredit.records.schema import COMMON_FIELDS, Category, Field, Rule, json_schema

__all__ = [
    "CATEGORIES",
    "COMMON_FIELDS",
    "Category",
    "Field",
    "Rule",
    "category",
    "json_schema",
]


def _discover() -> tuple[Category, ...]:
    found = []
    for info in pkgutil.iter_modules(_package.__path__):
        module = importlib.import_module(f"{_package.__name__}.{info.name}")
        declared = getattr(module, "CATEGORY", None)
        if isinstance(declared, Category):
            found.append(declared)
    return tuple(sorted(found, key=lambda c: (c.order, c.name)))


#: category name -> its declaration, every module of :mod:`socialcredit.records.categories`
CATEGORIES: dict[str, Category] = {c.name: c for c in _discover()}


def category(name: str) -> Category:
    """The category called ``name``; a clear error listing the accepted ones otherwise."""
    try:
        return CATEGORIES[name]
    except KeyError:
        raise InputError(
            f"unknown record category {name!r}; accepted categories: {', '.join(CATEGORIES)}"
        ) from None
