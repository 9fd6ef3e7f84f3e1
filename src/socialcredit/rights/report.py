"""One person's report: score, tier, subscores, reasons in plain words with the
records behind them, every record on file with its source, and past scores.

The report reads the score with the latest as-of date (the newest run among
equals; a back-dated run never hides a current one) and recomputes the person's
features with the same engine query the batch used (restricted to one
subject), so the reasons quote the values the score was made from.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from socialcredit.engines import Engine
from socialcredit.errors import NotFoundError
from socialcredit.features import DIMENSIONS, FEATURES, features_sql
from socialcredit.features.base import Window, date_literal, not_held, visible
from socialcredit.graph.step import graph_tables
from socialcredit.identity import SubjectKeyer, parse, province_name
from socialcredit.lake.schema import record_columns, score_history_sql
from socialcredit.records import CATEGORIES
from socialcredit.scorecard import MAX_REASONS, TIER
from socialcredit.scorecard.improve import next_tier_plan
from socialcredit.scoring.notice import counts_from, notice_cutoff
from socialcredit.scoring.runs import run_notice_days
from socialcredit.scoring.versions import stored_scorecard

__all__ = ["build_report", "pending_records", "reason_sentences", "report_for"]

EVIDENCE_LIMIT = 20


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def reason_sentences(
    feature: str, value: float | None, values: dict[str, Any] | None = None
) -> tuple[str, str]:
    """(English, Chinese) sentence explaining why ``feature`` cost points; a sentence
    may quote the person's other feature values by name (``values``)."""
    spec = FEATURES[feature]
    if value is None:
        return (f"No record on file for: {spec.label.lower()}.", f"暂无相关记录：{spec.label_zh}。")
    named = {k: v for k, v in (values or {}).items() if v is not None} | {"value": value}
    return spec.en.format(**named), spec.zh.format(**named)


def _latest_score(engine: Engine, key: str) -> dict[str, Any]:
    rows: list[dict[str, Any]] = engine.query(
        "latest score",
        f"SELECT h.* FROM ({score_history_sql(one_person=True)}) h "
        "JOIN score_runs r ON r.run_id = h.run_id ORDER BY r.as_of DESC, r.created_at DESC LIMIT 1",
        [key],
    ).to_pylist()
    if not rows:
        raise NotFoundError(
            "no score on file for this person: either no partner has furnished a record "
            "about them, or the population has not been scored since (socialcredit score)"
        )
    return rows[0]


def _records(
    engine: Engine,
    key: str,
    category: str,
    where: str = "TRUE",
    tables: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    cat = CATEGORIES[category]
    # Nobody is shown another party's key (the principal a guarantee was signed for).
    hidden = {
        "subject_key",
        "batch_id",
        *(f.column for f in cat.fields if f not in cat.shown_fields),
    }
    shown = ", ".join(f"r.{name}" for name, _ in record_columns(cat) if name not in hidden)
    rows = engine.query(
        f"records {category}",
        f"SELECT {shown} FROM {(tables or {}).get(category, cat.table)} r "
        f"WHERE r.subject_key = ? AND ({where}) ORDER BY r.observed_date DESC, r.record_id",
        [key],
    ).to_pylist()
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


def pending_records(
    engine: Engine,
    key: str,
    as_of: dt.date,
    notice_days: int,
    tables: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Negative records reported by ``as_of`` that do not count yet: each with its
    source and the day it starts counting unless the person objects (a dispute)."""
    cutoff = date_literal(notice_cutoff(as_of, notice_days))
    pending = []
    for name, cat in CATEGORIES.items():
        negative = cat.negative.format(a="r")
        for record in _records(
            engine,
            key,
            name,
            f"{negative} AND r.observed_date > {cutoff} AND r.observed_date <= "
            f"{date_literal(as_of)} AND {not_held(name, 'r')}",
            tables,
        ):
            observed = dt.date.fromisoformat(record["observed_date"])
            pending.append(
                {
                    "category": name,
                    "counts_from": counts_from(observed, notice_days).isoformat(),
                    **record,
                }
            )
    return pending


def build_report(engine: Engine, keyer: SubjectKeyer, resident_id: str) -> dict[str, Any]:
    """The full report of the person with ``resident_id`` (validated first)."""
    person = parse(resident_id)
    key = keyer.key(person.number)
    report = report_for(engine, key, _latest_score(engine, key))
    report["resident_id"] = person.number[:6] + "********" + person.number[-4:]
    return report


def report_for(engine: Engine, key: str, latest: dict[str, Any]) -> dict[str, Any]:
    """The report of subject ``key`` around a score row (a score-history row's shape:
    score, tier, as_of, scorecard_version, run_id, sub_<dimension>, reason_i, lost_i).

    The person's records are read from each lake table once, into temporary tables;
    features, reasons, pending records and the record lists are computed from those.
    """
    mine = {name: f"_mine_{name}" for name in CATEGORIES}
    try:
        for name, cat in CATEGORIES.items():
            engine.execute(
                f"my {name} records",
                f"CREATE OR REPLACE TEMP TABLE {mine[name]} AS "
                f"SELECT * FROM {cat.table} WHERE subject_key = ?",
                [key],
            )
        return _report(engine, key, latest, mine)
    finally:
        for table in mine.values():
            engine.execute("clean up", f"DROP TABLE IF EXISTS {table}")


def _report(
    engine: Engine, key: str, latest: dict[str, Any], mine: dict[str, str]
) -> dict[str, Any]:
    as_of: dt.date = latest["as_of"]
    notice_days = run_notice_days(engine, latest["run_id"])
    window = Window(
        as_of=as_of,
        negative_cutoff=notice_cutoff(as_of, notice_days),
        tables=tuple(mine.items()),
    )
    spec = stored_scorecard(engine, latest["scorecard_version"])
    values = engine.query(
        "subject features",
        features_sql(
            as_of, key, notice_days=notice_days, tables=mine | graph_tables(engine, window)
        ),
    ).to_pylist()
    features = values[0] if values else {}
    reasons = []
    for i in range(1, MAX_REASONS + 1):
        name = latest.get(f"reason_{i}")
        if name is None:
            continue
        definition = FEATURES[name]
        value = features.get(name)
        en, zh = reason_sentences(name, value, features)
        evidence = definition.evidence.replace("{as_of}", date_literal(as_of))
        behind = _records(
            engine,
            key,
            definition.category,
            f"{visible(definition.category, 'r', window)} AND {evidence}",
            mine,
        )
        reasons.append(
            {
                "feature": name,
                "label": definition.label,
                "label_zh": definition.label_zh,
                "dimension": definition.dimension,
                "points_lost": latest[f"lost_{i}"],
                "value": value,
                "en": en,
                "zh": zh,
                "records": behind[:EVIDENCE_LIMIT],
                "records_total": len(behind),
            }
        )
    history = engine.query(
        "score history",
        "SELECT h.run_id, h.as_of, h.scorecard_version, h.score, h.tier "
        f"FROM ({score_history_sql(one_person=True)}) h JOIN score_runs r ON r.run_id = h.run_id "
        "ORDER BY r.as_of, r.created_at",
        [key],
    ).to_pylist()
    person = engine.query(
        "subject", "SELECT birth_year, sex, region FROM subjects WHERE subject_key = ?", [key]
    ).to_pylist()
    held = person[0] if person else {"birth_year": None, "sex": None, "region": None}
    tier = TIER[latest["tier"]]
    return {
        "subject_key": key,
        "score": latest["score"],
        "tier": latest["tier"],
        "tier_en": tier.name_en,
        "tier_zh": tier.name_zh,
        "as_of": as_of.isoformat(),
        "run_id": latest["run_id"],
        "scorecard_version": latest["scorecard_version"],
        "subscores": {
            d: latest[f"sub_{d}"] for d in DIMENSIONS if latest.get(f"sub_{d}") is not None
        },
        "dimension_names": {d.id: {"en": d.name_en, "zh": d.name_zh} for d in DIMENSIONS.values()},
        "reasons": reasons,
        "features": {name: features.get(name) for name in (f.name for f in spec.features)},
        "improvement": next_tier_plan(spec, features).as_json(),
        "records": {name: _records(engine, key, name, tables=mine) for name in CATEGORIES},
        "pending": pending_records(engine, key, as_of, notice_days, mine),
        "history": [{k: _plain(v) for k, v in row.items()} for row in history],
        "held_for_fairness_monitoring_only": held
        | {"province": province_name(held["region"]) if held["region"] else None},
    }
