"""Which check counts: the latest of each kind; of checks observed on the same day,
a pass over a fail, then the longest-held fact. The same from the records and from
the kept state, also when a later batch brings a check of the same day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from socialcredit.engines import Engine
from socialcredit.features import features_sql
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from tests.utils.records import resident, row, write_csv

AS_OF = dt.date(2026, 6, 30)
SAME_DAY = "2026-02-01"


def _ingest(lake: Engine, keyer: SubjectKeyer, tmp_path: Path, name: str, rows: list[Any]) -> None:
    report = ingest_file(
        lake,
        keyer,
        write_csv(tmp_path / f"{name}.csv", rows),
        partner=f"partner-{name}",
        category_name="verification",
        rejections_dir=tmp_path / "rejections",
    )
    assert report.accepted == len(rows)


def _features(lake: Engine, keyer: SubjectKeyer, person: str) -> dict[str, Any]:
    found = lake.query("one", features_sql(AS_OF, keyer.key(person))).to_pylist()
    assert len(found) == 1
    result: dict[str, Any] = found[0]
    return result


def _years(since: str) -> float:
    return (AS_OF - dt.date.fromisoformat(since)).days / 365.25


def test_the_latest_check_counts_and_same_day_checks_favour_the_person(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    a, b, c = resident(1), resident(2), resident(3)
    _ingest(
        lake,
        keyer,
        tmp_path,
        "first",
        [
            # a: a pass and a fail of the address on the same day: the pass counts
            row("verification", "a1", a, result="pass", since_date="2025-01-01"),
            row("verification", "a2", a, result="fail", since_date=""),
            # b: two passes on the same day: the longest-held address counts
            row("verification", "b1", b, since_date="2025-09-01"),
            row("verification", "b2", b, since_date="2022-01-01"),
            # c: a later fail outweighs an earlier pass, of address and identity alike
            row("verification", "c1", c, observed_date="2026-01-05", since_date="2018-01-01"),
            row("verification", "c2", c, result="fail", since_date=""),
            row(
                "verification", "c3", c, kind="identity", observed_date="2026-01-05", since_date=""
            ),
            row("verification", "c4", c, kind="identity", result="fail", since_date=""),
        ],
    )
    assert _features(lake, keyer, a)["pc_years_at_address"] == _years("2025-01-01")
    assert _features(lake, keyer, b)["pc_years_at_address"] == _years("2022-01-01")
    assert _features(lake, keyer, c)["pc_years_at_address"] is None
    assert _features(lake, keyer, c)["pc_identity_verified"] == 0.0
    assert _features(lake, keyer, a)["pc_identity_verified"] is None, "no identity check"

    full = score_population(lake, default_spec(), as_of=AS_OF)
    # a later batch: a same-day fail for b, a same-day pass with a longer tenure for a
    _ingest(
        lake,
        keyer,
        tmp_path,
        "second",
        [
            row("verification", "b3", b, result="fail", since_date=""),
            row("verification", "a3", a, since_date="2020-05-01"),
        ],
    )
    assert _features(lake, keyer, a)["pc_years_at_address"] == _years("2020-05-01")
    assert _features(lake, keyer, b)["pc_years_at_address"] == _years("2022-01-01")
    merged = score_population(lake, default_spec(), since=full.run_id)  # from the state
    assert merged.recomputed == 2
    whole = score_population(lake, default_spec(), as_of=AS_OF)  # from the records
    assert _rows(lake, merged.run_id) == _rows(lake, whole.run_id) != _rows(lake, full.run_id)


def _rows(lake: Engine, run_id: str) -> list[dict[str, Any]]:
    found = lake.query(
        "rows", "SELECT * FROM score_history WHERE run_id = ? ORDER BY subject_key", [run_id]
    ).to_pylist()
    return [{k: v for k, v in r.items() if k != "run_id"} for r in found]


def test_a_version_3_lake_drops_its_text_state_and_rescores_from_records(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    from socialcredit.lake.schema import ensure_lake
    from socialcredit.lake.state import state_run

    _ingest(lake, keyer, tmp_path, "first", [row("verification", "a1", resident(1))])
    full = score_population(lake, default_spec(), as_of=AS_OF)
    # the state as version 3 kept it: each latest check as text
    lake.execute("old", "DROP TABLE feature_state_verification")
    lake.execute(
        "old",
        "CREATE TABLE feature_state_verification (subject_key VARCHAR, identity_latest VARCHAR, "
        "address_latest VARCHAR, phone_latest VARCHAR, employment_latest VARCHAR, "
        "education_latest VARCHAR)",
    )
    lake.execute("old", "UPDATE lake_meta SET value = '3' WHERE key = 'lake_version'")

    ensure_lake(lake)
    kinds = lake.query(
        "types",
        "SELECT data_type FROM information_schema.columns WHERE table_name = "
        "'feature_state_verification' AND column_name LIKE '%_latest'",
    ).column("data_type")
    assert set(kinds.to_pylist()) == {"BIGINT"}
    assert state_run(lake) is None, "the state holds no run until the next full run"
    _ingest(lake, keyer, tmp_path, "second", [row("verification", "b1", resident(2))])
    incremental = score_population(lake, default_spec(), since=full.run_id)
    whole = score_population(lake, default_spec(), as_of=AS_OF)
    assert _rows(lake, incremental.run_id) == _rows(lake, whole.run_id)
