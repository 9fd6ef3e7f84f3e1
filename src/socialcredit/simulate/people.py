"""The synthetic population: valid resident identity numbers over real region
codes, and a latent trustworthiness that drives every record and the outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from socialcredit.identity import region_periods
from socialcredit.identity.resident_id import CHECK_CHARACTERS, WEIGHTS

__all__ = ["Population", "current_regions", "id_numbers", "make_population", "resident_ids"]


@dataclass(frozen=True)
class Population:
    """Everything the generator knows about each person, by position."""

    resident_id: np.ndarray  # str, 18 characters
    birth_date: np.ndarray  # datetime64[D]
    latent: np.ndarray  # float, N(0, 1): higher = more trustworthy
    habit: np.ndarray  # float, personal tendency to pay late beyond the trait (logit)
    shock_month: np.ndarray  # int, month of a financial shock in the window, -1 = none
    as_of: dt.date
    months: int

    @property
    def size(self) -> int:
        return len(self.latent)


def current_regions() -> np.ndarray:
    """County-level codes assigned for every birth year generated (1950 on) and still in use.

    Province and prefecture totals (codes ending in 00) are left out.
    """
    codes = sorted(
        {
            p.code
            for p in region_periods()
            if (p.start is None or p.start <= 1950) and p.end is None and not p.code.endswith("00")
        }
    )
    return np.asarray(codes)


def resident_ids(regions: np.ndarray, birth: np.ndarray, sequence: np.ndarray) -> np.ndarray:
    """Vectorised GB 11643 numbers from region codes, birth dates and 3-digit sequences."""
    ymd = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    seq = np.char.zfill(sequence.astype(str), 3)
    first17 = np.char.add(np.char.add(regions.astype(str), ymd), seq)
    digits = np.frombuffer(first17.astype("S17").tobytes(), dtype=np.uint8).reshape(-1, 17) - 48
    check = (digits.astype(np.int64) @ np.asarray(WEIGHTS, dtype=np.int64)) % 11
    chars = np.asarray(list(CHECK_CHARACTERS))[check]
    return np.char.add(first17, chars)


def id_numbers(ids: np.ndarray) -> np.ndarray:
    """Resident IDs as integers, their first 17 digits (the last is a check character):
    8 bytes an ID where the text takes 72, to remember which IDs were drawn."""
    return np.asarray(ids.astype("S17").astype(np.int64))


def make_population(
    rng: np.random.Generator,
    size: int,
    as_of: dt.date,
    months: int,
    *,
    taken: np.ndarray | None = None,
) -> Population:
    """``size`` people with unique resident IDs, aged 18 to 75 on ``as_of``.

    ``taken``: the sorted :func:`id_numbers` of people drawn before (earlier slices of
    the nation), whose IDs are not drawn again. Without it, or empty, the draws are
    the same as ever.
    """
    regions = current_regions()
    end = np.datetime64(as_of, "D") - np.timedelta64(18 * 365, "D")
    span = 57 * 365
    ids = np.empty(0, dtype="<U18")
    births = np.empty(0, dtype="datetime64[D]")
    # Draw until every number is distinct and not taken (collisions are rare; the loop
    # runs once or twice).
    while len(ids) < size:
        need = size - len(ids)
        region = regions[rng.integers(0, len(regions), need)]
        birth = end - rng.integers(0, span, need).astype("timedelta64[D]")
        new = resident_ids(region, birth, rng.integers(0, 1000, need))
        ids = np.concatenate([ids, new])
        births = np.concatenate([births, birth])
        ids, first = np.unique(ids, return_index=True)
        births = births[first]
        if taken is not None and len(taken):
            fresh = ~_contains(taken, id_numbers(ids))
            ids, births = ids[fresh], births[fresh]
    order = rng.permutation(size)
    latent = rng.standard_normal(size)
    # A shock (job loss, a failed business, a family crisis) hits some people
    # once; less trustworthy people are hit more often.
    hit = rng.random(size) < 1.0 / (1.0 + np.exp(2.0 + 0.8 * latent))
    shock = np.where(hit, rng.integers(0, months, size), -1)
    habit = 0.5 * rng.standard_normal(size)
    return Population(ids[order], births[order], latent, habit, shock, as_of, months)


def _contains(ordered: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each of ``values`` is in the sorted array ``ordered``."""
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return np.asarray(ordered[at] == values)
