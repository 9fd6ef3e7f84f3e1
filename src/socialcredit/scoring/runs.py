"""Batch scoring: features as of a date -> compiled scorecard -> score history.

Every run is reproducible: it names its as-of date and scorecard version, and
``scores_digest`` (:mod:`socialcredit.scoring.digest`, over each person's subject key,
score and tier) lets two runs or two engines be compared.

A full run rebuilds everyone's feature state (:mod:`socialcredit.lake.state`) and
stores every person's row. An incremental run (``since``) recomputes only the
people who changed and stores only their rows; the ``score_history`` view gives
every run whole.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.errors import InputError, NotFoundError, SpecError
from socialcredit.features import (
    DIMENSIONS,
    features_from_states_sql,
    features_sql,
    window_for,
)
from socialcredit.graph.step import full_graph, graph_since
from socialcredit.lake.changes import batches_since, changed_since_sql, noted_since_sql
from socialcredit.lake.schema import score_columns
from socialcredit.lake.state import (
    advance_state,
    rebuild_state,
    save_state,
    set_state_run,
    state_run,
)
from socialcredit.records import CATEGORIES
from socialcredit.scorecard import MAX_REASONS, TIERS, ScorecardSpec, score_sql
from socialcredit.scoring.digest import Sums, add, digest, parse, subtract, sums_of_rows
from socialcredit.scoring.notice import DEFAULT_NOTICE_DAYS
from socialcredit.scoring.versions import ensure_consented, register_scorecard
from socialcredit.settings import utc_now, utc_today

__all__ = [
    "ScoreRun",
    "latest_observed",
    "run_notice_days",
    "score_population",
    "scores_digest",
]

Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class ScoreRun:
    run_id: str
    as_of: str
    scorecard_version: str
    engine: str
    subjects: int
    tier_counts: dict[str, int]
    score_min: int | None
    score_max: int | None
    scores_digest: str
    notice_days: int
    elapsed_s: float
    #: incremental runs: the run they started from, and how many people were recomputed
    since_run: str | None = None
    recomputed: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def latest_observed(engine: Engine) -> dt.date:
    """The latest observed date of any record: the natural as-of date of the lake."""
    parts = " UNION ALL ".join(
        f"SELECT max(observed_date) AS d FROM {c.table}" for c in CATEGORIES.values()
    )
    found = engine.scalar("latest observed", f"SELECT max(d) FROM ({parts}) m")
    if found is None:
        raise NotFoundError("the lake holds no records yet; ingest partner files first")
    latest: dt.date = found
    return latest


def scores_digest(rows: pa.Table) -> str:
    """The digest (:mod:`socialcredit.scoring.digest`) of rows with ``subject_key``, ``score``
    and ``tier``."""
    return digest(sums_of_rows(rows))


def score_population(
    engine: Engine,
    spec: ScorecardSpec,
    *,
    as_of: dt.date | None = None,
    notice_days: int = DEFAULT_NOTICE_DAYS,
    on_step: Step | None = None,
    since: str | None = None,
) -> ScoreRun:
    """Score every subject with records observed by ``as_of`` (default: the latest).

    With ``since`` (a run id, or ``"last"``) only the people whose records changed
    after that run are recomputed (:mod:`socialcredit.lake.changes`); everyone else keeps
    that run's result, and the new run is as complete as a full one, with the same
    scores. It needs the same as-of date (every window moves with it), scorecard and
    notice period as that run; otherwise a full run is needed and this says so.
    """
    started = time.perf_counter()
    step = on_step or (lambda _name: None)
    spec.ensure_fair()
    ensure_consented(spec)
    unknown = [d for d in spec.dimensions if d not in DIMENSIONS]
    if unknown:
        raise SpecError(
            f"scorecard {spec.version} uses dimension(s) {', '.join(unknown)} that this "
            f"version does not compute; known: {', '.join(DIMENSIONS)}"
        )
    previous = None if since is None else _previous_run(engine, since)
    if previous is not None:
        day = as_of or previous["as_of"]
        _check_incremental(previous, spec, day, notice_days)
    else:
        day = as_of or latest_observed(engine)
    if day > utc_today():
        raise InputError(f"as-of date {day} is in the future")

    register_scorecard(engine, spec)

    # One person's guarantees reach others: the graph step goes over everyone's first,
    # and names whoever an incremental run must recompute because of it.
    step("guarantee graph")
    state: dict[str, str] | None = None
    if previous is None:
        graph = full_graph(engine, window_for(day, notice_days))
    else:
        batches = batches_since(engine, previous["created_at"])
        noted = noted_since_sql(previous["created_at"])
        stored = state_run(engine) == previous["run_id"]
        graph = graph_since(engine, window_for(day, notice_days), batches, noted, stored=stored)
    window = graph.window

    step("features")
    if previous is None:
        states = rebuild_state(engine, window)
        features = features_from_states_sql(window, states)
    else:
        changed = changed_since_sql(engine, previous["created_at"], batches)
        if graph.affected is not None:
            # rebuilt from all their records: their guarantee state cannot be merged
            noted = f"{noted} UNION SELECT subject_key FROM {graph.affected}"
            changed = f"{changed} UNION SELECT subject_key FROM {graph.affected}"
        engine.execute("changed", f"CREATE OR REPLACE TEMP TABLE _changed AS {changed}")
        if stored:
            state = advance_state(engine, window, batches, "_changed", noted)
            features = features_from_states_sql(
                window, state, people="SELECT DISTINCT subject_key FROM _changed"
            )
        else:
            features = features_sql(
                day,
                notice_days=notice_days,
                subjects="SELECT subject_key FROM _changed",
                tables=dict(window.tables),
            )

    step("score")  # features and scores in one statement: 10 million rows are not kept twice
    run_id = uuid.uuid4().hex[:16]
    subs = ", ".join(
        f"s.sub_{d}" if d in spec.dimensions else "CAST(NULL AS INTEGER)" for d in DIMENSIONS
    )
    reasons = ", ".join(f"s.reason_{i}, s.lost_{i}" for i in range(1, MAX_REASONS + 1))
    scored = (
        f"SELECT ? AS run_id, CAST(? AS DATE) AS as_of, ? AS scorecard_version, s.subject_key, "
        f"s.score, s.tier, {subs}, {reasons} FROM ({score_sql(spec, f'({features}) f')}) s"
    )
    meta = [run_id, day.isoformat(), spec.version]
    recomputed = None
    base = None
    with engine.transaction():  # the run's rows, state and summary land together or not at all
        if previous is None:  # the run's rows are everyone's: written once, into the lake
            engine.execute("scores", f"INSERT INTO score_rows {scored}", meta)
            rows = f"(SELECT * FROM score_rows WHERE run_id = '{run_id}')"
            sums = engine.hash_line_sums("digest", f"SELECT subject_key, score, tier FROM {rows} r")
        else:
            engine.execute("scores", f"CREATE OR REPLACE TEMP TABLE _scores AS {scored}", meta)
            recomputed = int(engine.scalar("recomputed", "SELECT count(*) FROM _scores"))
            base, sums, rows = _delta(engine, run_id, day, spec.version, previous)
            engine.execute("save rows", f"INSERT INTO score_rows SELECT * FROM {rows}")

        step("summarise")
        counts = dict.fromkeys((t.id for t in TIERS), 0)
        total, low, high = 0, None, None
        summary = (
            f"SELECT tier, count(*) AS n, min(score) AS low, max(score) AS high FROM {rows} r "
            "WHERE score IS NOT NULL GROUP BY tier"
        )
        if base is not None:
            # the base run's people that this run did not recompute, plus its own rows
            summary = (
                "SELECT tier, sum(n) AS n, min(low) AS low, max(high) AS high FROM ("
                f"{summary} UNION ALL SELECT b.tier, count(*), min(b.score), max(b.score) "
                "FROM score_rows b WHERE b.run_id = ? AND b.subject_key NOT IN "
                "(SELECT subject_key FROM _delta_rows) GROUP BY b.tier) t GROUP BY tier"
            )
        for row in engine.query("tiers", summary, [] if base is None else [base]).to_pylist():
            counts[row["tier"]] = int(row["n"])
            total += int(row["n"])
            low = row["low"] if low is None else min(low, row["low"])
            high = row["high"] if high is None else max(high, row["high"])
        scores_digest = digest(sums)

        step("save")
        if base is not None:
            engine.execute("save base", "INSERT INTO score_run_bases VALUES (?, ?)", [run_id, base])
        engine.execute(
            "save run",
            "INSERT INTO score_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                day,
                spec.version,
                engine.name,
                total,
                scores_digest,
                utc_now(),
                notice_days,
            ],
        )
        if state is not None:
            save_state(engine, state, "_changed")
        graph.save(engine)
        if previous is None or state is not None:
            set_state_run(engine, run_id, day, notice_days)
    for table in ("_scores", "_delta_rows", "_whole_rows", "_changed"):
        engine.execute("clean up", f"DROP TABLE IF EXISTS {table}")
    graph.close(engine)
    return ScoreRun(
        run_id=run_id,
        as_of=day.isoformat(),
        scorecard_version=spec.version,
        engine=engine.name,
        subjects=total,
        tier_counts=counts,
        score_min=low,
        score_max=high,
        scores_digest=scores_digest,
        notice_days=notice_days,
        elapsed_s=round(time.perf_counter() - started, 3),
        since_run=None if previous is None else previous["run_id"],
        recomputed=recomputed,
    )


#: An incremental run keeps only its changes while they are at most this share of
#: the people; past it, the run is written whole and becomes the next runs' base.
DELTA_SHARE = 0.25


def _delta(
    engine: Engine, run_id: str, day: dt.date, version: str, previous: dict[str, Any]
) -> tuple[str | None, Sums, str]:
    """``_delta_rows``: what the new run stores, relative to its base; returns the base
    (None: the rows are the whole run) and the new run's digest sums.

    The previous run's base (or the previous run, if it was whole) stays the base;
    the rows are the previous run's own changes plus this run's, where the people
    recomputed now without a score are kept as rows without one.
    """
    prior = engine.scalar(
        "base", "SELECT base_run_id FROM score_run_bases WHERE run_id = ?", [previous["run_id"]]
    )
    base = str(prior) if prior is not None else previous["run_id"]
    changed = "(SELECT subject_key FROM _changed)"
    kept = score_columns()[3:]  # all but run_id, as_of and scorecard_version
    carried = ", ".join(kept)
    nulls = ", ".join(["NULL"] * (len(kept) - 1))
    meta = [run_id, day.isoformat(), version]
    rows = (
        "SELECT * FROM _scores UNION ALL "
        f"SELECT ?, CAST(? AS DATE), ?, c.subject_key, {nulls} FROM _changed c "
        "WHERE c.subject_key NOT IN (SELECT subject_key FROM _scores)"
    )
    params = list(meta)
    if prior is not None:  # the previous run's own changes, where not recomputed now
        rows += (
            f" UNION ALL SELECT ?, CAST(? AS DATE), ?, {carried} FROM score_rows "
            f"WHERE run_id = ? AND subject_key NOT IN {changed}"
        )
        params += [*meta, previous["run_id"]]
    engine.execute("changes", f"CREATE OR REPLACE TEMP TABLE _delta_rows AS {rows}", params)
    previous_sums = parse(str(previous["scores_digest"] or ""))
    if previous_sums is not None:
        old = engine.hash_line_sums(
            "digest",
            "SELECT subject_key, score, tier FROM score_history WHERE run_id = ? "
            f"AND subject_key IN {changed}",
            [previous["run_id"]],
        )
        new = engine.hash_line_sums("digest", "SELECT subject_key, score, tier FROM _scores")
        sums: Sums | None = add(subtract(previous_sums, old), new)
    else:
        sums = None
    table = "_delta_rows"
    size = int(engine.scalar("changes", "SELECT count(*) FROM _delta_rows"))
    if size > DELTA_SHARE * max(int(previous["subjects"]), 1):
        engine.execute(
            "whole run",
            "CREATE OR REPLACE TEMP TABLE _whole_rows AS SELECT * FROM _delta_rows "
            "WHERE score IS NOT NULL UNION ALL "
            f"SELECT ?, CAST(? AS DATE), ?, {carried} FROM score_rows WHERE run_id = ? "
            "AND subject_key NOT IN (SELECT subject_key FROM _delta_rows)",
            [run_id, day.isoformat(), version, base],
        )
        base, table = None, "_whole_rows"
    if sums is None:  # the previous run's digest has another format: hash every row
        everyone = f"SELECT subject_key, score, tier FROM {table} WHERE score IS NOT NULL"
        if base is not None:
            everyone += (
                " UNION ALL SELECT subject_key, score, tier FROM score_rows WHERE run_id = ? "
                "AND subject_key NOT IN (SELECT subject_key FROM _delta_rows)"
            )
        sums = engine.hash_line_sums("digest", everyone, [] if base is None else [base])
    return base, sums, table


def _previous_run(engine: Engine, since: str) -> dict[str, Any]:
    where, params = ("", []) if since == "last" else ("WHERE run_id = ?", [since])
    rows = engine.query(
        "previous run",
        "SELECT run_id, as_of, scorecard_version, notice_days, created_at, subjects, "
        "scores_digest FROM score_runs "
        f"{where} ORDER BY created_at DESC LIMIT 1",
        params,
    ).to_pylist()
    if not rows:
        raise NotFoundError(
            "no score run yet: run a full score first" if since == "last" else f"no run {since!r}"
        )
    found: dict[str, Any] = rows[0]
    return found


def _check_incremental(
    previous: dict[str, Any], spec: ScorecardSpec, day: dt.date, notice_days: int
) -> None:
    full = "run a full score instead (without --since)"
    if day != previous["as_of"]:
        raise InputError(
            f"run {previous['run_id']} is as of {previous['as_of']}, not {day}: every window "
            f"moves with the as-of date, so everyone may change; {full}"
        )
    if spec.version != previous["scorecard_version"]:
        raise InputError(
            f"run {previous['run_id']} used scorecard {previous['scorecard_version']}, not "
            f"{spec.version}; {full}"
        )
    if notice_days != previous["notice_days"]:
        raise InputError(
            f"run {previous['run_id']} used a notice period of {previous['notice_days']} "
            f"working days, not {notice_days}; {full}"
        )


def run_notice_days(engine: Engine, run_id: str) -> int:
    """The notice period a run was scored with."""
    found = engine.scalar("notice", "SELECT notice_days FROM score_runs WHERE run_id = ?", [run_id])
    return DEFAULT_NOTICE_DAYS if found is None else int(found)
