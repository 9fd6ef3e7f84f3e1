"""Notice before a negative record counts: it waits out the notice period, the
person sees it pending, and an objection keeps it out until resolved."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from socialcredit.features import features_sql
from socialcredit.ingest import ingest_file
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.rights.disputes import answer_dispute, open_dispute
from socialcredit.rights.report import pending_records
from socialcredit.scorecard import default_spec, evaluate
from socialcredit.scoring.notice import counts_from, notice_cutoff
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings
from tests.utils.records import PERSON_A, row, write_csv

MONDAY = dt.date(2026, 6, 1)


def test_cutoff_matches_counts_from_everywhere() -> None:
    rng = random.Random(7)
    for _ in range(5000):
        observed = MONDAY + dt.timedelta(days=rng.randint(-60, 60))
        as_of = observed + dt.timedelta(days=rng.randint(-3, 30))
        days = rng.randint(0, 10)
        assert (counts_from(observed, days) <= as_of) == (observed <= notice_cutoff(as_of, days))


@pytest.mark.parametrize(
    ("observed", "days", "expected"),
    [
        (dt.date(2026, 6, 1), 7, dt.date(2026, 6, 10)),  # Monday + 7 working days
        (dt.date(2026, 6, 6), 1, dt.date(2026, 6, 8)),  # Saturday: the next Monday
        (dt.date(2026, 6, 5), 0, dt.date(2026, 6, 5)),  # no notice period
    ],
)
def test_counts_from(observed: dt.date, days: int, expected: dt.date) -> None:
    assert counts_from(observed, days) == expected


def _score(space: Workspace, as_of: dt.date) -> int:
    values = (
        space.engine()
        .query("one", features_sql(as_of, space.keyer().key(PERSON_A), notice_days=7))
        .to_pylist()
    )
    return evaluate(default_spec(), values[0]).score


@pytest.fixture
def space(tmp_path: Path) -> Workspace:
    workspace = Workspace.open(Settings(workspace=tmp_path / "ws", subject_key_secret="s" * 32))
    clean = [
        row(
            "payment",
            f"ok-{m}",
            due_date=f"2026-0{m}-10",
            paid_date=f"2026-0{m}-09",
            observed_date=f"2026-0{m}-12",
        )
        for m in range(1, 6)
    ]
    ingest_file(
        workspace.engine(),
        workspace.keyer(),
        write_csv(tmp_path / "a.csv", clean),
        partner="grid",
        category_name="payment",
        rejections_dir=tmp_path / "rej",
    )
    late = [
        row(
            "payment",
            "late-1",
            due_date="2026-05-20",
            paid_date=None,
            amount_paid=None,
            observed_date=MONDAY.isoformat(),
        )
    ]
    ingest_file(
        workspace.engine(),
        workspace.keyer(),
        write_csv(tmp_path / "b.csv", late),
        partner="grid",
        category_name="payment",
        rejections_dir=tmp_path / "rej",
    )
    return workspace


def test_a_negative_record_counts_only_after_its_notice(space: Workspace) -> None:
    before = _score(space, MONDAY - dt.timedelta(days=1))
    assert _score(space, MONDAY) == before  # reported today
    assert _score(space, dt.date(2026, 6, 9)) == before  # 6 working days on
    assert _score(space, dt.date(2026, 6, 10)) < before  # counts from the 7th
    pending = pending_records(space.engine(), space.keyer().key(PERSON_A), dt.date(2026, 6, 5), 7)
    assert [(p["record_id"], p["counts_from"]) for p in pending] == [("late-1", "2026-06-10")]
    assert (
        pending_records(space.engine(), space.keyer().key(PERSON_A), dt.date(2026, 6, 10), 7) == []
    )
    space.close()


def test_an_objection_keeps_it_out_until_resolved(space: Workspace) -> None:
    engine = space.engine()
    before = _score(space, MONDAY - dt.timedelta(days=1))
    score_population(engine, default_spec(), as_of=dt.date(2026, 6, 3), notice_days=7)
    publish_run(space.store(), engine)
    key = space.keyer().key(PERSON_A)
    dispute = open_dispute(
        space.store(),
        engine,
        subject_key=key,
        partner_id="grid",
        category="payment",
        record_id="late-1",
        reason="I paid it",
        deadline_days=20,
        actor="citizen",
    )
    assert _score(space, dt.date(2026, 6, 20)) == before  # past the notice, still held
    answer_dispute(
        space.store(),
        engine,
        dispute.dispute_id,
        partner_id="grid",
        answer="confirm",
        note="unpaid on our books",
        actor="partner",
        actor_kind="partner",
    )
    assert _score(space, dt.date(2026, 6, 20)) < before  # confirmed: it counts
    space.close()
