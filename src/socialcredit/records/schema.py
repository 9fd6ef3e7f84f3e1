"""How a record category is described: typed fields and cross-field rules.

A category is data (name, version, fields, rules); :mod:`socialcredit.ingest.validate`
compiles it into one engine query that types every value and collects every
problem, and :func:`json_schema` publishes it for partners.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "COMMON_FIELDS",
    "COMMON_RULES",
    "FUTURE_ALLOWANCE_DAYS",
    "LATEST_OBSERVED",
    "PARTY_KINDS",
    "Category",
    "Field",
    "Rule",
    "json_schema",
]

FieldType = Literal["text", "date", "amount", "count", "choice", "resident_id", "party_id"]

#: The values of the choice field that says what kind of party a ``party_id`` names.
PARTY_KINDS = ("person", "organisation")


@dataclass(frozen=True, slots=True)
class Field:
    """One column of a record file."""

    name: str
    type: FieldType
    description: str
    required: bool = True
    choices: tuple[str, ...] = ()
    max_length: int = 200
    #: for amounts: the smallest value allowed (inclusive unless ``positive``)
    positive: bool = False
    #: for amounts: any sign (a balance may be overdrawn); otherwise at least 0
    signed: bool = False
    #: for a ``party_id``: the choice field (values :data:`PARTY_KINDS`) saying whether it
    #: is a person's resident ID or an organisation's unified social credit code
    kind_field: str = ""

    def sql_type(self) -> str:
        return {
            "text": "VARCHAR",
            "date": "DATE",
            "amount": "DECIMAL(18,2)",
            "count": "BIGINT",
            "choice": "VARCHAR",
            "resident_id": "VARCHAR",
            "party_id": "VARCHAR",
        }[self.type]

    @property
    def column(self) -> str:
        """The lake column: the field's name, but a ``party_id`` (``principal_id``) is
        checked and replaced by its pseudonymous key (``principal_key``), never stored."""
        if self.type == "party_id":
            return self.name.removesuffix("_id") + "_key"
        return self.name


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule across fields. ``breaks`` is SQL over typed columns, TRUE when broken.

    It is only evaluated when every column it names is present and well typed.
    """

    code: str
    field: str
    uses: tuple[str, ...]
    breaks: str
    message: str


COMMON_FIELDS: tuple[Field, ...] = (
    Field(
        "record_id",
        "text",
        "The partner's own identifier of the record, unique per partner "
        "and category. Re-sending a record with the same id adds nothing.",
        max_length=64,
    ),
    Field(
        "resident_id",
        "resident_id",
        "The subject's 18-character resident identity number "
        "(GB 11643). Checked, then replaced by a pseudonymous subject key; never stored.",
    ),
    Field(
        "observed_date",
        "date",
        "When the partner observed the facts in the record "
        "(YYYY-MM-DD). A score as of a date uses only records observed by then.",
    ),
)


#: Placeholder in a rule's SQL for the latest acceptable observed date: the day the
#: batch is received plus the clock allowance (filled in at validation).
LATEST_OBSERVED = "{latest_observed}"
#: Default clock allowance: a partner's day may start before ours (time zones, clocks).
FUTURE_ALLOWANCE_DAYS = 1

#: Rules every category has, checked before its own.
COMMON_RULES: tuple[Rule, ...] = (
    Rule(
        "observed_in_future",
        "observed_date",
        ("observed_date",),
        f"observed_date > {LATEST_OBSERVED}",
        "observed_date is after the day the batch was received (plus the clock allowance, "
        "SOCIALCREDIT_CLOCK_ALLOWANCE_DAYS): a record cannot report what has not happened yet",
    ),
)


@dataclass(frozen=True, slots=True)
class Category:
    """A record category: its own fields after the common ones, and its rules."""

    name: str
    version: int
    description: str
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...] = field(default=())
    #: SQL over a record (alias ``{a}``): TRUE when the record counts against the
    #: person, so that it waits out the notice period before it counts
    negative: str = "FALSE"
    #: position among the categories (lake tables, schema listings)
    order: int = 0
    #: the purpose of the consent a record needs (:mod:`socialcredit.records.consent`):
    #: a row is accepted, and counts, only while the person lets the furnishing partner
    #: share it for this purpose; empty: records count without one
    consent: str = ""

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return COMMON_FIELDS + self.fields

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        return COMMON_RULES + self.rules

    def field(self, name: str) -> Field:
        for item in self.all_fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def table(self) -> str:
        """Lake table holding the accepted records of this category."""
        return f"rec_{self.name}"

    @property
    def shown_fields(self) -> tuple[Field, ...]:
        """The fields read back from the lake (reports, exports): all but the
        pseudonymous keys of other parties, which nobody is shown."""
        return tuple(f for f in self.fields if f.type != "party_id")


def json_schema(category: Category) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one record of ``category``, as partners send it."""
    properties: dict[str, Any] = {}
    for item in category.all_fields:
        prop: dict[str, Any] = {"description": item.description}
        if item.type == "date":
            prop |= {"type": "string", "format": "date"}
        elif item.type == "amount":
            prop |= {"type": ["number", "string"]}
            if not item.signed:
                prop["minimum"] = 0
            if item.positive:
                prop["exclusiveMinimum"] = 0
        elif item.type == "count":
            prop |= {"type": ["integer", "string"], "minimum": 0, "pattern": "^[0-9]+$"}
        elif item.type == "choice":
            prop |= {"type": "string", "enum": list(item.choices)}
        elif item.type == "resident_id":
            prop |= {"type": "string", "pattern": "^[0-9]{17}[0-9Xx]$"}
        elif item.type == "party_id":
            prop |= {
                "type": "string",
                "pattern": "^([0-9]{17}[0-9Xx]|[0-9]{8}[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{10})$",
            }
        else:
            prop |= {"type": "string", "maxLength": item.max_length}
        properties[item.name] = prop
    properties["partner_id"] = {
        "type": "string",
        "description": "Optional; when present it must equal the partner the batch is sent for.",
    }
    document: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"socialcredit:records/{category.name}/v{category.version}",
        "title": f"{category.name} record, version {category.version}",
        "description": category.description,
        "type": "object",
        "properties": properties,
        "required": [f.name for f in category.all_fields if f.required],
        "additionalProperties": False,
        "x-rules": [
            {"code": r.code, "field": r.field, "message": r.message} for r in category.all_rules
        ],
    }
    if category.consent:
        # rows need the person's live consent for the partner and this purpose
        document["x-consent-purpose"] = category.consent
    return document
