"""The registries: every dimension module and every record category module is picked
up, with distinct ids, orders and names; and a lake made before a dimension existed
gains its ``sub_<id>`` column when it is opened, keeping the runs it held."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from socialcredit.engines import Engine, connect
from socialcredit.features import dimensions as dimension_package
from socialcredit.features import registry
from socialcredit.features.base import Window
from socialcredit.features.registry import DIMENSIONS, FEATURES, STATES
from socialcredit.identity import SubjectKeyer
from socialcredit.lake.schema import ensure_lake, score_columns
from socialcredit.records import CATEGORIES
from socialcredit.records import categories as category_package
from socialcredit.scorecard import default_spec
from socialcredit.scoring.runs import score_population
from socialcredit.simulate import simulate
from tests.utils.nation import ingest_feeds


def _modules(package: ModuleType) -> list[str]:
    return [info.name for info in pkgutil.iter_modules(package.__path__)]


def test_every_dimension_module_is_registered() -> None:
    names = _modules(dimension_package)
    assert len(names) >= 3
    for name in names:
        module = importlib.import_module(f"{dimension_package.__name__}.{name}")
        declared = module.DIMENSION
        assert DIMENSIONS[declared.id] is declared, f"{name} is not in the registry"
    assert len(DIMENSIONS) == len(names)


def test_dimension_ids_and_orders_are_distinct_and_in_order() -> None:
    declared = list(DIMENSIONS.values())
    assert len({d.id for d in declared}) == len(declared)
    assert len({d.order for d in declared}) == len(declared)
    assert [d.order for d in declared] == sorted(d.order for d in declared)


def test_each_dimension_declares_its_own_features_and_states() -> None:
    day = dt.date(2026, 6, 30)
    window = Window(as_of=day, negative_cutoff=day)
    for dimension in DIMENSIONS.values():
        names = [f.name for f in dimension.features]
        assert names, dimension.id
        assert all(f.dimension == dimension.id for f in dimension.features)
        assert set(dimension.expressions(window)) == set(names), dimension.id
        assert all(s.category in CATEGORIES for s in dimension.states), dimension.id
    assert len(FEATURES) == sum(len(d.features) for d in DIMENSIONS.values())
    states = [s for d in DIMENSIONS.values() for s in d.states]
    assert len({s.alias for s in states}) == len(states) == len(STATES)
    parts = [p.name for s in states for p in s.parts]
    assert len(set(parts)) == len(parts)


def test_every_record_category_module_is_registered() -> None:
    names = _modules(category_package)
    assert len(names) >= 4
    for name in names:
        module = importlib.import_module(f"{category_package.__name__}.{name}")
        declared = module.CATEGORY
        assert CATEGORIES[declared.name] is declared, f"{name} is not in the registry"
    assert len(CATEGORIES) == len(names)
    assert len({c.table for c in CATEGORIES.values()}) == len(CATEGORIES)


def test_the_lake_has_a_subscore_column_per_dimension() -> None:
    assert [c for c in score_columns() if c.startswith("sub_")] == [f"sub_{d}" for d in DIMENSIONS]


def test_two_modules_declaring_one_dimension_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "twice"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    for name in ("one", "other"):
        (package / f"{name}.py").write_text(
            "from socialcredit.features.dimensions.credit_history import DIMENSION\n",
            encoding="utf-8",
        )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(registry, "_package", importlib.import_module("twice"))
    try:
        with pytest.raises(RuntimeError, match="distinct ids and orders"):
            registry._discover()
    finally:
        for name in ("twice", "twice.one", "twice.other"):
            sys.modules.pop(name, None)


def _score_rows(engine: Engine) -> list[str]:
    return engine.query("columns", "SELECT * FROM score_rows LIMIT 0").column_names


def test_a_lake_from_before_a_dimension_gains_its_column(tmp_path: Path) -> None:
    path = tmp_path / "lake.duckdb"
    engine = connect(f"duckdb://{path}")
    ensure_lake(engine)
    manifest = simulate(tmp_path / "feeds", citizens=60, seed=4)
    ingest_feeds(engine, SubjectKeyer("k"), tmp_path / "feeds", manifest, tmp_path / "rej")
    run = score_population(engine, default_spec())
    newest = f"sub_{list(DIMENSIONS)[-1]}"
    before = engine.query("before", "SELECT * FROM score_rows ORDER BY subject_key").drop_columns(
        [newest]
    )
    # the lake as it was before the newest dimension: score_rows without its column
    kept = ", ".join(c for c in _score_rows(engine) if c != newest)
    engine.execute("old", "DROP VIEW score_history")
    engine.execute("old", f"CREATE TABLE old_rows AS SELECT {kept} FROM score_rows")
    engine.execute("old", "DROP TABLE score_rows")
    engine.execute("old", "ALTER TABLE old_rows RENAME TO score_rows")
    engine.execute("old", "CREATE VIEW score_history AS SELECT * FROM score_rows")
    assert newest not in _score_rows(engine)
    engine.close()

    reopened = connect(f"duckdb://{path}")
    ensure_lake(reopened)
    assert _score_rows(reopened) == score_columns()
    after = reopened.query("after", "SELECT * FROM score_rows ORDER BY subject_key")
    assert after.num_rows == before.num_rows == run.subjects
    assert after.column(newest).null_count == after.num_rows  # no subscore before it existed
    assert after.drop_columns([newest]).to_pylist() == before.to_pylist()
    history = reopened.scalar("history", "SELECT count(*) FROM score_history")
    assert int(history) == run.subjects
    reopened.close()
