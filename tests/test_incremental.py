"""Incremental rescoring (``score --since``): only the people whose records changed
are recomputed, and the run equals a full run on the same data, row for row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from socialcredit.engines import Engine
from socialcredit.errors import IdentityError, InputError, NotFoundError
from socialcredit.identity import SubjectKeyer, parse
from socialcredit.ingest import ingest_file
from socialcredit.records import CATEGORIES
from socialcredit.rights.disputes import answer_dispute, open_dispute
from socialcredit.rights.erasure import erase_person
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population, scores_digest
from socialcredit.simulate import simulate
from socialcredit.store import open_store

HELD_BACK = "harbour-bank.payment.csv"


def _history(lake: Engine, run_id: str) -> list[dict[str, object]]:
    rows = lake.query(
        "history",
        "SELECT * EXCLUDE (run_id) FROM score_history WHERE run_id = ? ORDER BY subject_key",
        [run_id],
    ).to_pylist()
    return rows


def _one_record(
    lake: Engine, table: str, partner: str, nth: int, avoid: set[str]
) -> dict[str, str]:
    """The ``nth`` negative record of ``partner`` about someone not in ``avoid``."""
    negative = CATEGORIES["contract"].negative.format(a="r")
    rows = lake.query(
        "record",
        f"SELECT subject_key, record_id FROM {table} r WHERE partner_id = ? AND {negative} "
        "ORDER BY record_id",
        [partner],
    ).to_pylist()
    row = [r for r in rows if r["subject_key"] not in avoid][nth]
    return {"subject_key": row["subject_key"], "record_id": row["record_id"]}


@pytest.mark.slow
def test_incremental_equals_full(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = simulate(tmp_path / "feeds", citizens=400, seed=21)
    feeds = {f["file"]: f for f in manifest["feeds"]}

    def ingest(name: str) -> None:
        feed = feeds[name]
        ingest_file(
            lake,
            keyer,
            tmp_path / "feeds" / name,
            partner=feed["partner"],
            category_name=feed["category"],
            rejections_dir=tmp_path / "rejections",
        )

    for name in feeds:
        if name != HELD_BACK:
            ingest(name)
    # Disputes are about people the late records do not touch, so that each kind of
    # change is the only reason they are recomputed.
    with open(tmp_path / "feeds" / HELD_BACK, encoding="utf-8") as handle:
        late = {row["resident_id"] for row in csv.DictReader(handle)}
    avoid = set()
    for resident in late:
        try:
            avoid.add(keyer.key(parse(resident).number))
        except IdentityError:
            continue
    spec = default_spec()
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")

    def contest(nth: int) -> str:
        record = _one_record(lake, "rec_contract", "nest-rentals", nth, avoid)
        return open_dispute(
            store,
            lake,
            partner_id="nest-rentals",
            category="contract",
            reason="not mine",
            deadline_days=20,
            actor="t",
            **record,
        ).dispute_id

    def answer(dispute_id: str, outcome: str) -> None:
        answer_dispute(
            store,
            lake,
            dispute_id,
            partner_id="nest-rentals",
            answer=outcome,  # type: ignore[arg-type]
            note="checked",
            actor="t",
            actor_kind="partner",
        )

    to_delete, to_confirm = contest(5), contest(9)  # held during the first run
    first = score_population(lake, spec)
    as_of = dt.date.fromisoformat(first.as_of)

    # Changes of every kind after the first run.
    ingest(HELD_BACK)  # late records: many people
    contest(0)  # a new hold
    answer(to_delete, "delete")  # the record goes
    answer(to_confirm, "confirm")  # the record counts again
    with open(tmp_path / "feeds" / "skyline-telecom.payment.csv", encoding="utf-8") as handle:
        erased_id = handle.read().splitlines()[1].split(",")[1].strip('"')
    erase_person(lake, keyer, erased_id)

    stored = _stored_digests_match(lake)
    # The late records touch a quarter of this small nation: allow up to half as changes.
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 0.5)
    incremental = score_population(lake, spec, since=first.run_id)  # from the kept state
    # From the same run again: the state now holds the incremental run, so this one
    # recomputes the changed people from all their records instead. Over a quarter
    # changed, it is written whole (the default share).
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 0.25)
    from_records = score_population(lake, spec, since=first.run_id)
    full = score_population(lake, spec, as_of=as_of)
    assert stored, "the erasure took the person out of the first run's digest"
    assert incremental.since_run == first.run_id
    assert incremental.as_of == full.as_of == first.as_of
    assert incremental.scores_digest == from_records.scores_digest == full.scores_digest
    assert incremental.subjects == full.subjects
    assert _history(lake, incremental.run_id) == _history(lake, full.run_id)
    assert _history(lake, from_records.run_id) == _history(lake, full.run_id)
    assert incremental.recomputed is not None
    assert 0 < incremental.recomputed < full.subjects, "only the changed people"
    assert _own_rows(lake, incremental.run_id) < full.subjects, "it stores only its changes"
    assert _own_rows(lake, from_records.run_id) == full.subjects, "whole past the share"
    assert incremental.scores_digest != first.scores_digest, "the changes mattered"
    # Nothing changed since: nobody is recomputed, and the result stands.
    again = score_population(lake, spec, since="last")
    assert (again.recomputed, again.scores_digest) == (0, full.scores_digest)
    assert _own_rows(lake, again.run_id) == 0

    # Runs in a chain: each starts from the one before and keeps the full run as base.
    contest(1)
    second = score_population(lake, spec, since="last")
    answer(contest(2), "delete")
    third = score_population(lake, spec, since="last")
    whole = score_population(lake, spec, as_of=as_of)
    assert (second.recomputed, third.recomputed) == (1, 1)
    assert third.scores_digest == whole.scores_digest
    assert _history(lake, third.run_id) == _history(lake, whole.run_id)
    assert _own_rows(lake, third.run_id) == 2, "both runs' changes, nobody else"
    assert _stored_digests_match(lake)


def _own_rows(lake: Engine, run_id: str) -> int:
    return int(lake.scalar("rows", "SELECT count(*) FROM score_rows WHERE run_id = ?", [run_id]))


def _stored_digests_match(lake: Engine) -> bool:
    """Every run's recorded digest and subject count describe its rows as they are."""
    for run in lake.query("runs", "SELECT * FROM score_runs").to_pylist():
        rows = lake.query(
            "rows",
            "SELECT subject_key, score, tier FROM score_history WHERE run_id = ?",
            [run["run_id"]],
        )
        if (scores_digest(rows), rows.num_rows) != (run["scores_digest"], run["subjects"]):
            return False
    return True


def test_incremental_refuses_what_it_cannot_do(
    lake: Engine, keyer: SubjectKeyer, tmp_path: Path
) -> None:
    with pytest.raises(NotFoundError, match="full score first"):
        score_population(lake, default_spec(), since="last")
    manifest = simulate(tmp_path / "feeds", citizens=100, seed=3)
    for feed in manifest["feeds"]:
        ingest_file(
            lake,
            keyer,
            tmp_path / "feeds" / feed["file"],
            partner=feed["partner"],
            category_name=feed["category"],
            rejections_dir=tmp_path / "rejections",
        )
    first = score_population(lake, default_spec())
    earlier = dt.date.fromisoformat(first.as_of) - dt.timedelta(days=30)
    with pytest.raises(InputError, match="every window"):
        score_population(lake, default_spec(), since=first.run_id, as_of=earlier)
    with pytest.raises(InputError, match="notice period"):
        score_population(lake, default_spec(), since=first.run_id, notice_days=0)
    with pytest.raises(NotFoundError):
        score_population(lake, default_spec(), since="no-such-run")
