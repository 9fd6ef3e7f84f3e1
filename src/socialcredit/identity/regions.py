"""Administrative region codes (GB/T 2260) for the first six digits of a resident
identity number, with the years each code was in use.

The table is python-stdnum's ``cn/loc.dat`` (compiled from the national list of
region codes), read once; it is the same source stdnum's own validator uses, so
our vectorised check and the stdnum oracle agree by construction of the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["RegionPeriod", "province_name", "region_periods", "valid_region"]

_COUNTY = re.compile(r'^ {2}(\d{4}) county="(.*)"$')
_PROVINCE = re.compile(r'^(\d{2}) province="(.*)"$')
_PERIOD = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


@dataclass(frozen=True, slots=True)
class RegionPeriod:
    """A six-digit region code, valid for birth years ``start``..``end`` (None = open)."""

    code: str
    name: str
    start: int | None
    end: int | None


@cache
def _load() -> tuple[tuple[RegionPeriod, ...], dict[str, str]]:
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    periods: list[RegionPeriod] = []
    provinces: dict[str, str] = {}
    prefix = ""
    for line in text.splitlines():
        if province := _PROVINCE.match(line):
            prefix, provinces[province[1]] = province[1], province[2]
        elif (county := _COUNTY.match(line)) and prefix:
            for part in county[2].split(","):
                if period := _PERIOD.match(part):
                    start, end, name = period.groups()
                    periods.append(
                        RegionPeriod(
                            prefix + county[1],
                            name,
                            int(start) if start else None,
                            int(end) if end else None,
                        )
                    )
                else:
                    periods.append(RegionPeriod(prefix + county[1], part, None, None))
    return tuple(periods), provinces


def region_periods() -> tuple[RegionPeriod, ...]:
    """Every (code, name, validity) row of the region table."""
    return _load()[0]


@cache
def _by_code() -> dict[str, tuple[RegionPeriod, ...]]:
    grouped: dict[str, list[RegionPeriod]] = {}
    for period in region_periods():
        grouped.setdefault(period.code, []).append(period)
    return {code: tuple(items) for code, items in grouped.items()}


def valid_region(code: str, birth_year: int) -> bool:
    """True when ``code`` was an assigned region code in ``birth_year``.

    >>> valid_region("110105", 1990), valid_region("110103", 2015)
    (True, False)
    """
    return any(
        (p.start is None or birth_year >= p.start) and (p.end is None or birth_year <= p.end)
        for p in _by_code().get(code, ())
    )


def province_name(code: str) -> str:
    """Name of the province of a region code (first two digits), or the code itself."""
    return _load()[1].get(code[:2], code[:2])
