"""Compile a record category into one engine query that types every value and
collects every problem of every row.

The query's output has the typed columns, ``_ord`` (the row's parse position)
and ``_errors``: a ``;``-separated list of ``field:code`` items, empty for a
valid row. No Python runs per row; :func:`describe` turns the codes of the few
rejected rows into messages.
"""

from __future__ import annotations

from socialcredit.identity import sql as id_sql
from socialcredit.records import Category, Field

__all__ = ["RAW_PREFIX", "checked_sql", "describe"]

RAW_PREFIX = "r_"
_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

#: code -> message template; {field} and {choices} are filled in.
_MESSAGES = {
    "required": "{field} is required but empty",
    "too_long": "{field} is longer than {max_length} characters",
    "not_a_date": "{field} is not a date (expected YYYY-MM-DD)",
    "not_an_amount": "{field} is not an amount (expected a number such as 120.50)",
    "negative": "{field} is negative",
    "not_positive": "{field} must be above 0",
    "not_a_choice": "{field} is not one of: {choices}",
    "format": "{field} is malformed (expected 17 digits and a check character 0-9 or X)",
    "checksum": "{field} has a wrong check character (ISO 7064 MOD 11-2); probably mistyped",
    "birth_date": "{field}: digits 7-14 are not a calendar date",
    "region": "{field}: the region code (digits 1-6) was not assigned in the birth year",
    "wrong_partner": "partner_id differs from the partner this batch was sent for",
    "conflict": "record_id was already received with different content; corrections to a "
    "record on file go through the dispute process",
    "conflict_in_file": "record_id appears earlier in this file with different content",
    "unparseable": "the line could not be parsed",
}


def _raw(field: Field, present: set[str], types: dict[str, str]) -> str:
    """The value as text, trimmed, empty -> NULL; typed columns pass through."""
    if field.name not in present:
        return "NULL"
    kind = types.get(field.name)
    if (field.type, kind) in {("date", "date"), ("amount", "number")}:
        return field.name
    return f"nullif(trim(CAST({field.name} AS VARCHAR)), '')"


def _typed(field: Field, raw: str, types: dict[str, str]) -> str:
    if field.type == "date":
        if types.get(field.name) == "date":
            return f"CAST({raw} AS DATE)"
        return (
            f"CASE WHEN regexp_matches({raw}, '{_DATE_PATTERN}') THEN TRY_CAST({raw} AS DATE) END"
        )
    if field.type == "amount":
        return f"TRY_CAST({raw} AS DECIMAL(18,2))"
    if field.type == "choice":
        return f"lower({raw})"
    if field.type == "resident_id":
        return id_sql.normalised(raw)
    return raw


def _errors(field: Field) -> list[str]:
    """CASE expressions over typed column ``name`` and raw ``r_name``; each yields 'field:code'."""
    name, raw = field.name, RAW_PREFIX + field.name
    checks: list[tuple[str, str]] = []
    if field.required:
        checks.append(("required", f"{raw} IS NULL"))
    if field.type == "text":
        checks.append(("too_long", f"length({name}) > {field.max_length}"))
    elif field.type == "date":
        checks.append(("not_a_date", f"{raw} IS NOT NULL AND {name} IS NULL"))
    elif field.type == "amount":
        checks.append(("not_an_amount", f"{raw} IS NOT NULL AND {name} IS NULL"))
        checks.append(
            (
                "not_positive" if field.positive else "negative",
                f"{name} <= 0" if field.positive else f"{name} < 0",
            )
        )
    elif field.type == "choice":
        choices = ", ".join(f"'{c}'" for c in field.choices)
        checks.append(("not_a_choice", f"{name} NOT IN ({choices})"))
    elif field.type == "resident_id":
        # The identity check yields its own code (format, checksum, ...) or NULL.
        return [f"'{name}:' || ({id_sql.error_code(name)})"]
    return [f"CASE WHEN {cond} THEN '{name}:{code}' END" for code, cond in checks]


def checked_sql(
    category: Category,
    staging: str,
    order_expr: str,
    present: set[str],
    types: dict[str, str],
    partner: str,
) -> str:
    """SELECT over ``staging`` yielding typed columns, ``_ord`` and ``_errors``."""
    fields = category.all_fields
    raw_cols = [f"{_raw(f, present, types)} AS {RAW_PREFIX}{f.name}" for f in fields]
    if "partner_id" in present:
        raw_cols.append(f"nullif(trim(CAST(partner_id AS VARCHAR)), '') AS {RAW_PREFIX}partner_id")
    typed_cols = [f"{_typed(f, RAW_PREFIX + f.name, types)} AS {f.name}" for f in fields]
    errors = [expr for f in fields for expr in _errors(f)]
    if "partner_id" in present:
        partner_sql = partner.replace("'", "''")
        errors.append(
            f"CASE WHEN {RAW_PREFIX}partner_id IS NOT NULL AND {RAW_PREFIX}partner_id <> "
            f"'{partner_sql}' THEN 'partner_id:wrong_partner' END"
        )
    for rule in category.rules:
        guard = " AND ".join(f"{name} IS NOT NULL" for name in rule.uses)
        errors.append(f"CASE WHEN {guard} AND ({rule.breaks}) THEN '{rule.field}:{rule.code}' END")
    raw_select = ", ".join([f"{order_expr} AS _ord", *raw_cols])
    typed_select = ", ".join(["_ord", *typed_cols])
    carried = [RAW_PREFIX + f.name for f in fields]
    if "partner_id" in present:
        carried.append(f"{RAW_PREFIX}partner_id")
    return (
        f"WITH raw AS (SELECT {raw_select} FROM {staging}), "
        f"typed AS (SELECT {typed_select}, {', '.join(carried)} FROM raw) "
        f"SELECT _ord, {', '.join(f.name for f in fields)}, "
        f"concat_ws(';', {', '.join(errors)}) AS _errors FROM typed"
    )


def describe(category: Category, item: str) -> tuple[str, str, str]:
    """(field, rule, message) for one ``field:code`` item of ``_errors``."""
    name, _, code = item.partition(":")
    for rule in category.rules:
        if rule.code == code and rule.field == name:
            return name, code, rule.message
    try:
        spec = category.field(name)
        choices, max_length = ", ".join(spec.choices), spec.max_length
    except KeyError:
        choices, max_length = "", 0
    template = _MESSAGES.get(code, "{field} breaks rule " + code)
    return name, code, template.format(field=name, choices=choices, max_length=max_length)
