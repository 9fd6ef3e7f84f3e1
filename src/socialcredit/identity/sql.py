"""The resident identity checks of :mod:`.resident_id` as engine expressions, for bulk input.

Every expression here is plain SQL over one VARCHAR column (substring, casts,
arithmetic, a correlated EXISTS against the region table), so it runs inside the
engine over millions of rows at once and transpiles to other engines unchanged.
"""

from __future__ import annotations

from socialcredit.identity.resident_id import CHECK_CHARACTERS, WEIGHTS

__all__ = [
    "REGION_TABLE",
    "birth_date",
    "error_code",
    "normalised",
    "region",
    "sex",
]

#: Engine table holding (code, start_year, end_year) rows, see :func:`regions.region_periods`.
REGION_TABLE = "ref_regions"

#: Error codes in the order they are checked; only the first failure is reported.
ERROR_CODES = ("required", "format", "checksum", "birth_date", "region")


def normalised(column: str) -> str:
    """Upper-case, spaces removed; NULL stays NULL."""
    return f"upper(replace(trim(CAST({column} AS VARCHAR)), ' ', ''))"


def _weighted_sum(col: str) -> str:
    return " + ".join(
        f"TRY_CAST(substr({col}, {i + 1}, 1) AS INTEGER) * {w}" for i, w in enumerate(WEIGHTS)
    )


def birth_date(col: str) -> str:
    """Birth date (DATE) of a well-formed number, NULL when not a calendar date."""
    iso = f"substr({col}, 7, 4) || '-' || substr({col}, 11, 2) || '-' || substr({col}, 13, 2)"
    return f"TRY_CAST({iso} AS DATE)"


def region(col: str) -> str:
    return f"substr({col}, 1, 6)"


def sex(col: str) -> str:
    return f"CASE WHEN TRY_CAST(substr({col}, 17, 1) AS INTEGER) % 2 = 1 THEN 'M' ELSE 'F' END"


def error_code(col: str) -> str:
    """NULL for a valid number, else the first failing check (see ``ERROR_CODES``).

    ``col`` must already be :func:`normalised`.
    """
    # [0-9], not a digit class: ASCII digits only, as :func:`.resident_id.parse` (a
    # superscript or full-width digit is not a digit of a resident identity number).
    well_formed = f"regexp_matches({col}, '^[0-9]{{17}}[0-9X]$')"
    check = f"substr('{CHECK_CHARACTERS}', (({_weighted_sum(col)}) % 11) + 1, 1)"
    year = f"TRY_CAST(substr({col}, 7, 4) AS INTEGER)"
    region_ok = (
        f"EXISTS (SELECT 1 FROM {REGION_TABLE} reg WHERE reg.code = substr({col}, 1, 6) "
        f"AND {year} BETWEEN coalesce(reg.start_year, 0) AND coalesce(reg.end_year, 9999))"
    )
    return (
        f"CASE WHEN {col} IS NULL OR {col} = '' THEN 'required' "
        f"WHEN NOT {well_formed} THEN 'format' "
        f"WHEN substr({col}, 18, 1) <> {check} THEN 'checksum' "
        f"WHEN {birth_date(col)} IS NULL THEN 'birth_date' "
        f"WHEN NOT {region_ok} THEN 'region' END"
    )
