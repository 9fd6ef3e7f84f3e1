"""The synthetic nation: people, their partners' feed files, and the ground truth.

``simulate(out, citizens=N, seed=S)`` writes one file per partner and category
(``<partner>.<category>.csv``, as partners would send them, about 1% of rows
malformed), ``truth/outcomes.csv`` (who defaults in the 12 months after the
as-of date; for validation only, never ingested) and ``manifest.json``.
The same seed gives the same files.

About 40% of people let their bank share their account flows: who they are is in
``consents/cash_flow_sharing.csv`` (resident ID and partner), for the demo to grant
each consent as the person would (:mod:`socialcredit.simulate.consents`) before the
bank's ``account_flow`` feed, which covers only them, is ingested. Who consents and
their flows are drawn from seeds of their own, so the other feeds are the same as
without them.

Guarantees (:mod:`socialcredit.simulate.guarantees`) are drawn once for the whole
nation from a seed of their own, then written by the lender that reports each:
``harbour-bank`` for people's loans, ``lotus-sme-bank`` for small firms'.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from socialcredit.records import CATEGORIES
from socialcredit.simulate import generate
from socialcredit.simulate.generate import Columns
from socialcredit.simulate.guarantees import GUARANTEE_PARTNERS, guarantee_book, guarantee_feed
from socialcredit.simulate.malform import broken_lines, corrupt
from socialcredit.simulate.partners import (
    CASH_FLOW_CONSENT_SHARE,
    CASH_FLOW_PARTNER,
    CONTRACT_STREAMS,
    PARTNERS,
    PAYMENT_STREAMS,
)
from socialcredit.simulate.people import Population, make_population

__all__ = ["DEFAULT_AS_OF", "GENERATOR_VERSION", "Feed", "simulate"]

#: Bumped whenever the same seed would give different files.
GENERATOR_VERSION = 3
DEFAULT_AS_OF = dt.date(2026, 6, 30)
MALFORMED_RATE = 0.01
BROKEN_LINE_RATE = 0.0002

OutputFormat = Literal["csv", "parquet"]
Progress = Callable[[str, int], None]


@dataclass(frozen=True, slots=True)
class Feed:
    """One file written: partner, category, rows and how many of them are malformed."""

    file: str
    partner: str
    category: str
    rows: int
    malformed: int


Generator = Callable[[np.random.Generator], Columns]

#: partner -> (verification kinds it checks, share of people it checks)
CHECKS: dict[str, tuple[tuple[str, ...], float]] = {
    "harbour-bank": (("identity", "address", "employment"), 0.70),
    "skyline-telecom": (("phone",), 0.85),
    "lantern-dating": (("identity",), 0.15),
}


#: The feed shared only with the person's consent, and the consent purpose.
SHARED_FEED = (CASH_FLOW_PARTNER, "account_flow")
SHARING_PURPOSE = CATEGORIES["account_flow"].consent
CONSENTS_FILE = f"consents/{SHARING_PURPOSE}.csv"


def feed_names() -> list[tuple[str, str]]:
    """(partner, category) of every feed the nation writes, in writing order."""
    return sorted(
        {(p.partner, "payment") for p in PAYMENT_STREAMS}
        | {(c.partner, "contract") for c in CONTRACT_STREAMS}
        | {("metro-people-court", "judgment")}
        | {(partner, "verification") for partner in CHECKS}
        | {SHARED_FEED}
        | {(partner, "guarantee") for partner in GUARANTEE_PARTNERS}
    )


def _plans(pop: Population) -> list[tuple[str, str, list[Generator]]]:
    """(partner, category, generators) for every feed, sorted by partner and category."""
    by_feed: dict[tuple[str, str], list[Generator]] = {}
    for p in PAYMENT_STREAMS:
        by_feed.setdefault((p.partner, "payment"), []).append(
            partial(generate.payments, pop=pop, stream=p)
        )
    for c in CONTRACT_STREAMS:
        by_feed.setdefault((c.partner, "contract"), []).append(
            partial(generate.contracts, pop=pop, stream=c)
        )
    by_feed[("metro-people-court", "judgment")] = [partial(generate.judgments, pop=pop)]
    for partner, (kinds, share) in CHECKS.items():
        by_feed[(partner, "verification")] = [
            partial(generate.verifications, pop=pop, kinds=kinds, share=share)
        ]
    assert sorted(by_feed) == [f for f in feed_names() if f != SHARED_FEED and f[1] != "guarantee"]
    return [(partner, category, parts) for (partner, category), parts in sorted(by_feed.items())]


def _run(rng: np.random.Generator, parts: list[Generator]) -> Columns:
    """One feed's columns: every generator of the feed, concatenated."""
    pieces = [part(rng) for part in parts]
    return {key: np.concatenate([piece[key] for piece in pieces]) for key in pieces[0]}


def _table(pop: Population, partner: str, columns: dict[str, np.ndarray]) -> pa.Table:
    """The feed as partners send it: record ids, resident ids, then the category's columns."""
    person = columns.pop("person")
    n = len(person)
    prefix = "".join(word[0] for word in partner.split("-")).upper()
    numbers = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 10, "0")
    data: dict[str, pa.Array] = {
        "record_id": pc.binary_join_element_wise(prefix + "-", numbers, ""),
        "resident_id": pa.array(pop.resident_id).take(pa.array(person)),
    }
    for name, values in columns.items():
        if values.dtype.kind == "M":
            data[name] = pa.array(values.astype("datetime64[D]"), pa.date32(), from_pandas=True)
        elif values.dtype.kind == "U":
            data[name] = pc.if_else(pc.equal(pa.array(values), ""), None, pa.array(values))
        else:
            data[name] = pa.array(values, from_pandas=True)  # NaN: an empty amount
    return pa.table(data)


def _outcomes(rng: np.random.Generator, pop: Population) -> pa.Table:
    """Default in the 12 months after the as-of date, drawn from the latent trait alone."""
    recent_shock = pop.shock_month >= pop.months - 12
    p = 1.0 / (1.0 + np.exp(3.4 + 1.6 * pop.latent - 1.0 * recent_shock))
    return pa.table(
        {
            "resident_id": pa.array(pop.resident_id),
            "default_12m": pa.array((rng.random(pop.size) < p).astype(np.int8)),
        }
    )


def _write(table: pa.Table, path: Path, fmt: OutputFormat, extra_lines: list[str]) -> None:
    partial = path.with_name(path.name + ".partial")
    if fmt == "parquet":
        pq.write_table(table, partial, row_group_size=1 << 20)
    else:
        pacsv.write_csv(table, partial, pacsv.WriteOptions(quoting_style="needed"))
        if extra_lines:
            with partial.open("a", encoding="utf-8") as handle:
                handle.write("\n".join(extra_lines) + "\n")
    partial.replace(path)


def simulate(
    out: Path,
    *,
    citizens: int,
    seed: int,
    as_of: dt.date = DEFAULT_AS_OF,
    months: int = 36,
    fmt: OutputFormat = "csv",
    malformed_rate: float = MALFORMED_RATE,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the nation's feeds, truth and manifest under ``out``; return the manifest."""
    if citizens < 1:
        raise ValueError(f"citizens must be at least 1, got {citizens}")
    out.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(seed)
    people_seed, truth_seed, feeds_seed = seeds.spawn(3)
    consent_seed, flows_seed = seeds.spawn(2)
    pop = make_population(np.random.default_rng(people_seed), citizens, as_of, months)
    plans = list(_plans(pop))
    consenting = np.flatnonzero(
        np.random.default_rng(consent_seed).random(pop.size) < CASH_FLOW_CONSENT_SHARE
    )
    generators: dict[tuple[str, str], tuple[np.random.SeedSequence, list[Generator]]] = {
        (partner, category): (feed_seed, parts)
        for (partner, category, parts), feed_seed in zip(
            plans, feeds_seed.spawn(len(plans)), strict=True
        )
    }
    # Guarantees link people: the book is drawn once for all, when the first lender's
    # feed is written (not while the other feeds are), then split by lender.
    book_seed, *lender_seeds = seeds.spawn(1)[0].spawn(1 + len(GUARANTEE_PARTNERS))
    book = cache(lambda: guarantee_book(np.random.default_rng(book_seed), pop))
    for lender, lender_seed in zip(GUARANTEE_PARTNERS, lender_seeds, strict=True):
        generators[(lender, "guarantee")] = (
            lender_seed,
            [partial(guarantee_feed, pop=pop, book=book, partner=lender)],
        )
    generators[SHARED_FEED] = (
        flows_seed,
        [partial(generate.account_flows, pop=pop, who=consenting)],
    )
    feeds: list[Feed] = []
    for partner, category in feed_names():
        feed_seed, parts = generators[(partner, category)]
        rng = np.random.default_rng(feed_seed)
        table = _table(pop, partner, _run(rng, parts))
        if fmt == "csv":
            table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
        table, bad = corrupt(rng, table, CATEGORIES[category], malformed_rate)
        extra = (
            broken_lines(rng, table, BROKEN_LINE_RATE * malformed_rate / MALFORMED_RATE)
            if fmt == "csv"
            else []
        )
        path = out / f"{partner}.{category}.{fmt}"
        _write(table, path, fmt, extra)
        feeds.append(
            Feed(path.name, partner, category, table.num_rows + len(extra), bad + len(extra))
        )
        if progress is not None:
            progress(path.name, table.num_rows + len(extra))
    (out / CONSENTS_FILE).parent.mkdir(exist_ok=True)
    pacsv.write_csv(
        pa.table(
            {
                "resident_id": pa.array(pop.resident_id[consenting]),
                "partner_id": pa.array([CASH_FLOW_PARTNER] * len(consenting), pa.string()),
            }
        ),
        out / CONSENTS_FILE,
    )
    truth_dir = out / "truth"
    truth_dir.mkdir(exist_ok=True)
    outcomes = _outcomes(np.random.default_rng(truth_seed), pop)
    pacsv.write_csv(outcomes, truth_dir / "outcomes.csv")
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "citizens": citizens,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "months": months,
        "format": fmt,
        "partners": PARTNERS,
        "feeds": [_feed_json(feed) for feed in feeds],
        "records": sum(f.rows for f in feeds),
        "malformed": sum(f.malformed for f in feeds),
        "truth": "truth/outcomes.csv",
        "consents": {"file": CONSENTS_FILE, "purpose": SHARING_PURPOSE, "people": len(consenting)},
        "default_rate": round(float(pc.mean(outcomes.column("default_12m")).as_py()), 4),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _feed_json(feed: Feed) -> dict[str, Any]:
    return {
        "file": feed.file,
        "partner": feed.partner,
        "category": feed.category,
        "rows": feed.rows,
        "malformed": feed.malformed,
    }
