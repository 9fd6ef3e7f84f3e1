"""An independent check of resident IDs, to test ours against."""

from __future__ import annotations

from stdnum.cn import ric
from stdnum.exceptions import ValidationError


def stdnum_valid(number: str) -> bool:
    """python-stdnum as the oracle (it raises KeyError on a province-only prefix)."""
    try:
        ric.validate(number)
        return True
    except (ValidationError, KeyError):
        return False
