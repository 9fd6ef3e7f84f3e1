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

Guarantees (:mod:`socialcredit.simulate.guarantees`) are drawn from a seed of their
own, then written by the lender that reports each: ``harbour-bank`` for people's
loans, ``lotus-sme-bank`` for small firms'.

A nation is drawn and written in slices of at most :data:`SLICE_SIZE` people, so
memory is that of one slice whatever the nation's size: each slice's rows are
appended to the same files, and the truth and the manifest count every slice. A
nation of one slice is drawn exactly as it always was; later slices draw from seeds
of their own, never give an earlier slice's resident ID again, and number records,
case references and guarantee contracts on from where the earlier slices stopped.
Guarantees between people stay within a slice; firms are shared by every slice
(:mod:`socialcredit.simulate.guarantees` says what that means for the graph). The
manifest of a nation of several slices lists their sizes (``slices``), in the order
of ``truth/outcomes.csv``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
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
from socialcredit.simulate.guarantees import (
    GUARANTEE_PARTNERS,
    Firms,
    firm_pool,
    guarantee_book,
    guarantee_feed,
)
from socialcredit.simulate.malform import broken_lines, corrupt
from socialcredit.simulate.partners import (
    CASH_FLOW_CONSENT_SHARE,
    CASH_FLOW_PARTNER,
    CONTRACT_STREAMS,
    PARTNERS,
    PAYMENT_STREAMS,
)
from socialcredit.simulate.people import Population, id_numbers, make_population

__all__ = [
    "DEFAULT_AS_OF",
    "GENERATOR_VERSION",
    "SLICE_SIZE",
    "Feed",
    "progress_steps",
    "simulate",
    "slice_sizes",
]

#: Bumped whenever the same seed would give different files.
GENERATOR_VERSION = 3
DEFAULT_AS_OF = dt.date(2026, 6, 30)
MALFORMED_RATE = 0.01
BROKEN_LINE_RATE = 0.0002

#: People drawn and written at once: a nation this size or smaller is one slice.
SLICE_SIZE = 1_000_000
#: Spawn keys under the seed after the six children the first slice spawns: the
#: firms a nation of several slices shares, and the slices after the first.
_FIRMS_KEY, _SLICES_KEY = 6, 7

OutputFormat = Literal["csv", "parquet"]
#: Called after each feed of each slice is written: the file's name, rows written.
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
TRUTH_FILE = "truth/outcomes.csv"
JUDGMENTS = ("metro-people-court", "judgment")


def slice_sizes(citizens: int, slice_size: int = SLICE_SIZE) -> list[int]:
    """People in each slice of a nation: as few slices as ``slice_size`` allows, of
    equal size (the first ones one person larger when it does not divide)."""
    if slice_size < 1:
        raise ValueError(f"slice_size must be at least 1, got {slice_size}")
    count = -(-citizens // slice_size)
    size, larger = divmod(citizens, count)
    return [size + 1] * larger + [size] * (count - larger)


def progress_steps(citizens: int, slice_size: int = SLICE_SIZE) -> int:
    """How many times :func:`simulate` calls its ``progress``: once per slice and feed."""
    return len(slice_sizes(citizens, slice_size)) * len(feed_names())


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


def _plans(pop: Population, first_case: int) -> list[tuple[str, str, list[Generator]]]:
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
    by_feed[JUDGMENTS] = [partial(generate.judgments, pop=pop, first_case=first_case)]
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


def _table(pop: Population, partner: str, columns: dict[str, np.ndarray], first: int) -> pa.Table:
    """The feed as partners send it: record ids (numbered from ``first``), resident ids,
    then the category's columns."""
    person = columns.pop("person")
    n = len(person)
    prefix = "".join(word[0] for word in partner.split("-")).upper()
    numbers = pc.utf8_lpad(pa.array(np.arange(first, first + n)).cast(pa.string()), 10, "0")
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


def _append_csv(path: Path, table: pa.Table, *, first: bool, extra_lines: list[str]) -> None:
    """Write ``table`` to a new file (``first``) or at the end of it, without its header."""
    with path.open("wb" if first else "ab") as handle:
        pacsv.write_csv(
            table, handle, pacsv.WriteOptions(quoting_style="needed", include_header=first)
        )
        if extra_lines:
            handle.write(("\n".join(extra_lines) + "\n").encode())


class _FeedFile:
    """One feed, written slice by slice under a temporary name, renamed when complete."""

    def __init__(self, out: Path, partner: str, category: str, fmt: OutputFormat) -> None:
        self.partner, self.category, self.fmt = partner, category, fmt
        self.path = out / f"{partner}.{category}.{fmt}"
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.numbered = self.rows = self.malformed = 0
        self.started = False
        self.parquet: pq.ParquetWriter | None = None

    def append(self, table: pa.Table, malformed: int, extra_lines: list[str]) -> None:
        """Add a slice's rows (and, in CSV, its broken lines after them)."""
        if self.fmt == "parquet":
            if self.parquet is None:
                self.parquet = pq.ParquetWriter(self.partial, table.schema)
            self.parquet.write_table(table.cast(self.parquet.schema), row_group_size=1 << 20)
        else:
            _append_csv(self.partial, table, first=not self.started, extra_lines=extra_lines)
        self.started = True
        self.numbered += table.num_rows
        self.rows += table.num_rows + len(extra_lines)
        self.malformed += malformed + len(extra_lines)

    def close(self) -> None:
        """Close the Parquet writer, if any (when complete, or when the run fails)."""
        if self.parquet is not None:
            self.parquet.close()
            self.parquet = None

    def complete(self) -> Feed:
        """Close the file, give it its name and say what it holds."""
        self.close()
        self.partial.replace(self.path)
        return Feed(self.path.name, self.partner, self.category, self.rows, self.malformed)


@dataclass(frozen=True)
class _Run:
    """What every slice of one simulation shares."""

    out: Path
    as_of: dt.date
    months: int
    fmt: OutputFormat
    malformed_rate: float
    progress: Progress | None
    firms: Firms | None  # the nation's, when it has several slices
    files: dict[tuple[str, str], _FeedFile]


@dataclass
class _Drawn:
    """What the slices written so far leave to the next ones."""

    taken: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # ID numbers
    contracts: int = 0  # guarantees numbered
    consents: int = 0
    defaults: int = 0


def _slice_seeds(seed: int, index: int) -> np.random.SeedSequence:
    """The first slice's seeds are the nation's own (a nation of one slice is as it was)."""
    if index == 0:
        return np.random.SeedSequence(seed)
    return np.random.SeedSequence(seed, spawn_key=(_SLICES_KEY, index))


def _write_slice(
    run: _Run, seeds: np.random.SeedSequence, size: int, drawn: _Drawn, *, first: bool, last: bool
) -> None:
    """Draw ``size`` people and append their rows to every file (``first``: create them;
    not ``last``: remember their IDs for the slices to come)."""
    people_seed, truth_seed, feeds_seed = seeds.spawn(3)
    consent_seed, flows_seed = seeds.spawn(2)
    pop = make_population(
        np.random.default_rng(people_seed), size, run.as_of, run.months, taken=drawn.taken
    )
    plans = _plans(pop, first_case=run.files[JUDGMENTS].numbered + 1)
    consenting = np.flatnonzero(
        np.random.default_rng(consent_seed).random(pop.size) < CASH_FLOW_CONSENT_SHARE
    )
    generators: dict[tuple[str, str], tuple[np.random.SeedSequence, list[Generator]]] = {
        (partner, category): (feed_seed, parts)
        for (partner, category, parts), feed_seed in zip(
            plans, feeds_seed.spawn(len(plans)), strict=True
        )
    }
    # Guarantees link people: the book is drawn once for the slice, when the first
    # lender's feed is written (not while the other feeds are), then split by lender.
    book_seed, *lender_seeds = seeds.spawn(1)[0].spawn(1 + len(GUARANTEE_PARTNERS))
    book = cache(
        lambda: guarantee_book(
            np.random.default_rng(book_seed), pop, firms=run.firms, first_contract=drawn.contracts
        )
    )
    for lender, lender_seed in zip(GUARANTEE_PARTNERS, lender_seeds, strict=True):
        generators[(lender, "guarantee")] = (
            lender_seed,
            [partial(guarantee_feed, pop=pop, book=book, partner=lender)],
        )
    generators[SHARED_FEED] = (
        flows_seed,
        [partial(generate.account_flows, pop=pop, who=consenting)],
    )
    for partner, category in feed_names():
        feed_seed, parts = generators[(partner, category)]
        file = run.files[(partner, category)]
        rng = np.random.default_rng(feed_seed)
        table = _table(pop, partner, _run(rng, parts), first=file.numbered + 1)
        if run.fmt == "csv":
            table = table.cast(pa.schema([pa.field(n, pa.string()) for n in table.column_names]))
        table, bad = corrupt(rng, table, CATEGORIES[category], run.malformed_rate)
        extra = (
            broken_lines(rng, table, BROKEN_LINE_RATE * run.malformed_rate / MALFORMED_RATE)
            if run.fmt == "csv"
            else []
        )
        file.append(table, bad, extra)
        if run.progress is not None:
            run.progress(file.path.name, table.num_rows + len(extra))
    consents = pa.table(
        {
            "resident_id": pa.array(pop.resident_id[consenting]),
            "partner_id": pa.array([CASH_FLOW_PARTNER] * len(consenting), pa.string()),
        }
    )
    _append_csv(run.out / CONSENTS_FILE, consents, first=first, extra_lines=[])
    outcomes = _outcomes(np.random.default_rng(truth_seed), pop)
    _append_csv(run.out / TRUTH_FILE, outcomes, first=first, extra_lines=[])
    drawn.contracts += book().contracts
    drawn.consents += len(consenting)
    drawn.defaults += int(pc.sum(outcomes.column("default_12m")).as_py())
    if not last:
        new = np.sort(id_numbers(pop.resident_id))
        drawn.taken = np.insert(drawn.taken, np.searchsorted(drawn.taken, new), new)


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
    slice_size: int = SLICE_SIZE,
) -> dict[str, Any]:
    """Write the nation's feeds, truth and manifest under ``out``; return the manifest.

    The nation is drawn ``slice_size`` people at a time or fewer (:func:`slice_sizes`),
    so memory is that of one slice; ``progress`` is called once per slice and feed
    (:func:`progress_steps` times).
    """
    if citizens < 1:
        raise ValueError(f"citizens must be at least 1, got {citizens}")
    sizes = slice_sizes(citizens, slice_size)
    out.mkdir(parents=True, exist_ok=True)
    (out / CONSENTS_FILE).parent.mkdir(exist_ok=True)
    (out / TRUTH_FILE).parent.mkdir(exist_ok=True)
    firms = None
    if len(sizes) > 1:
        firms = firm_pool(
            np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_FIRMS_KEY,))),
            citizens,
        )
    files = {name: _FeedFile(out, *name, fmt) for name in feed_names()}
    run = _Run(out, as_of, months, fmt, malformed_rate, progress, firms, files)
    drawn = _Drawn()
    try:
        for index, size in enumerate(sizes):
            seeds = _slice_seeds(seed, index)
            last = index == len(sizes) - 1
            _write_slice(run, seeds, size, drawn, first=index == 0, last=last)
        feeds = [file.complete() for file in files.values()]
    finally:
        for file in files.values():
            file.close()
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
        "truth": TRUTH_FILE,
        "consents": {"file": CONSENTS_FILE, "purpose": SHARING_PURPOSE, "people": drawn.consents},
        "default_rate": round(drawn.defaults / citizens, 4),
    }
    if len(sizes) > 1:
        manifest["slices"] = sizes
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
