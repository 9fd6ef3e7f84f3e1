"""Batch scoring on a small nation: everyone scored, reproducible, and the
single-subject path gives every person's stored result."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from socialcredit.errors import NotFoundError, SpecError
from socialcredit.features import DIMENSIONS, features_sql
from socialcredit.scorecard import MAX_REASONS, default_spec, evaluate
from socialcredit.scoring.runs import latest_observed, score_population
from socialcredit.scoring.versions import stored_scorecard
from tests.utils.nation import NATION_CITIZENS, Nation


def _scores(nation: Nation, run_id: str) -> list[dict]:  # type: ignore[type-arg]
    return nation.engine.query(
        "scores", "SELECT * FROM score_history WHERE run_id = ? ORDER BY subject_key", [run_id]
    ).to_pylist()


def test_everyone_with_records_is_scored_within_range(nation: Nation) -> None:
    rows = _scores(nation, nation.run.run_id)
    assert len(rows) == nation.run.subjects == NATION_CITIZENS
    assert all(350 <= r["score"] <= 950 for r in rows)
    assert all(350 <= r[f"sub_{d}"] <= 950 for r in rows for d in DIMENSIONS)
    assert sum(nation.run.tier_counts.values()) == NATION_CITIZENS
    assert nation.run.as_of == nation.manifest["as_of"]


def test_rescoring_gives_the_same_digest(nation: Nation) -> None:
    again = score_population(nation.engine, default_spec())
    assert again.scores_digest == nation.run.scores_digest
    assert again.run_id != nation.run.run_id


@pytest.mark.slow
def test_single_subject_path_reproduces_the_batch(nation: Nation) -> None:
    spec = stored_scorecard(nation.engine, nation.run.scorecard_version)
    as_of = dt.date.fromisoformat(nation.run.as_of)
    rows = _scores(nation, nation.run.run_id)
    for row in random.Random(4).sample(rows, 60):
        values = nation.engine.query("one", features_sql(as_of, row["subject_key"])).to_pylist()
        single = evaluate(spec, values[0])
        assert (single.score, single.tier) == (row["score"], row["tier"])
        assert single.subscores == {d: row[f"sub_{d}"] for d in spec.dimensions}
        reasons = [
            (row[f"reason_{i}"], row[f"lost_{i}"])
            for i in range(1, MAX_REASONS + 1)
            if row[f"reason_{i}"]
        ]
        assert reasons == [(r.feature, r.points_lost) for r in single.reasons]


def test_earlier_as_of_uses_only_records_observed_by_then(nation: Nation) -> None:
    early = dt.date.fromisoformat(nation.run.as_of) - dt.timedelta(days=400)
    run = score_population(nation.engine, default_spec(), as_of=early)
    assert 0 < run.subjects <= NATION_CITIZENS
    assert run.scores_digest != nation.run.scores_digest
    assert latest_observed(nation.engine).isoformat() == nation.run.as_of


def test_a_changed_scorecard_needs_a_new_version(nation: Nation) -> None:
    changed = default_spec().model_copy(update={"base_points": default_spec().base_points + 1})
    with pytest.raises(SpecError, match="immutable"):
        score_population(nation.engine, changed)


def test_scoring_an_empty_lake_says_what_to_do(lake) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError, match="ingest partner files first"):
        score_population(lake, default_spec())


def test_scores_digest_sums_the_md5_halves_of_each_line() -> None:
    import hashlib

    import pyarrow as pa

    from socialcredit.scoring.runs import scores_digest

    rows = [("b2", 640, "good"), ("a1", 512, "poor"), ("c3", 701, "excellent")]
    hashes = [hashlib.md5(f"{k},{s},{t}".encode()).digest() for k, s, t in rows]
    high = sum(int.from_bytes(h[:8], "big") for h in hashes) % 2**64
    low = sum(int.from_bytes(h[8:], "big") for h in hashes) % 2**64
    expected = f"{high:016x}{low:016x}"
    table = pa.table(
        {
            "subject_key": [r[0] for r in rows],
            "score": pa.array([r[1] for r in rows], pa.int32()),
            "tier": [r[2] for r in rows],
        }
    )
    assert scores_digest(table) == expected
    assert scores_digest(table.sort_by("subject_key")) == expected, "order does not matter"
    chunked = pa.concat_tables([table.slice(0, 1), table.slice(1)])
    assert scores_digest(chunked) == expected
    assert scores_digest(table.slice(0, 0)) == "0" * 32
    assert scores_digest(table.slice(1)) != expected, "a missing person changes it"


def test_the_engine_computes_the_same_digest(lake) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    from socialcredit.scoring.digest import digest
    from socialcredit.scoring.runs import scores_digest

    rows = pa.table(
        {
            "subject_key": [f"k{i:04d}" for i in range(500)],
            "score": pa.array([350 + i for i in range(500)], pa.int32()),
            "tier": ["good" if i % 2 else "fair" for i in range(500)],
        }
    )
    lake.create_table_from_arrow("_rows", rows, temporary=True)
    sums = lake.hash_line_sums("digest", "SELECT subject_key, score, tier FROM _rows")
    assert digest(sums) == scores_digest(rows)
