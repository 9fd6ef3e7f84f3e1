from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from stdnum.cn import ric

from socialcredit.simulate import simulate
from socialcredit.simulate.partners import PARTNERS
from tests.utils.nation import NATION_CITIZENS, Nation


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    simulate(tmp_path / "a", citizens=500, seed=3)
    simulate(tmp_path / "b", citizens=500, seed=3)
    simulate(tmp_path / "c", citizens=500, seed=4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_feeds_are_named_by_partner_and_category(nation: Nation) -> None:
    feeds = nation.manifest["feeds"]
    assert {f["file"] for f in feeds} == {f"{f['partner']}.{f['category']}.csv" for f in feeds}
    kinds = {PARTNERS[f["partner"]] for f in feeds}
    assert {
        "bank",
        "utility",
        "telecom",
        "e-commerce",
        "ride-hailing",
        "dating",
        "insurer",
        "court",
    } <= kinds
    assert len({f["partner"] for f in feeds}) >= 8


def test_about_one_percent_malformed_and_all_caught(nation: Nation) -> None:
    rate = nation.manifest["malformed"] / nation.manifest["records"]
    assert 0.005 < rate < 0.02
    for feed, batch in zip(nation.manifest["feeds"], nation.batches, strict=True):
        assert batch.rows == feed["rows"]
        assert batch.rejected == feed["malformed"], feed["file"]
        assert batch.accepted == feed["rows"] - feed["malformed"]


def test_default_rate_and_truth(nation: Nation) -> None:
    assert 0.03 <= nation.manifest["default_rate"] <= 0.10
    with open(nation.root / "feeds" / "truth" / "outcomes.csv", encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    assert len(truth) == NATION_CITIZENS
    assert all(ric.is_valid(r["resident_id"]) for r in truth)


def test_parquet_output_is_typed(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    manifest = simulate(tmp_path, citizens=300, seed=2, fmt="parquet")
    table = pq.read_table(tmp_path / manifest["feeds"][0]["file"])
    assert str(table.schema.field("observed_date").type) == "date32[day]"


def test_citizens_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        simulate(tmp_path, citizens=0, seed=1)
