"""A nation drawn in several slices: every person once, every record numbered once per
feed, guarantees between real people and firms, counts as the manifest says."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from stdnum.cn import ric

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer, uscc
from socialcredit.simulate import simulate
from socialcredit.simulate.guarantees import GUARANTEE_PARTNERS
from socialcredit.simulate.nation import DEFAULT_AS_OF, progress_steps, slice_sizes
from socialcredit.simulate.people import id_numbers, make_population
from tests.utils.nation import ingest_feeds

CITIZENS, SLICE = 12_000, 5_000


@pytest.fixture(scope="module")
def sliced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """12,000 people in three slices, Parquet, no malformed rows (so every id counts)."""
    root = tmp_path_factory.mktemp("sliced")
    steps: list[str] = []
    manifest = simulate(
        root,
        citizens=CITIZENS,
        seed=5,
        fmt="parquet",
        malformed_rate=0.0,
        slice_size=SLICE,
        progress=lambda name, _rows: steps.append(name),
    )
    assert len(steps) == progress_steps(CITIZENS, SLICE) == 3 * len(manifest["feeds"])
    return root, manifest


def _read_csv(path: Path) -> pa.Table:
    return pacsv.read_csv(
        path, convert_options=pacsv.ConvertOptions(column_types={"resident_id": pa.string()})
    )


def _people(root: Path, manifest: dict[str, Any]) -> list[str]:
    """Everyone, in the order of the truth file: slice by slice."""
    return [str(r) for r in _read_csv(root / manifest["truth"]).column("resident_id").to_pylist()]


@pytest.mark.parametrize(
    ("citizens", "slice_size", "sizes"),
    [
        (12_000, 5_000, [4_000, 4_000, 4_000]),
        (10, 3, [3, 3, 2, 2]),
        (5, 5, [5]),
        (1, 1_000_000, [1]),
    ],
)
def test_slices_are_as_few_and_as_even_as_can_be(
    citizens: int, slice_size: int, sizes: list[int]
) -> None:
    assert slice_sizes(citizens, slice_size) == sizes


def test_slice_size_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="slice_size must be at least 1"):
        simulate(tmp_path, citizens=10, seed=1, slice_size=0)


def test_resident_ids_taken_by_earlier_slices_are_not_drawn_again() -> None:
    first = make_population(np.random.default_rng(3), 500, DEFAULT_AS_OF, 36)
    taken = np.sort(id_numbers(first.resident_id))
    # the same seed draws the same numbers first: every one of them is taken
    again = make_population(np.random.default_rng(3), 500, DEFAULT_AS_OF, 36, taken=taken)
    assert len(set(again.resident_id)) == 500
    assert not set(again.resident_id) & set(first.resident_id)
    assert all(ric.is_valid(person) for person in again.resident_id)


def test_every_person_once_with_a_valid_resident_id(sliced: tuple[Path, dict[str, Any]]) -> None:
    root, manifest = sliced
    people = _people(root, manifest)
    assert manifest["slices"] == [4_000, 4_000, 4_000]
    assert len(people) == len(set(people)) == CITIZENS
    assert all(ric.is_valid(person) for person in people)


def test_feeds_number_each_record_once_and_hold_what_the_manifest_says(
    sliced: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = sliced
    people = pa.array(_people(root, manifest))
    for feed in manifest["feeds"]:
        table = pq.read_table(root / feed["file"], columns=["record_id", "resident_id"])
        assert table.num_rows == feed["rows"] > 0, feed["file"]
        assert pc.count_distinct(table.column("record_id")).as_py() == table.num_rows, feed
        assert pc.all(pc.is_in(table.column("resident_id"), people)).as_py(), feed["file"]
    assert manifest["records"] == sum(f["rows"] for f in manifest["feeds"])
    consents = _read_csv(root / manifest["consents"]["file"])
    assert consents.num_rows == manifest["consents"]["people"]
    assert pc.all(pc.is_in(consents.column("resident_id"), people)).as_py()


def test_guarantees_join_real_people_and_firms_shared_by_every_slice(
    sliced: tuple[Path, dict[str, Any]],
) -> None:
    root, manifest = sliced
    slice_of = {person: at // 4_000 for at, person in enumerate(_people(root, manifest))}
    firm_slices: dict[str, set[int]] = defaultdict(set)
    for lender, kind in GUARANTEE_PARTNERS.items():
        rows = pq.read_table(
            root / f"{lender}.guarantee.parquet",
            columns=["resident_id", "principal_kind", "principal_id", "contract_ref"],
        ).to_pylist()
        assert rows
        parties: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for row in rows:
            guarantor, principal = row["resident_id"], row["principal_id"]
            assert row["principal_kind"] == kind
            assert guarantor in slice_of
            if kind == "person":
                assert principal in slice_of
                assert principal != guarantor
                # people vouch for people of their own slice (see simulate.guarantees)
                assert slice_of[principal] == slice_of[guarantor]
            else:
                assert uscc.parse(principal) == principal
                firm_slices[principal].add(slice_of[guarantor])
            parties[row["contract_ref"]].add((guarantor, principal))
        # a guarantee reported twice (before and after its call) is one contract of its
        # own: contract numbers go on from slice to slice
        assert all(len(pair) == 1 for pair in parties.values()), lender
    slices_per_firm = [len(slices) for slices in firm_slices.values()]
    assert max(slices_per_firm) == 3
    assert sum(count > 1 for count in slices_per_firm) > len(slices_per_firm) / 2


def test_a_sliced_nation_in_csv_is_ingested_whole(
    tmp_path: Path, lake: Engine, keyer: SubjectKeyer
) -> None:
    """Partners' files of several slices, malformed rows and all: one header each, and
    every well-formed row accepted (a record id given twice would be a duplicate)."""
    manifest = simulate(tmp_path / "feeds", citizens=3_000, seed=8, slice_size=1_000)
    assert manifest["slices"] == [1_000, 1_000, 1_000]
    batches = ingest_feeds(lake, keyer, tmp_path / "feeds", manifest, tmp_path / "rejections")
    for feed, batch in zip(manifest["feeds"], batches, strict=True):
        lines = (tmp_path / "feeds" / feed["file"]).read_text(encoding="utf-8").splitlines()
        assert sum(line.startswith('"record_id"') for line in lines) == 1, feed["file"]
        assert len(lines) - 1 == feed["rows"] == batch.rows, feed["file"]
        assert batch.rejected == feed["malformed"], feed["file"]
        assert batch.accepted == feed["rows"] - feed["malformed"], feed["file"]
        assert batch.duplicates == 0, feed["file"]
