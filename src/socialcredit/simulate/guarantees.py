"""Guarantees in the synthetic nation: who signed for whose debts, vectorised.

About 1.5 guarantees per person: a person vouches for another person's loan (one
per person on average) or for a small firm's (0.45 per person; one firm per 25
people, with a unified social credit code), and some guarantee each other in
rings (one circle of 3 to 8 people per 400 people, among the weaker half, as
guarantee circles form among firms and owners under strain). Who signs for whom
follows the latent trait: people vouch for people like them, so the principals
of weak guarantors tend to be weak too.

A principal defaults according to its own latent trait (a person's, or a firm's),
and the lender then calls the guarantee; whether the guarantor pays what was called
depends on the guarantor's trait. A guarantor who could not pay is in distress in
turn, and half of the debts they owe themselves default after it: calls travel up
the chain. Loans not in default may be overdue. Called guarantees are also reported
once before the call, as active, so a guarantee has a history.

The ground truth (who defaults in the next 12 months) stays the latent trait's
alone (:mod:`socialcredit.simulate.nation`): what guarantees say about a guarantor
comes from whom they vouch for and how they meet calls.

A large nation is drawn in slices of people (at most
:data:`socialcredit.simulate.nation.SLICE_SIZE`), one book per slice. People vouch
for people of their own slice: no guarantee between two people, hence no chain,
circle or knock-on call, crosses a slice boundary, and "near them" means near them
within their slice. Firms are not cut: a nation of several slices draws its firms
once (:func:`firm_pool`), and every slice's people vouch for firms of their
standing among all of them, so a firm is guaranteed by people of several slices
(of 7 of 10 on average at 10 million people). A nation of one slice draws its
firms in its book, as it always has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from socialcredit.identity import uscc
from socialcredit.simulate.generate import Columns
from socialcredit.simulate.people import Population, current_regions

__all__ = [
    "GUARANTEE_PARTNERS",
    "Book",
    "Firms",
    "firm_pool",
    "guarantee_book",
    "guarantee_feed",
    "organisation_codes",
]

#: partner -> the principals whose loans it reports guarantees of
GUARANTEE_PARTNERS: dict[str, str] = {"harbour-bank": "person", "lotus-sme-bank": "organisation"}
#: guarantees per person: of people's loans, of firms' loans
PER_PERSON, PER_PERSON_FIRMS = 1.0, 0.45
PEOPLE_PER_FIRM, PEOPLE_PER_CIRCLE = 25, 400
#: the text of the book's codes
STATUS = np.asarray(["active", "called", "released"])
STANDING = np.asarray(["", "current", "overdue"])
_DAY = np.timedelta64(1, "D")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def organisation_codes(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` valid unified social credit codes (GB 32100): registered by market
    regulation (9), enterprises (1), a real region code, nine random characters."""
    alphabet = np.frombuffer(uscc.ALPHABET.encode(), dtype=np.uint8)
    value = np.zeros(128, dtype=np.int64)
    value[alphabet] = np.arange(len(alphabet))
    regions = current_regions()
    chars = np.empty((count, 18), dtype=np.uint8)
    chars[:, 0], chars[:, 1] = ord("9"), ord("1")
    region = regions[rng.integers(0, len(regions), count)].astype("S6")
    chars[:, 2:8] = np.frombuffer(region.tobytes(), dtype=np.uint8).reshape(count, 6)
    chars[:, 8:17] = alphabet[rng.integers(0, len(alphabet), (count, 9))]
    total = value[chars[:, :17]] @ np.asarray(uscc.WEIGHTS, dtype=np.int64)
    chars[:, 17] = alphabet[(31 - total % 31) % 31]
    return np.asarray(chars.view("S18").ravel().astype("U18"))


@dataclass(frozen=True)
class Firms:
    """Firms whose loans people guarantee, by number: latent trait and code."""

    latent: np.ndarray
    codes: np.ndarray


def firm_pool(rng: np.random.Generator, people: int) -> Firms:
    """The firms of a nation of ``people`` drawn in several slices, shared by all of them
    (one firm per :data:`PEOPLE_PER_FIRM` people)."""
    count = max(1, people // PEOPLE_PER_FIRM)
    latent = rng.standard_normal(count) - 0.3
    return Firms(latent, organisation_codes(rng, count))


@dataclass(frozen=True)
class Book:
    """Every guarantee record, by position: the guarantor (a person), the principal
    (a person, or a firm when ``firm``), and the record's columns; ``contracts``
    guarantees, numbered from the ``contract_ref`` the book was asked to start at."""

    guarantor: np.ndarray
    principal: np.ndarray
    firm: np.ndarray
    firm_codes: np.ndarray
    columns: dict[str, np.ndarray]
    contracts: int


def _pairs(
    rng: np.random.Generator, pop: Population, firms: Firms | None
) -> tuple[np.ndarray, ...]:
    """(guarantor, principal, firm?) of every guarantee, and the firms' latent traits:
    ``firms``' when given, else the book's own firms, drawn here."""
    n = pop.size
    order = np.argsort(pop.latent + 0.6 * rng.standard_normal(n), kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    # People vouch for people near them in that order.
    g1 = rng.integers(0, n, int(PER_PERSON * n)) if n > 1 else np.empty(0, np.int64)
    step = rng.geometric(1 / 15, len(g1)) * rng.choice([-1, 1], len(g1))
    at = np.clip(rank[g1] + step, 0, n - 1)
    at = np.where(order[at] == g1, (at + 1) % n, at)
    p1 = order[at]
    # Owners and others vouch for firms of about their standing.
    if firms is None:
        firm_latent = rng.standard_normal(max(1, n // PEOPLE_PER_FIRM)) - 0.3
    else:
        firm_latent = firms.latent
    count = len(firm_latent)
    firm_order = np.argsort(firm_latent + 0.6 * rng.standard_normal(count), kind="stable")
    g2 = rng.integers(0, n, int(PER_PERSON_FIRMS * n))
    spread = count // 50 + 1
    firm_at = np.clip(
        rank[g2] * count // n + rng.integers(-spread, spread + 1, len(g2)), 0, count - 1
    )
    p2 = firm_order[firm_at]
    # Circles: consecutive people in the weaker half guarantee each other in a ring.
    circles = n // PEOPLE_PER_CIRCLE
    sizes = rng.integers(3, 9, circles)
    starts = (rng.beta(1.5, 3.0, circles) * max(n - 8, 0)).astype(np.int64)
    which = np.repeat(np.arange(circles), sizes)
    within = np.arange(len(which)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    g3 = order[np.minimum(starts[which] + within, n - 1)]
    p3 = order[np.minimum(starts[which] + (within + 1) % sizes[which], n - 1)]
    ring = g3 != p3
    guarantor = np.concatenate([g1, g2, g3[ring]])
    principal = np.concatenate([p1, p2, p3[ring]])
    firm = np.concatenate(
        [np.zeros(len(g1), bool), np.ones(len(g2), bool), np.zeros(ring.sum(), bool)]
    )
    return guarantor, principal, firm, firm_latent


def guarantee_book(
    rng: np.random.Generator,
    pop: Population,
    *,
    firms: Firms | None = None,
    first_contract: int = 0,
) -> Book:
    """Every guarantee of the people ``pop`` (see the module docstring): of the whole
    nation, or of one slice of it, whose principals may be the nation's ``firms`` and
    whose contracts are numbered from ``first_contract`` (after the earlier slices')."""
    guarantor, principal, firm, firm_latent = _pairs(rng, pop, firms)
    count = len(guarantor)
    as_of = np.datetime64(pop.as_of, "D")
    principal_latent = np.where(
        firm, firm_latent[np.where(firm, principal, 0)], pop.latent[principal]
    )
    shocked = np.where(firm, False, pop.shock_month[principal] >= 0)
    amount = np.round(
        np.where(firm, 250_000.0, 60_000.0) * rng.lognormal(0.0, 0.7, count), -2
    ).clip(1_000)
    start = as_of - rng.integers(30, 5 * 365, count) * _DAY
    end = start + rng.integers(365, 5 * 365, count) * _DAY
    # The principal's default, from its own trait, some time while the guarantee runs.
    defaults = rng.random(count) < _sigmoid(-3.3 - 1.4 * principal_latent + 0.8 * shocked)
    span = (np.minimum(end, as_of) - start) / _DAY
    default_on = start + (rng.random(count) * span).astype(np.int64) * _DAY
    called_on = default_on + rng.integers(20, 90, count) * _DAY
    called = defaults & (called_on < as_of)
    pays = rng.random(count) < _sigmoid(0.8 + 1.5 * pop.latent[guarantor])
    # A guarantor who could not pay a call is in distress: half of the loans of theirs
    # that others guarantee default after it, and those guarantees are called in turn.
    never = np.iinfo(np.int64).max
    distress = np.full(pop.size, never)  # day of a person's first unpaid call
    unpaid_call = called & ~pays
    days = (called_on - as_of) // _DAY
    np.minimum.at(distress, guarantor[unpaid_call], days[unpaid_call])
    then = np.where(firm, never, distress[np.where(firm, 0, principal)])
    knock_on = ~called & (then < never) & (rng.random(count) < 0.5)
    second = as_of + (np.where(then < never, then, 0) + rng.integers(30, 120, count)) * _DAY
    knock_on &= (second < as_of) & (second >= start) & (second <= end)
    called_on = np.where(knock_on, second, called_on)
    called |= knock_on
    amount_called = np.round(amount * rng.uniform(0.3, 1.0, count), 2)
    amount_paid = np.where(
        pays, amount_called, np.round(amount_called * rng.uniform(0, 0.6, count), 2)
    )
    released = ~called & (end < as_of)
    overdue = ~called & ~released & (rng.random(count) < _sigmoid(-3.5 - 1.3 * principal_latent))
    elapsed = (as_of - start) / (end - start)
    outstanding = np.round(amount * np.clip(1.0 - elapsed, 0.05, 1.0), 2)
    observed = np.where(
        released,
        np.minimum(end + rng.integers(1, 30, count) * _DAY, as_of),
        np.maximum(as_of - rng.integers(0, 25, count) * _DAY, np.where(called, called_on, start)),
    )
    notice = start - rng.integers(0, 21, count) * _DAY
    nat = np.datetime64("NaT", "D")
    # Text columns are codes into STATUS and STANDING until a feed is written (memory).
    columns = {
        "observed_date": observed,
        "contract_ref": first_contract + np.arange(count),
        "amount": amount,
        "start_date": start,
        "end_date": end,
        "notice_date": notice,
        "status": np.where(called, 1, np.where(released, 2, 0)).astype(np.int8),
        "principal_outstanding": np.where(called | released, np.nan, outstanding),
        "principal_standing": np.where(overdue, 2, np.where(called | released, 0, 1)).astype(
            np.int8
        ),
        "called_date": np.where(called, called_on, nat),
        "amount_called": np.where(called, amount_called, np.nan),
        "amount_paid": np.where(called, amount_paid, np.nan),
    }
    # Before its call, a called guarantee was reported active, its principal overdue.
    before = np.flatnonzero(called & (rng.random(count) < 0.7))
    earlier = called_on[before] - rng.integers(10, 60, len(before)) * _DAY
    keep = earlier > start[before]
    before, earlier = before[keep], earlier[keep]
    history = {name: values[before] for name, values in columns.items()}
    history |= {
        "observed_date": earlier,
        "status": np.zeros(len(before), dtype=np.int8),
        "principal_outstanding": outstanding[before],
        "principal_standing": np.full(len(before), 2, dtype=np.int8),
        "called_date": np.full(len(before), nat),
        "amount_called": np.full(len(before), np.nan),
        "amount_paid": np.full(len(before), np.nan),
    }
    rows = np.concatenate([np.arange(count), before])
    return Book(
        guarantor[rows],
        principal[rows],
        firm[rows],
        organisation_codes(rng, len(firm_latent)) if firms is None else firms.codes,
        {name: np.concatenate([columns[name], history[name]]) for name in columns},
        count,
    )


def guarantee_feed(
    rng: np.random.Generator, pop: Population, book: Callable[[], Book], partner: str
) -> Columns:
    """The rows of the book that ``partner`` reports (:data:`GUARANTEE_PARTNERS`), in the
    ``guarantee`` schema's columns; ``book`` gives the book, drawn once for all (so
    ``rng`` is unused)."""
    del rng
    drawn = book()
    picked = np.flatnonzero(drawn.firm == (GUARANTEE_PARTNERS[partner] == "organisation"))
    principal = drawn.principal[picked]
    firm = drawn.firm[picked]
    principal_id = np.where(
        firm,
        drawn.firm_codes[np.where(firm, principal, 0)],
        pop.resident_id[np.where(firm, 0, principal)],
    )
    prefix = "".join(word[0] for word in partner.split("-")).upper()
    numbers = drawn.columns["contract_ref"][picked].astype(str)
    # zfill cannot take an empty array (a slice with no guarantees of this lender)
    references = np.char.add(f"{prefix}-G-", np.char.zfill(numbers, 10) if len(picked) else numbers)
    columns: Columns = {"person": drawn.guarantor[picked]}
    for name, values in drawn.columns.items():
        columns[name] = values[picked]
    columns["principal_kind"] = np.where(firm, "organisation", "person")
    columns["principal_id"] = principal_id
    columns["contract_ref"] = references
    columns["status"] = STATUS[columns["status"]]
    columns["principal_standing"] = STANDING[columns["principal_standing"]]
    order = ["person", "observed_date", "principal_kind", "principal_id", "contract_ref"]
    return {name: columns[name] for name in order + [n for n in drawn.columns if n not in order]}
