"""One partner file in, one batch out: read, refuse what must be refused, validate
every row in the engine, pseudonymise, drop what is already on file, and commit
records, subjects, rejections and the ledger entry in one transaction.

A process killed at any moment leaves the whole batch or none of it; the same
file can then be ingested again and adds exactly what is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from socialcredit.engines import Engine, FileFormat, LoadedFile
from socialcredit.errors import InputError, SchemaError, UnreadableFileError
from socialcredit.identity import SubjectKeyer, uscc
from socialcredit.ingest.validate import (
    checked_sql,
    describe,
    identities_sql,
    organisations_sql,
)
from socialcredit.records import Category, category
from socialcredit.records.consent import live_subjects_sql
from socialcredit.records.forbidden import ensure_allowed
from socialcredit.records.schema import FUTURE_ALLOWANCE_DAYS
from socialcredit.settings import utc_now

__all__ = ["BatchReport", "detect_format", "ingest_file"]

_PARTNER = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_FORMATS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}
_ID_IN_TEXT = re.compile(r"(\d{6})\d{8}(\d{3}[0-9Xx])")
_KEY_CACHE = "_subject_keys"
_ORG_CACHE = "_organisation_keys"

Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What happened to one file. ``rows = accepted + rejected + duplicates``."""

    batch_id: str
    partner: str
    category: str
    file: str
    file_sha256: str
    format: str
    rows: int
    accepted: int
    rejected: int
    duplicates: int
    rejections_file: str | None
    elapsed_s: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def detect_format(path: Path, fmt: str | None = None) -> FileFormat:
    """The file format named by ``fmt`` or by the file's suffix."""
    if fmt is not None:
        if fmt not in ("csv", "jsonl", "parquet"):
            raise InputError(f"format {fmt!r} is not supported; use csv, jsonl or parquet")
        return fmt  # type: ignore[return-value]
    try:
        return _FORMATS[path.suffix.lower()]
    except KeyError:
        raise UnreadableFileError(
            f"{path}: cannot tell the format from the suffix {path.suffix!r}; name the file "
            "*.csv, *.jsonl or *.parquet, or pass --format"
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except FileNotFoundError:
        raise UnreadableFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror})") from None
    return digest.hexdigest()


def mask(field: str, value: str) -> str:
    """Hide the middle of resident identity numbers in anything written to disk."""
    if field == "resident_id" and len(value) > 10:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return _ID_IN_TEXT.sub(r"\1********\2", value)


def _check_columns(cat: Category, loaded: LoadedFile) -> set[str]:
    """Refuse forbidden, unknown and missing columns; return the columns present."""
    for column in loaded.columns:
        ensure_allowed(column, what="column")
    known = {f.name for f in cat.all_fields} | {"partner_id"}
    unknown = sorted(set(loaded.columns) - known)
    if unknown:
        raise SchemaError(
            f"{cat.name} v{cat.version} has no column(s) {', '.join(unknown)}; the accepted "
            f"columns are {', '.join(f.name for f in cat.all_fields)} (see "
            f"`socialcredit schema {cat.name}`)"
        )
    missing = [f.name for f in cat.all_fields if f.required and f.name not in loaded.columns]
    if missing:
        raise SchemaError(
            f"the file lacks required column(s) {', '.join(missing)} of {cat.name} "
            f"v{cat.version} (see `socialcredit schema {cat.name}`)"
        )
    return set(loaded.columns)


def _check_values(engine: Engine, cat: Category) -> None:
    """Refuse category values (e.g. a payment kind) that name a forbidden category."""
    for item in cat.fields:
        if item.type != "choice":
            continue
        values = engine.query(
            "forbidden values",
            f"SELECT DISTINCT {item.name} FROM _chk WHERE {item.name} IS NOT NULL "
            f"AND _errors LIKE '%{item.name}:not_a_choice%' LIMIT 1000",
        )
        for value in values.column(0).to_pylist():
            ensure_allowed(str(value), what=f"{item.name} value")


def _identify(engine: Engine, keyer: SubjectKeyer, loaded: LoadedFile, cat: Category) -> None:
    """Check and key every resident ID of the file not seen before in this session, and
    every other party a record names (a person's ID into the same cache, an
    organisation's code into its own).

    The caches are temporary tables: raw numbers live in memory for the session
    only, never in the lake, and a person sent by many feeds is checked and
    keyed once.
    """
    if not engine.has_table(_KEY_CACHE):
        engine.execute(
            "key cache",
            f"CREATE TEMP TABLE {_KEY_CACHE} (raw VARCHAR, number VARCHAR, id_error VARCHAR, "
            "subject_key VARCHAR, birth_year INTEGER, sex VARCHAR, region VARCHAR)",
        )
    engine.execute(
        "pseudonymise",
        identities_sql(loaded.table, _KEY_CACHE, keyer.sql("n")),
    )
    for party in (f for f in cat.fields if f.type == "party_id"):
        if not engine.has_table(_ORG_CACHE):
            engine.execute(
                "organisation key cache",
                f"CREATE TEMP TABLE {_ORG_CACHE} (raw VARCHAR, number VARCHAR, "
                "id_error VARCHAR, org_key VARCHAR)",
            )
        if party.name not in loaded.columns:
            continue
        engine.execute(
            "pseudonymise parties",
            identities_sql(loaded.table, _KEY_CACHE, keyer.sql("n"), party.name),
        )
        engine.execute(
            "pseudonymise organisations",
            organisations_sql(
                loaded.table, _ORG_CACHE, keyer.sql(uscc.key_text_sql("n")), party.name
            ),
        )


def _same(cat: Category, a: str, b: str) -> str:
    names = ["subject_key", "observed_date", *(f.column for f in cat.fields)]
    return " AND ".join(f"{a}.{n} IS NOT DISTINCT FROM {b}.{n}" for n in names)


def _deduplicate(engine: Engine, cat: Category, partner: str) -> None:
    """``_excluded(_ord, outcome)``: valid rows not to insert, as duplicate or conflict."""
    engine.execute(
        "incoming", "CREATE OR REPLACE TEMP VIEW _incoming AS SELECT * FROM _chk WHERE _errors = ''"
    )
    engine.execute(
        "deduplicate",
        "CREATE OR REPLACE TEMP TABLE _excluded AS "
        "WITH repeated AS (SELECT i.*, row_number() OVER (PARTITION BY record_id ORDER BY _ord) "
        "AS _rank FROM _incoming i WHERE record_id IN "
        "(SELECT record_id FROM _incoming GROUP BY record_id HAVING count(*) > 1)), "
        f"in_file AS (SELECT r._ord, CASE WHEN {_same(cat, 'r', 'f')} THEN 'duplicate' "
        "ELSE 'conflict_in_file' END AS outcome FROM repeated r JOIN repeated f "
        "ON f.record_id = r.record_id AND f._rank = 1 WHERE r._rank > 1), "
        f"in_lake AS (SELECT i._ord, CASE WHEN {_same(cat, 'i', 'l')} THEN 'duplicate' "
        f"ELSE 'conflict' END AS outcome FROM _incoming i JOIN {cat.table} l "
        "ON l.partner_id = ? AND l.record_id = i.record_id "
        "WHERE NOT EXISTS (SELECT 1 FROM in_file f WHERE f._ord = i._ord)) "
        "SELECT * FROM in_file UNION ALL SELECT * FROM in_lake",
        [partner],
    )


def _rejections(
    engine: Engine, cat: Category, loaded: LoadedFile, present: set[str]
) -> list[tuple[int, str, str, str, str]]:
    """(file row, field, value as sent, rule, message) for every problem of every row."""
    columns = [f.name for f in cat.all_fields if f.name in present]
    if "partner_id" in present:
        columns.append("partner_id")
    raw = ", ".join(f"CAST(s.{c} AS VARCHAR) AS {c}" for c in columns)
    rows = engine.query(
        "rejected rows",
        f"SELECT p._ord, p._errors, {raw} FROM (SELECT _ord, _errors FROM _chk WHERE "
        "_errors <> '' UNION ALL SELECT e._ord, 'record_id:' || e.outcome FROM _excluded e "
        f"WHERE e.outcome <> 'duplicate') p JOIN {loaded.table} s "
        f"ON s.{loaded.order_expr} = p._ord ORDER BY p._ord",
    ).to_pylist()
    found: list[tuple[int, str, str, str, str]] = []
    if rows:
        file_rows = loaded.file_rows([r["_ord"] for r in rows])
        for file_row, row in zip(file_rows.tolist(), rows, strict=True):
            for item in row["_errors"].split(";"):
                field, rule, message = describe(cat, item)
                value = row.get(field)
                found.append(
                    (file_row, field, mask(field, "" if value is None else value), rule, message)
                )
    for reject in loaded.parse_rejects:
        found.append(
            (
                reject.row,
                "",
                mask("", reject.text[:500]),
                "unparseable",
                f"the record could not be parsed: {reject.message}",
            )
        )
    found.sort(key=lambda item: item[0])
    return found


def _write_rejections(path: Path, found: list[tuple[int, str, str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "field", "value", "rule", "message"])
        writer.writerows(found)
    partial.replace(path)


def ingest_file(
    engine: Engine,
    keyer: SubjectKeyer,
    path: Path,
    *,
    partner: str,
    category_name: str,
    rejections_dir: Path,
    fmt: str | None = None,
    on_step: Step | None = None,
    received: dt.date | None = None,
    clock_allowance_days: int = FUTURE_ALLOWANCE_DAYS,
    shown_as: str | None = None,
    batch_id: str | None = None,
) -> BatchReport:
    """Ingest one partner file as one batch; see the module docstring.

    ``shown_as`` names the file in messages instead of its path: a service's upload
    is kept in a temporary file whose path is no business of the partner's.
    ``batch_id``: the id to commit the batch under (default: a new one), chosen by a
    caller that records it elsewhere first.

    A record observed after ``received`` (default: today, UTC) plus
    ``clock_allowance_days`` is rejected (rule ``observed_in_future``).
    """
    started = time.perf_counter()
    started_at = utc_now()
    latest_observed = (received or started_at.date()) + dt.timedelta(days=clock_allowance_days)
    step = on_step or (lambda _name: None)
    if not _PARTNER.match(partner):
        raise InputError(
            f"partner {partner!r} is not a partner id (expected 2-63 lower-case letters, "
            "digits and hyphens, e.g. 'river-grid-utility')"
        )
    cat = category(category_name)
    file_format = detect_format(path, fmt)
    checksum = _sha256(path)

    step("read")
    try:
        loaded = engine.load_file(path, file_format, "_stg")
    except UnreadableFileError as exc:
        if shown_as is None:
            raise
        raise UnreadableFileError(str(exc).replace(str(path), shown_as)) from None
    present = _check_columns(cat, loaded)

    step("pseudonymise")
    _identify(engine, keyer, loaded, cat)

    step("validate")
    types = {name: kind for name, kind in loaded.types.items() if name in present}
    # A category shared only with consent: rows of people without a live consent for
    # this partner, as the batch is received, are rejected (rule consent_required).
    consented = live_subjects_sql(partner, cat.consent, started_at) if cat.consent else ""
    sql = checked_sql(
        cat,
        loaded.table,
        loaded.order_expr,
        present,
        types,
        partner,
        _KEY_CACHE,
        latest_observed,
        consented=consented,
        organisations=_ORG_CACHE,
    )
    engine.execute("validate", f"CREATE OR REPLACE TEMP TABLE _chk AS {sql}")
    _check_values(engine, cat)

    step("deduplicate")
    _deduplicate(engine, cat, partner)
    found = _rejections(engine, cat, loaded, present)
    rejected = len({row for row, *_ in found})
    duplicates = int(
        engine.scalar("duplicates", "SELECT count(*) FROM _excluded WHERE outcome = 'duplicate'")
    )
    rows_in = loaded.rows + len(loaded.parse_rejects)
    accepted = rows_in - rejected - duplicates

    step("commit")
    batch_id = batch_id or uuid.uuid4().hex[:16]
    fields = ", ".join(f.column for f in cat.fields)
    with engine.transaction():
        engine.execute(
            "insert records",
            f"INSERT INTO {cat.table} SELECT ?, ?, record_id, subject_key, observed_date, "
            f"{fields} FROM _incoming i WHERE NOT EXISTS "
            "(SELECT 1 FROM _excluded e WHERE e._ord = i._ord)",
            [batch_id, partner],
        )
        engine.execute(
            "insert subjects",
            "INSERT INTO subjects SELECT DISTINCT k.subject_key, k.birth_year, k.sex, k.region, ? "
            f"FROM {_KEY_CACHE} k WHERE k.subject_key IN (SELECT subject_key FROM _incoming) "
            "AND NOT EXISTS (SELECT 1 FROM subjects s WHERE s.subject_key = k.subject_key)",
            [batch_id],
        )
        if found:
            engine.create_table_from_arrow(
                "_rejected",
                pa.table(
                    {
                        "batch_id": [batch_id] * len(found),
                        "row_number": [r[0] for r in found],
                        "field": [r[1] for r in found],
                        "value": [r[2] for r in found],
                        "rule": [r[3] for r in found],
                        "message": [r[4] for r in found],
                    }
                ),
                temporary=True,
            )
            engine.execute("insert rejections", "INSERT INTO rejections SELECT * FROM _rejected")
        engine.execute(
            "ledger",
            "INSERT INTO batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                batch_id,
                partner,
                cat.name,
                cat.version,
                path.name,
                checksum,
                file_format,
                rows_in,
                accepted,
                rejected,
                duplicates,
                started_at,
                utc_now(),
            ],
        )
    rejections_file: str | None = None
    if found:
        target = rejections_dir / f"{batch_id}.csv"
        _write_rejections(target, found)
        rejections_file = str(target)
    engine.execute("clean up", "DROP VIEW IF EXISTS _incoming")
    engine.release_file(loaded)
    for table in ("_chk", "_excluded", "_rejected"):
        engine.execute("clean up", f"DROP TABLE IF EXISTS {table}")
    return BatchReport(
        batch_id=batch_id,
        partner=partner,
        category=cat.name,
        file=str(path),
        file_sha256=checksum,
        format=file_format,
        rows=rows_in,
        accepted=accepted,
        rejected=rejected,
        duplicates=duplicates,
        rejections_file=rejections_file,
        elapsed_s=round(time.perf_counter() - started, 3),
    )
