"""Fairness drift: a scorecard's newest run against the one before, flagged when a
group falls significantly below four fifths."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from socialcredit.engines import Engine
from socialcredit.monitoring.drift import fairness_drift
from socialcredit.monitoring.fairness import TIER_CUTOFFS


def _subjects(lake: Engine, people: int) -> None:
    rows = [
        {
            "subject_key": f"p{i}",
            "birth_year": 1980,
            "sex": "F" if i % 2 else "M",
            "region": "110105",
            "first_batch": "b",
        }
        for i in range(people)
    ]
    lake.create_table_from_arrow("_s", pa.Table.from_pylist(rows), temporary=True)
    lake.execute("s", "INSERT INTO subjects SELECT * FROM _s")


def _run(lake: Engine, run_id: str, day: int, version: str, scores: list[int]) -> None:
    rows = [{"subject_key": f"p{i}", "score": s} for i, s in enumerate(scores)]
    lake.create_table_from_arrow("_h", pa.Table.from_pylist(rows), temporary=True)
    lake.execute(
        "h",
        "INSERT INTO score_rows (run_id, as_of, scorecard_version, subject_key, score, tier) "
        f"SELECT ?, DATE '2026-06-01' + {day}, ?, subject_key, score, 'x' FROM _h",
        [run_id, version],
    )
    lake.execute("drop", "DROP TABLE _h")
    lake.execute(
        "r",
        f"INSERT INTO score_runs VALUES (?, DATE '2026-06-01' + {day}, ?, 'duckdb', 0, '', "
        f"TIMESTAMP '2026-06-01 00:00:00' + INTERVAL {day} DAY, 7)",
        [run_id, version],
    )


def test_a_new_run_below_four_fifths_is_flagged(lake: Engine) -> None:
    people = 2000
    _subjects(lake, people)
    rng = np.random.default_rng(0)
    fair = rng.integers(500, 800, people).tolist()
    _run(lake, "r1", 0, "v1", fair)
    first = fairness_drift(lake, "v1", TIER_CUTOFFS)
    assert first is not None
    assert not first["flagged"]
    assert first["previous_run"] is None
    # men (even keys) lose 120 points on the next run; another version's run is not it
    drifted = [s - 120 if i % 2 == 0 else s for i, s in enumerate(fair)]
    _run(lake, "r2", 30, "v1", drifted)
    _run(lake, "other", 60, "v2", fair)
    found = fairness_drift(lake, "v1", TIER_CUTOFFS)
    assert found is not None
    assert found["run_id"] == "r2"
    assert found["flagged"]
    assert found["new"]
    assert found["lowest"]["group"] == "M"
    assert found["lowest"]["significant"]
    assert found["previous_run"] == "r1"
    assert found["previous_flagged"] is False
    # still failing on a third run: flagged, no longer new
    _run(lake, "r3", 90, "v1", drifted)
    again = fairness_drift(lake, "v1", TIER_CUTOFFS)
    assert again is not None
    assert again["flagged"]
    assert not again["new"]
    assert again["previous_flagged"] is True


def test_a_version_never_run(lake: Engine) -> None:
    assert fairness_drift(lake, "nothing", TIER_CUTOFFS) is None
