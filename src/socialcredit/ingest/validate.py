"""Compile a record category into one engine query that types every value and
collects every problem of every row.

The query's output has the typed columns, ``_ord`` (the row's parse position)
and ``_errors``: a ``;``-separated list of ``field:code`` items, empty for a
valid row. No Python runs per row; :func:`describe` turns the codes of the few
rejected rows into messages.
"""

from __future__ import annotations

import datetime as dt

from socialcredit.identity import sql as id_sql
from socialcredit.identity import uscc
from socialcredit.records import Category, Field
from socialcredit.records.schema import LATEST_OBSERVED

__all__ = ["RAW_PREFIX", "checked_sql", "describe", "identities_sql", "organisations_sql"]

RAW_PREFIX = "r_"
_DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
#: a count: digits only (a sign, a decimal point or an exponent is not a count)
_COUNT_PATTERN = "^[0-9]{1,18}$"

#: code -> message template; {field} and {choices} are filled in.
_MESSAGES = {
    "required": "{field} is required but empty",
    "too_long": "{field} is longer than {max_length} characters",
    "not_a_date": "{field} is not a date (expected YYYY-MM-DD)",
    "not_an_amount": "{field} is not an amount (expected a number such as 120.50)",
    "not_a_count": "{field} is not a count (expected a whole number, 0 or more, such as 3)",
    "negative": "{field} is negative",
    "not_positive": "{field} must be above 0",
    "not_a_choice": "{field} is not one of: {choices}",
    "format": "{field} is malformed (expected 17 digits and a check character 0-9 or X)",
    "checksum": "{field} has a wrong check character (ISO 7064 MOD 11-2); probably mistyped",
    "birth_date": "{field}: digits 7-14 are not a calendar date",
    "region": "{field}: the region code (digits 1-6) was not assigned in the birth year",
    "uscc_format": "{field} is malformed (expected a unified social credit code: 8 digits and "
    "10 characters 0-9 or A-Y without I, O, S, V and Z)",
    "uscc_checksum": "{field} has a wrong check character (GB 32100); probably mistyped",
    "wrong_partner": "partner_id differs from the partner this batch was sent for",
    "conflict": "record_id was already received with different content; corrections to a "
    "record on file go through the dispute process",
    "conflict_in_file": "record_id appears earlier in this file with different content",
    "unparseable": "the line could not be parsed",
    "consent_required": "the person has not consented to this partner sharing these records "
    "(a live consent for the purpose '{consent}', granted by the person, is required); the "
    "record was not stored",
}


def _raw(field: Field, present: set[str], types: dict[str, str]) -> str:
    """The value as sent: text trimmed with empty -> NULL; typed columns pass through.

    A resident ID or a party's ID stays exactly as sent: it is the join key into the
    table of checked identities, which normalises each distinct spelling once.
    """
    if field.name not in present:
        return "NULL"
    if field.type in ("resident_id", "party_id"):
        return f"CAST({field.name} AS VARCHAR)"
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
    if field.type == "count":
        return f"CASE WHEN regexp_matches({raw}, '{_COUNT_PATTERN}') THEN CAST({raw} AS BIGINT) END"
    if field.type == "choice":
        return f"lower({raw})"
    return raw


def _errors(field: Field) -> list[str]:
    """CASE expressions over typed column ``name`` and raw ``r_name``; each yields 'field:code'."""
    name, raw = field.name, RAW_PREFIX + field.name
    if field.type == "resident_id":
        # Checked once per distinct spelling (see ``identities_sql``), joined in as ``ids``.
        return [
            f"CASE WHEN {raw} IS NULL THEN '{name}:required' ELSE '{name}:' || ids.id_error END"
        ]
    if field.type == "party_id":
        # Checked as the kind of party the row names (see ``_party``).
        return [
            f"CASE WHEN {raw} IS NULL THEN '{name}:required' ELSE '{name}:' || _{name}_error END"
        ]
    checks: list[tuple[str, str]] = []
    if field.required:
        checks.append(("required", f"{raw} IS NULL"))
    if field.type == "text":
        checks.append(("too_long", f"length({name}) > {field.max_length}"))
    elif field.type == "date":
        checks.append(("not_a_date", f"{raw} IS NOT NULL AND {name} IS NULL"))
    elif field.type == "amount":
        checks.append(("not_an_amount", f"{raw} IS NOT NULL AND {name} IS NULL"))
        if field.positive:
            checks.append(("not_positive", f"{name} <= 0"))
        elif not field.signed:
            checks.append(("negative", f"{name} < 0"))
    elif field.type == "count":
        checks.append(("not_a_count", f"{raw} IS NOT NULL AND {name} IS NULL"))
    elif field.type == "choice":
        choices = ", ".join(f"'{c}'" for c in field.choices)
        checks.append(("not_a_choice", f"{name} NOT IN ({choices})"))
    return [f"CASE WHEN {cond} THEN '{name}:{code}' END" for code, cond in checks]


def _party(field: Field, ids: str, organisations: str) -> tuple[str, str]:
    """(columns, joins) of the ``typed`` step for a ``party_id``: its pseudonymous key
    (column :attr:`Field.column`) and the code of its first failed check
    (``_<name>_error``), from the cache of resident IDs for a person and the cache of
    organisations' codes (:func:`organisations_sql`) for an organisation."""
    raw, kind = RAW_PREFIX + field.name, f"lower({RAW_PREFIX}{field.kind_field})"
    person, organisation = f"_p_{field.name}", f"_o_{field.name}"
    columns = (
        f"CASE {kind} WHEN 'person' THEN {person}.subject_key "
        f"WHEN 'organisation' THEN {organisation}.org_key END AS {field.column}, "
        f"CASE {kind} WHEN 'person' THEN {person}.id_error "
        f"WHEN 'organisation' THEN {organisation}.id_error END AS _{field.name}_error"
    )
    joins = (
        f" LEFT JOIN {ids} {person} ON {person}.raw = raw.{raw}"
        f" LEFT JOIN {organisations} {organisation} ON {organisation}.raw = raw.{raw}"
    )
    return columns, joins


def checked_sql(
    category: Category,
    staging: str,
    order_expr: str,
    present: set[str],
    types: dict[str, str],
    partner: str,
    ids: str,
    latest_observed: dt.date,
    *,
    consented: str = "",
    organisations: str = "",
) -> str:
    """SELECT over ``staging``: ``_ord``, typed columns, ``subject_key`` and ``_errors``.

    ``consented`` (for a category that needs consent) is a query of the subject keys
    holding a live consent for this partner; anyone else's rows are rejected by the
    rule ``consent_required`` (:mod:`socialcredit.records.consent`).

    ``latest_observed`` is the last observed date accepted (the day of receipt plus
    the clock allowance): a record observed after it is rejected by rule.

    ``ids`` is the table :func:`identities_sql` fills: one row per distinct
    spelling of a resident ID with its check result and subject key. The
    resident ID itself is not in the output; ``subject_key`` stands for it.
    A ``party_id`` (another party a record names) is checked against ``ids`` or,
    for an organisation, ``organisations`` (:func:`organisations_sql`), and its key
    stands for it in the same way.
    """
    fields = category.all_fields
    kept = [f for f in fields if f.type not in ("resident_id", "party_id")]
    parties = [f for f in fields if f.type == "party_id"]
    raw_cols = [f"{_raw(f, present, types)} AS {RAW_PREFIX}{f.name}" for f in fields]
    carried = [RAW_PREFIX + f.name for f in fields]
    if "partner_id" in present:
        raw_cols.append(f"nullif(trim(CAST(partner_id AS VARCHAR)), '') AS {RAW_PREFIX}partner_id")
        carried.append(f"{RAW_PREFIX}partner_id")
    typed_cols = [f"{_typed(f, RAW_PREFIX + f.name, types)} AS {f.name}" for f in kept]
    errors = [expr for f in fields for expr in _errors(f)]
    if "partner_id" in present:
        partner_sql = partner.replace("'", "''")
        errors.append(
            f"CASE WHEN {RAW_PREFIX}partner_id IS NOT NULL AND {RAW_PREFIX}partner_id <> "
            f"'{partner_sql}' THEN 'partner_id:wrong_partner' END"
        )
    latest = f"DATE '{latest_observed.isoformat()}'"
    for rule in category.all_rules:
        guard = " AND ".join(f"{name} IS NOT NULL" for name in rule.uses)
        breaks = rule.breaks.replace(LATEST_OBSERVED, latest)
        errors.append(f"CASE WHEN {guard} AND ({breaks}) THEN '{rule.field}:{rule.code}' END")
    consent_join = ""
    if consented:
        errors.append(
            "CASE WHEN ids.subject_key IS NOT NULL AND consent.consented_key IS NULL "
            "THEN 'resident_id:consent_required' END"
        )
        consent_join = (
            f" LEFT JOIN (SELECT DISTINCT subject_key AS consented_key FROM ({consented}) c) "
            "consent ON consent.consented_key = ids.subject_key"
        )
    raw_select = ", ".join([f"{order_expr} AS _ord", *raw_cols])
    keyed = [_party(f, ids, organisations) for f in parties]
    typed_select = ", ".join(["_ord", *typed_cols, *carried, *(c for c, _ in keyed)])
    outputs = [f.name for f in kept] + [f.column for f in parties]
    return (
        f"WITH raw AS (SELECT {raw_select} FROM {staging}), "
        f"typed AS (SELECT {typed_select} FROM raw{''.join(j for _, j in keyed)}) "
        f"SELECT _ord, {', '.join('typed.' + name for name in outputs)}, ids.subject_key, "
        f"concat_ws(';', {', '.join(errors)}) AS _errors FROM typed "
        f"LEFT JOIN {ids} ids ON ids.raw = typed.{RAW_PREFIX}resident_id{consent_join}"
    )


def identities_sql(staging: str, ids: str, subject_key: str, column: str = "resident_id") -> str:
    """INSERT into ``ids`` every distinct resident ID spelling of ``staging`` (in
    ``column``) not there yet.

    Each spelling is normalised, checked and keyed once, however many records
    carry it: ``number`` (normalised), ``id_error`` (NULL when valid),
    ``subject_key`` (``subject_key`` is the keying expression over column ``n``;
    NULL when invalid) and the fairness attributes.
    """
    valid = "id_error IS NULL"
    return (
        f"INSERT INTO {ids} SELECT raw, n, id_error, CASE WHEN {valid} THEN {subject_key} END, "
        f"CASE WHEN {valid} THEN year({id_sql.birth_date('n')}) END, "
        f"CASE WHEN {valid} THEN {id_sql.sex('n')} END, "
        f"CASE WHEN {valid} THEN {id_sql.region('n')} END "
        f"FROM (SELECT raw, n, {id_sql.error_code('n')} AS id_error FROM "
        f"(SELECT raw, {id_sql.normalised('raw')} AS n FROM "
        f"(SELECT DISTINCT CAST({column} AS VARCHAR) AS raw FROM {staging}) d "
        f"WHERE raw IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {ids} known WHERE known.raw = d.raw)) spelled) checked"
    )


def organisations_sql(staging: str, cache: str, key: str, column: str) -> str:
    """INSERT into ``cache`` every distinct spelling of an organisation's unified social
    credit code in ``column`` of ``staging`` not there yet: ``number`` (normalised),
    ``id_error`` (NULL when valid) and ``org_key`` (``key`` is the keying expression
    over column ``n``, see :func:`socialcredit.identity.uscc.key_text_sql`)."""
    return (
        f"INSERT INTO {cache} SELECT raw, n, id_error, CASE WHEN id_error IS NULL THEN {key} END "
        f"FROM (SELECT raw, n, {uscc.error_code_sql('n')} AS id_error FROM "
        f"(SELECT raw, {uscc.normalised_sql('raw')} AS n FROM "
        f"(SELECT DISTINCT CAST({column} AS VARCHAR) AS raw FROM {staging}) d "
        f"WHERE raw IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {cache} known WHERE known.raw = d.raw)) spelled) checked"
    )


def describe(category: Category, item: str) -> tuple[str, str, str]:
    """(field, rule, message) for one ``field:code`` item of ``_errors``."""
    name, _, code = item.partition(":")
    for rule in category.all_rules:
        if rule.code == code and rule.field == name:
            return name, code, rule.message
    try:
        spec = category.field(name)
        choices, max_length = ", ".join(spec.choices), spec.max_length
    except KeyError:
        choices, max_length = "", 0
    template = _MESSAGES.get(code, "{field} breaks rule " + code)
    return (
        name,
        code,
        template.format(
            field=name, choices=choices, max_length=max_length, consent=category.consent
        ),
    )
