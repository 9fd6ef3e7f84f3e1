"""What the response models share: the base class and the time and number types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

__all__ = ["Body", "Public", "Term", "Timestamp", "absent", "refuse_nul"]


def refuse_nul(value: Any) -> Any:
    """``value``, unless some text in it holds a NUL character (U+0000): no store keeps
    one in text (PostgreSQL refuses it), so it is refused on every store alike."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text may not contain a NUL character (\\u0000)")
    elif isinstance(value, dict):
        for name, item in value.items():
            refuse_nul(name)
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)
    return value


class Body(BaseModel):
    """A request's body: no text in it holds a NUL character."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Public(BaseModel):
    """An answer of the API: exactly the declared fields, nothing else."""

    model_config = ConfigDict(extra="forbid")


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


#: A moment in UTC as the store keeps it: ISO 8601 without an offset
#: (``2026-03-01T09:30:00``, microseconds where the moment has them).
Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(_iso, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})?$",
            "description": "UTC, ISO 8601 (YYYY-MM-DDTHH:MM:SS), written without an offset",
            "examples": ["2026-03-01T09:30:00"],
        }
    ),
]


def absent(value: Any) -> bool:
    """For ``Field(exclude_if=absent)``: a field left out of the answer when it has no value."""
    return value is None


#: A number that is in the answer only when it applies (never ``null``).
#: Declare it with a default: ``fee_cny: Term = None``.
Term = Annotated[float | None, Field(exclude_if=absent), WithJsonSchema({"type": "number"})]
