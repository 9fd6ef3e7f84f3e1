"""The cash_flow dimension: its features from known months, withdrawal taking them out
at once (and for good), incremental runs equal to full ones, erasure after the
retention for withdrawn data, and no penalty for not sharing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from socialcredit.engines import Engine
from socialcredit.errors import SpecError
from socialcredit.features import DIMENSIONS, features_sql
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import ingest_file
from socialcredit.lake.workspace import Workspace
from socialcredit.publish.scores import publish_run
from socialcredit.rights.consents import grant_consent, revoke_consent
from socialcredit.rights.erasure import erase_expired
from socialcredit.scorecard import ScorecardSpec, default_spec, evaluate, score_sql
from socialcredit.scorecard.train import ScorecardTrainer
from socialcredit.scoring.runs import score_population
from socialcredit.settings import Settings, utc_today
from socialcredit.store import Store
from socialcredit.store.models import Consent, PublishedScore
from tests.utils.flows import AS_OF, BANK, PURPOSE, flow, months
from tests.utils.nation import Nation
from tests.utils.records import PERSON_A, PERSON_B, row, write_csv

JANUARY = dt.date(2026, 1, 1)
#: in A's record ids, so that the erasure test can look for them on disk
MARK = "7f3a9c2e5b1d48e6"


def _without_cash_flow(spec: ScorecardSpec) -> ScorecardSpec:
    """The same scorecard with the dimension off."""
    return spec.model_copy(
        update={
            "version": spec.version + "-without-cash-flow",
            "dimensions": tuple(d for d in spec.dimensions if d != "cash_flow"),
            "features": tuple(f for f in spec.features if f.dimension != "cash_flow"),
        }
    )


@dataclass
class Shared:
    """A lake and store where person A shares ten months with the bank and B shares
    nothing; both have bills on file."""

    root: Path
    lake: Engine
    store: Store
    keyer: SubjectKeyer
    consent: Consent

    def ingest(self, name: str, rows: list[dict[str, Any]], category: str = "account_flow") -> None:
        report = ingest_file(
            self.lake,
            self.keyer,
            write_csv(self.root / name, rows),
            partner=BANK,
            category_name=category,
            rejections_dir=self.root / "rejections",
        )
        assert report.rejected == 0, report

    def features(self, person: str) -> dict[str, Any]:
        rows = self.lake.query("features", features_sql(AS_OF, self.keyer.key(person))).to_pylist()
        return rows[0]

    def grant(self) -> Consent:
        return grant_consent(
            self.store,
            self.lake,
            subject_key=self.keyer.key(PERSON_A),
            partner_id=BANK,
            purpose=PURPOSE,
            days=365,
            actor="test",
        )

    def withdraw(self, consent: Consent) -> None:
        revoke_consent(
            self.store,
            self.lake,
            consent_id=consent.consent_id,
            subject_key=self.keyer.key(PERSON_A),
            actor="test",
        )


#: A's ten months: January to October 2026. Irregular income in March, June and
#: September; an overdraft in October (two events) and in February; a late bill in May.
def _a_months() -> list[dict[str, Any]]:
    rows = []
    for i, month in enumerate(months(JANUARY, 10)):
        changes: dict[str, Any] = {}
        if month.month in (3, 6, 9):
            changes |= {"regular_payer": "no", "income_credits": "2"}
        if month.month == 10:
            changes |= {"overdraft_events": "1", "insufficient_funds_events": "1"}
            changes |= {"min_balance": "-200.00"}
        if month.month == 2:
            changes |= {"overdraft_events": "1", "min_balance": "-50.00"}
        if month.month == 5:
            changes |= {"bills_late": "1", "bills_on_time": "2"}
        rows.append(flow(f"flow-{i}-{MARK}", PERSON_A, month, **changes))
    return rows


@pytest.fixture
def shared(tmp_path: Path) -> Iterator[Shared]:
    space = Workspace.open(Settings(workspace=tmp_path / "ws"), mode="demo")
    lake, store, keyer = space.engine(), space.store(), space.keyer()
    consent = grant_consent(
        store,
        lake,
        subject_key=keyer.key(PERSON_A),
        partner_id=BANK,
        purpose=PURPOSE,
        days=365,
        actor="test",
    )
    state = Shared(tmp_path, lake, store, keyer, consent)
    bills = [
        row(
            "payment",
            f"p-{p[-4:]}-{i}",
            p,
            due_date=f"2026-0{i}-10",
            paid_date=f"2026-0{i}-09",
            observed_date=f"2026-0{i}-20",
        )
        for p in (PERSON_A, PERSON_B)
        for i in range(1, 10)
    ]
    state.ingest("bills.csv", bills, category="payment")
    state.ingest("flows.csv", _a_months())
    yield state
    space.close()


def test_features_follow_from_the_months_shared(shared: Shared) -> None:
    a = shared.features(PERSON_A)
    assert a["cf_income_regularity"] == pytest.approx(7 / 10)
    assert a["cf_buffer_months"] == pytest.approx(5000 / 7000)
    assert (a["cf_overdrafts_3m"], a["cf_overdrafts_6m"], a["cf_overdrafts_12m"]) == (2, 2, 3)
    assert a["cf_bills_on_time_share"] == pytest.approx(29 / 30)
    b = shared.features(PERSON_B)
    assert all(b[f.name] is None for f in DIMENSIONS["cash_flow"].features)


def test_a_month_out_of_the_window_does_not_count(shared: Shared) -> None:
    # July to October only: the buffer and overdraft windows start later
    a = shared.lake.query(
        "features", features_sql(dt.date(2027, 3, 31), shared.keyer.key(PERSON_A))
    ).to_pylist()[0]
    assert a["cf_overdrafts_3m"] is None, "no month of the last three was shared"
    assert a["cf_overdrafts_12m"] == 2  # April 2026 to October: October's two
    assert a["cf_income_regularity"] == pytest.approx(5 / 7)


def test_withdrawing_takes_the_months_out_at_once_and_republishes(shared: Shared) -> None:
    spec = default_spec()
    run = score_population(shared.lake, spec, as_of=AS_OF)
    publish_run(shared.store, shared.lake, run.run_id)
    key = shared.keyer.key(PERSON_A)
    with shared.store.session() as session:
        before = session.get(PublishedScore, key)
        assert before is not None
    values = shared.features(PERSON_A)
    assert before.score == evaluate(spec, values).score
    off = evaluate(_without_cash_flow(spec), values).score
    assert before.score != off, "control: the months shared moved the score"

    shared.withdraw(shared.consent)

    after = shared.features(PERSON_A)
    assert all(after[f.name] is None for f in DIMENSIONS["cash_flow"].features)
    with shared.store.session() as session:
        published = session.get(PublishedScore, key)
        consent = session.get(Consent, shared.consent.consent_id)
    assert published is not None
    assert consent is not None
    assert consent.revoked_at is not None
    assert published.score == off  # exactly as if the dimension were off
    assert not [r for r in published.reasons if r["feature"].startswith("cf_")]
    noted = shared.lake.query(
        "noted", "SELECT cause FROM subject_changes WHERE subject_key = ?", [key]
    ).column("cause")
    assert "consent_withdrawn" in noted.to_pylist()
    # The months stay on file (the person sees them) until erased; they never count again,
    # even under a new consent: only months shared after it do.
    shared.grant()
    assert shared.features(PERSON_A)["cf_income_regularity"] is None
    shared.ingest(
        "november.csv",
        [
            flow(
                "a-new",
                PERSON_A,
                dt.date(2026, 10, 1),
                account_ref="second",
                regular_payer="no",
                income_credits="0",
                inflows="10.00",
            )
        ],
    )
    assert shared.features(PERSON_A)["cf_income_regularity"] == 0.0


def test_incremental_runs_equal_full_runs_through_months_and_a_withdrawal(shared: Shared) -> None:
    spec = default_spec()
    first = score_population(shared.lake, spec, as_of=AS_OF)
    # more months of A's second account arrive: merged into the stored state
    shared.ingest(
        "savings.csv",
        [
            flow(
                f"s-{i}",
                PERSON_A,
                m,
                account_ref="savings",
                income_credits="0",
                regular_payer="no",
                inflows="300.00",
                outflows="0.00",
                end_balance="20000.00",
                min_balance="19000.00",
                bills_on_time="0",
            )
            for i, m in enumerate(months(dt.date(2026, 6, 1), 5))
        ],
    )
    merged = score_population(shared.lake, spec, since=first.run_id)
    full = score_population(shared.lake, spec, as_of=AS_OF)
    assert merged.recomputed == 1
    assert merged.scores_digest == full.scores_digest != first.scores_digest
    shared.withdraw(shared.consent)
    withdrawn = score_population(shared.lake, spec, since="last")
    again = score_population(shared.lake, spec, as_of=AS_OF)
    assert withdrawn.recomputed == 1
    assert withdrawn.scores_digest == again.scores_digest != full.scores_digest


def test_withdrawn_months_are_erased_after_the_retention_and_leave_no_bytes(
    shared: Shared,
) -> None:
    needles = [r["record_id"].encode() for r in _a_months()]
    workspace = shared.root / "ws"
    shared.lake.execute("checkpoint", "CHECKPOINT")
    assert any(needles[0] in p.read_bytes() for p in workspace.rglob("*") if p.is_file()), (
        "control: the months are on disk"
    )
    shared.withdraw(shared.consent)
    today = utc_today()
    kept = erase_expired(shared.lake, today + dt.timedelta(days=30), withdrawn_days=30)
    assert kept["removed"]["rec_account_flow"] == 0, "30 days have not passed yet"
    erased = erase_expired(shared.lake, today + dt.timedelta(days=31), withdrawn_days=30)
    assert erased["removed"]["rec_account_flow"] == 10
    assert shared.lake.scalar("left", "SELECT count(*) FROM rec_account_flow") == 0
    assert shared.lake.scalar("bills", "SELECT count(*) FROM rec_payment") == 18
    shared.lake.compact()
    for path in (p for p in workspace.rglob("*") if p.is_file()):
        content = path.read_bytes()
        assert not [n for n in needles if n in content], path


def test_months_shared_under_a_live_consent_are_kept(shared: Shared) -> None:
    erased = erase_expired(shared.lake, utc_today() + dt.timedelta(days=31), withdrawn_days=30)
    assert erased["removed"]["rec_account_flow"] == 0
    assert shared.lake.scalar("kept", "SELECT count(*) FROM rec_account_flow") == 10


def test_no_penalty_for_not_sharing_on_every_person_of_a_nation(nation: Nation) -> None:
    """Everyone who shares nothing scores exactly as with the dimension off, with the same
    reasons; people who share are scored on their months."""
    spec = default_spec()
    assert all(
        f.missing_points == 0 and f.consented for f in spec.features if f.dimension == "cash_flow"
    )
    as_of = dt.date.fromisoformat(nation.run.as_of)
    features = features_sql(as_of, notice_days=nation.run.notice_days)
    sharing = set(
        nation.engine.query("sharing", "SELECT DISTINCT subject_key FROM rec_account_flow")
        .column("subject_key")
        .to_pylist()
    )
    scored = {}
    for name, version in (("on", spec), ("off", _without_cash_flow(spec))):
        rows = nation.engine.query(name, score_sql(version, f"({features}) f")).to_pylist()
        scored[name] = {r["subject_key"]: r for r in rows}
    assert scored["on"].keys() == scored["off"].keys()
    others = [k for k in scored["on"] if k not in sharing]
    assert len(others) > 1000
    assert len(sharing) > 500
    reasons = [f"reason_{i}" for i in range(1, 5)] + [f"lost_{i}" for i in range(1, 5)]
    for key in others:
        on, off = scored["on"][key], scored["off"][key]
        assert (on["score"], on["tier"]) == (off["score"], off["tier"]), key
        assert [on[r] for r in reasons] == [off[r] for r in reasons], key
    moved = [k for k in sharing if scored["on"][k]["score"] != scored["off"][k]["score"]]
    assert len(moved) > len(sharing) / 2, "control: months shared move scores"
    with_consent = nation.engine.scalar(
        "consents", "SELECT count(DISTINCT subject_key) FROM sharing_consents"
    )
    assert len(sharing) <= with_consent


def test_a_scorecard_that_would_charge_for_not_sharing_does_not_score(shared: Shared) -> None:
    spec = default_spec()
    unmarked = spec.model_copy(
        update={
            "version": "unmarked",
            "features": tuple(f.model_copy(update={"consented": False}) for f in spec.features),
        }
    )
    with pytest.raises(SpecError, match="shared only with consent"):
        score_population(shared.lake, unmarked, as_of=AS_OF)


def test_a_scorecard_trained_on_the_features_charges_nothing_for_not_sharing(
    nation: Nation,
) -> None:
    """Not sharing may predict something in the data; the trainer still gives it 0."""
    as_of = dt.date.fromisoformat(nation.run.as_of)
    rows = nation.engine.query("features", features_sql(as_of)).to_pylist()
    truth = nation.engine.query(
        "truth",
        "SELECT subject_key FROM score_history WHERE run_id = ? AND score < 600",
        [nation.run.run_id],
    )
    poor = set(truth.column("subject_key").to_pylist())  # an outcome the features explain
    names = [f.name for f in DIMENSIONS["cash_flow"].features] + ["ch_on_time_share"]
    x = {n: np.array([np.nan if r[n] is None else r[n] for r in rows]) for n in names}
    y = [int(r["subject_key"] in poor) for r in rows]
    spec = ScorecardTrainer(cv=2, dimension_map=dict.fromkeys(names, "cash_flow")).fit(x, y).spec_
    shared = [f for f in spec.features if f.name.startswith("cf_")]
    assert shared, "cash-flow features were kept"
    assert all(f.consented and f.missing_points == 0 for f in shared)
    nobody = dict.fromkeys(names) | {"ch_on_time_share": 0.9}
    kept = spec.model_copy(update={"features": tuple(f for f in spec.features if not f.consented)})
    assert evaluate(spec, nobody).score == evaluate(kept, nobody).score
