"""Publishing an incremental run over what is published writes only the people it
changed, and leaves the store exactly as a whole publish of that run would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.publish.scores import publish_run
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.simulate import simulate
from socialcredit.store import Store, open_store
from socialcredit.store.models import PublishedScore
from tests.utils.nation import ingest_feeds
from tests.utils.postgres import postgres_schema


def _published(store: Store) -> list[tuple[Any, ...]]:
    with store.session() as session:
        return [
            (p.subject_key, p.score, p.tier, p.subscores, p.reasons, p.as_of)
            for p in session.execute(
                select(PublishedScore).order_by(PublishedScore.subject_key)
            ).scalars()
        ]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> list[Store]:
    """Two empty stores of the same kind."""
    if request.param == "sqlite":
        return [open_store(f"sqlite:///{tmp_path / f'store{i}.sqlite'}") for i in range(2)]
    postgres = request.getfixturevalue("postgres")
    return [open_store(postgres_schema(postgres)) for _ in range(2)]


def test_an_incremental_run_publishes_only_its_changes(
    lake: Engine,
    keyer: SubjectKeyer,
    tmp_path: Path,
    stores: list[Store],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("socialcredit.scoring.runs.DELTA_SHARE", 0.9)  # keep it a delta
    manifest = simulate(tmp_path / "feeds", citizens=300, seed=4)
    early, late = manifest["feeds"][:-1], manifest["feeds"][-1:]
    ingest_feeds(lake, keyer, tmp_path / "feeds", {"feeds": early}, tmp_path / "rejections")
    first = score_population(lake, default_spec())
    store, reference = stores
    whole = publish_run(store, lake, first.run_id)
    assert whole["changed"] == whole["published"] == first.subjects

    ingest_feeds(lake, keyer, tmp_path / "feeds", {"feeds": late}, tmp_path / "rejections")
    incremental = score_population(lake, default_spec(), since="last")
    assert incremental.recomputed
    result = publish_run(store, lake, incremental.run_id)
    assert result["published"] == incremental.subjects
    assert 0 < result["changed"] < incremental.subjects, "only the changed people"
    with store.session() as session:
        tagged = session.scalar(
            select(func.count())
            .select_from(PublishedScore)
            .where(PublishedScore.run_id == incremental.run_id)
        )
    assert tagged == result["changed"], "each changed person carries the run that scored them"

    # The same run published whole into an empty store gives the same scores.
    assert publish_run(reference, lake, incremental.run_id)["changed"] == incremental.subjects
    assert _published(store) == _published(reference)

    # Over a run that is not its base, an incremental run is published whole.
    other = score_population(lake, default_spec(), as_of=None)
    publish_run(store, lake, other.run_id)
    again = publish_run(store, lake, incremental.run_id)
    assert again["changed"] == incremental.subjects
    assert _published(store) == _published(reference)
    for each in stores:
        each.dispose()
