"""The 18-character resident identity number of GB 11643-1999, one at a time.

Layout: six digits of region code, eight of birth date (YYYYMMDD), three of
sequence (odd for men, even for women) and a check character computed with
ISO 7064 MOD 11-2. The bulk (vectorised) form of the same checks lives in
:mod:`socialcredit.identity.sql`; tests hold both against python-stdnum.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from socialcredit.errors import IdentityError
from socialcredit.identity.regions import valid_region

__all__ = ["CHECK_CHARACTERS", "WEIGHTS", "ResidentId", "check_character", "normalise", "parse"]

#: ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 for positions 0..16.
WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
#: Check character for each value of (weighted sum mod 11).
CHECK_CHARACTERS = "10X98765432"
#: ASCII digits only: ``str.isdigit()`` also accepts superscripts and other scripts' digits.
_WELL_FORMED = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS17 = re.compile(r"[0-9]{17}")


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A validated resident identity number and what it says about its holder."""

    number: str
    region: str
    birth_date: dt.date
    sex: str  # "M" or "F", from the parity of the sequence code

    @property
    def birth_year(self) -> int:
        return self.birth_date.year


def normalise(number: str) -> str:
    """Upper-case, without spaces: how partners' values are compared."""
    return number.replace(" ", "").strip().upper()


def check_character(first17: str) -> str:
    """Check character for the first 17 digits.

    >>> check_character("11010519491231002")
    'X'
    """
    if not _DIGITS17.fullmatch(first17):
        raise IdentityError(f"{first17!r} is not 17 digits 0-9")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse(number: str) -> ResidentId:
    """Validate a resident identity number and return its parts.

    Raises :class:`IdentityError` naming the first check that failed.

    >>> parse("11010519491231002X").sex
    'F'
    """
    value = normalise(number)
    if not _WELL_FORMED.fullmatch(value):
        raise IdentityError(
            f"resident_id {number!r} is malformed (expected 17 digits 0-9 and a check "
            "character 0-9 or X)"
        )
    expected = check_character(value[:17])
    if value[17] != expected:
        raise IdentityError(
            f"resident_id {number!r} has check character {value[17]!r}, expected "
            f"{expected!r} (ISO 7064 MOD 11-2); the number was probably mistyped"
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentityError(
            f"resident_id {number!r}: digits 7-14 ({value[6:14]}) are not a calendar date"
        ) from None
    if not valid_region(value[:6], birth.year):
        raise IdentityError(
            f"resident_id {number!r}: region code {value[:6]} was not assigned in "
            f"{birth.year} (GB/T 2260)"
        )
    return ResidentId(value, value[:6], birth, "M" if int(value[16]) % 2 else "F")
