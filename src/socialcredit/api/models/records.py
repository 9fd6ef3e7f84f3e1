"""Records as they are read back, and what a furnished batch gave.

A record's model is made from its category's declaration
(:mod:`socialcredit.records.categories`): a new category is described in the
OpenAPI document, and checked in every answer, without an edit here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from socialcredit.api.models.base import Public, absent
from socialcredit.lake.schema import record_columns
from socialcredit.records import CATEGORIES, Category

__all__ = [
    "RECORD_MODELS",
    "AnyRecord",
    "BatchPublic",
    "PendingRecord",
    "RecordsByCategory",
    "RejectedRow",
]

#: a record field's lake type (:meth:`socialcredit.records.Field.sql_type`) -> its JSON value
_TYPES: dict[str, Any] = {
    "VARCHAR": str,
    "DATE": dt.date,
    "DECIMAL": float,
    "BIGINT": int,
    "INTEGER": int,
    "DOUBLE": float,
    "BOOLEAN": bool,
}
_CONFIG = ConfigDict(extra="forbid")


def _one_of(values: tuple[str, ...]) -> Any:
    return Literal[values]


def _record_model(category: Category) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "partner_id": (str, Field(description="The partner that furnished the record")),
        "record_id": (str, Field(description=category.field("record_id").description)),
        "observed_date": (dt.date, Field(description=category.field("observed_date").description)),
    }
    columns = record_columns(category)  # the common columns, then one per field, in order
    own = columns[len(columns) - len(category.fields) :]
    for (column, sql_type), item in zip(own, category.fields, strict=True):
        if item not in category.shown_fields:  # another party's key: never read back
            continue
        kind = _one_of(item.choices) if item.choices else _TYPES[sql_type.split("(")[0]]
        fields[column] = (
            kind if item.required else kind | None,
            Field(description=item.description),
        )
    model: type[BaseModel] = create_model(
        f"{category.name.title().replace('_', '')}Record",
        __config__=_CONFIG,
        __doc__=f"One {category.name} record. {category.description}",
        **fields,
    )
    return model


def _pending_model(name: str, record: type[BaseModel]) -> type[BaseModel]:
    model: type[BaseModel] = create_model(
        f"Pending{record.__name__}",
        __base__=record,
        __doc__=f"A negative {name} record that does not count yet.",
        category=(_one_of((name,)), Field(description="The record's category")),
        counts_from=(
            dt.date,
            Field(description="The day it starts counting, unless the person disputes it"),
        ),
    )
    return model


#: category name -> the model of one of its records, as read back
RECORD_MODELS: dict[str, type[BaseModel]] = {
    name: _record_model(category) for name, category in CATEGORIES.items()
}

if TYPE_CHECKING:
    AnyRecord = BaseModel
    PendingRecord = BaseModel
    RecordsByCategory = BaseModel
else:
    #: One record of any category (the fields tell which).
    AnyRecord = Union[tuple(RECORD_MODELS.values())]  # noqa: UP007
    #: A negative record waiting out the notice period, with its category.
    PendingRecord = Annotated[
        Union[tuple(_pending_model(n, m) for n, m in RECORD_MODELS.items())],  # noqa: UP007
        Field(discriminator="category"),
    ]
    RecordsByCategory = create_model(
        "RecordsByCategory",
        __config__=_CONFIG,
        __doc__="Every record on file, by category, newest observation first.",
        **{name: (list[model], ...) for name, model in RECORD_MODELS.items()},
    )


class RejectedRow(Public):
    """One problem with one row of a batch (a row can have several)."""

    row: str = Field(description="The row of the file, counting records from 1")
    field: str = Field(description="The field at fault (empty when the row could not be read)")
    value: str = Field(description="The value as sent (resident IDs masked)")
    rule: str = Field(description="The rule it breaks")
    message: str


class BatchPublic(Public):
    """What happened to one furnished file: ``rows = accepted + rejected + duplicates``."""

    batch_id: str
    partner: str
    category: str
    file: str
    file_sha256: str
    format: Literal["csv", "jsonl", "parquet"]
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    elapsed_s: float
    rejected_rows: list[RejectedRow] = Field(description="The first 1,000 problems")
    replayed: bool | None = Field(
        default=None,
        exclude_if=absent,
        description="Present (true) when the Idempotency-Key was seen before: the first "
        "answer, nothing ingested again",
    )
