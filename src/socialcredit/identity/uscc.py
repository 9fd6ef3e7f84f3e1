"""The unified social credit code of organisations (统一社会信用代码, GB 32100-2015),
one at a time and as engine expressions for bulk input.

Layout: eight digits (registering authority, entity type, six-digit region code),
nine characters of organisation code, and a check character. The 31 characters
are the digits and the capital letters without I, O, S, V and Z; the check
character makes the weighted sum (weights 3^i mod 31) divisible by 31.
python-stdnum (``stdnum.cn.uscc``) is the test oracle for both forms.

An organisation is keyed like a person (:class:`~socialcredit.identity.SubjectKeyer`,
the same keyed HMAC) over :func:`key_text`: the prefix keeps the two kinds of key
apart even where an organisation's code and a person's number were spelled alike.
"""

from __future__ import annotations

from socialcredit.errors import IdentityError

__all__ = [
    "ALPHABET",
    "ERROR_CODES",
    "WEIGHTS",
    "check_character",
    "error_code_sql",
    "key_text",
    "key_text_sql",
    "normalise",
    "normalised_sql",
    "parse",
]

#: The 31 characters of a code, in the order of their values 0-30.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weight of positions 1-17: 3^(i-1) mod 31.
WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
#: Error codes of :func:`error_code_sql`, in the order they are checked.
ERROR_CODES = ("required", "uscc_format", "uscc_checksum")
_PREFIX = "org:"


def normalise(code: str) -> str:
    """Upper-case, without spaces or hyphens: how partners' values are compared."""
    return code.replace(" ", "").replace("-", "").strip().upper()


def check_character(first17: str) -> str:
    """Check character for the first 17 characters.

    >>> check_character("91110000600037341")
    'L'
    """
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse(code: str) -> str:
    """The normalised code, or :class:`IdentityError` naming the check that failed.

    >>> parse("9111 0000 6000 3734 1l")
    '91110000600037341L'
    """
    value = normalise(code)
    if len(value) != 18 or not value[:8].isascii() or not value[:8].isdigit():
        raise IdentityError(
            f"unified social credit code {code!r} is malformed (expected 8 digits and "
            "10 characters 0-9 or A-Y without I, O, S, V and Z)"
        )
    if any(c not in ALPHABET for c in value[8:]):
        raise IdentityError(
            f"unified social credit code {code!r} has characters outside 0-9 and A-Y "
            "without I, O, S, V and Z"
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdentityError(
            f"unified social credit code {code!r} has check character {value[17]!r}, "
            f"expected {expected!r} (GB 32100); the code was probably mistyped"
        )
    return value


def key_text(code: str) -> str:
    """What an organisation's key is computed over (see the module docstring)."""
    return _PREFIX + code


def normalised_sql(column: str) -> str:
    """:func:`normalise` as an engine expression; NULL stays NULL."""
    return f"upper(replace(replace(trim(CAST({column} AS VARCHAR)), ' ', ''), '-', ''))"


def key_text_sql(column: str) -> str:
    """:func:`key_text` as an engine expression over a normalised column."""
    return f"'{_PREFIX}' || {column}"


def error_code_sql(col: str) -> str:
    """NULL for a valid code, else the first failing check (see ``ERROR_CODES``).

    ``col`` must already be :func:`normalised_sql`. Each character's value is its
    position in :data:`ALPHABET`, found with ``strpos`` (every engine has it).
    """
    well_formed = f"regexp_matches({col}, '^[0-9]{{8}}[0-9A-HJ-NPQRTUWXY]{{10}}$')"
    total = " + ".join(
        f"(strpos('{ALPHABET}', substr({col}, {i + 1}, 1)) - 1) * {w}"
        for i, w in enumerate(WEIGHTS)
    )
    check = f"substr('{ALPHABET}', ((31 - ({total}) % 31) % 31) + 1, 1)"
    return (
        f"CASE WHEN {col} IS NULL OR {col} = '' THEN 'required' "
        f"WHEN NOT {well_formed} THEN 'uscc_format' "
        f"WHEN substr({col}, 18, 1) <> {check} THEN 'uscc_checksum' END"
    )
