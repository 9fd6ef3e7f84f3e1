"""The main job: a synthetic nation's partner feeds validated, ingested and
scored, end to end, in one workspace; then a summary checked against the
simulated ground truth.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.csv as pacsv

from socialcredit.decisions.policy import approval_cutoffs, default_policy
from socialcredit.engines import Engine
from socialcredit.errors import ConfigurationError
from socialcredit.graph.step import guarantee_circles
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import BatchReport, ingest_file
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.dimension_effect import EFFECT_TABLE, compare_without
from socialcredit.monitoring.fairness import TIER_CUTOFFS, fairness_report
from socialcredit.records.consent import CONSENTS_TABLE
from socialcredit.scorecard import ScorecardSpec, default_spec
from socialcredit.scoring.runs import ScoreRun, score_population
from socialcredit.settings import Settings
from socialcredit.simulate import simulate
from socialcredit.simulate.consents import grant_chosen_consents

__all__ = [
    "CHOSEN_DIMENSIONS",
    "DEFAULT_CITIZENS",
    "DEFAULT_SEED",
    "DemoHooks",
    "auc_against_truth",
    "dimension_checks",
    "run_demo",
]

DEFAULT_CITIZENS = 50_000
DEFAULT_SEED = 7


@dataclass
class DemoHooks:
    """Callbacks for progress: each stage announces its size, then advances."""

    stage: Callable[[str, int], None] = lambda _name, _total: None
    advance: Callable[[str, int], None] = lambda _name, _amount: None
    step: Callable[[str], None] = lambda _name: None


def _reset(workspace: Workspace) -> None:
    """A demo starts from nothing: clear what an earlier demo left in this workspace."""
    if workspace.config_path.exists() and workspace.mode != "demo":
        raise ConfigurationError(
            f"{workspace.root} is a live workspace; the demo only runs in a new folder or a "
            "demo workspace (pass --workspace with another folder)"
        )
    # the store too: it holds the consents the nation's people granted last time
    for name in ("lake.duckdb", "lake.duckdb.wal", "store.sqlite", "summary.json"):
        (workspace.root / name).unlink(missing_ok=True)
    for folder in ("feeds", "rejections", "tmp", "lake-spark"):
        shutil.rmtree(workspace.root / folder, ignore_errors=True)


def auc_against_truth(
    engine: Engine, keyer: SubjectKeyer, truth: Path, run_id: str
) -> tuple[float, int]:
    """ROC AUC of the run's scores against the simulated outcome (higher score = lower risk).

    Resident IDs in the truth file are keyed in the engine, as at ingestion,
    and never written to the lake.
    """
    return _auc(
        engine,
        keyer,
        truth,
        f"SELECT subject_key, score FROM score_history WHERE run_id = '{run_id}'",
    )


def _auc(engine: Engine, keyer: SubjectKeyer, truth: Path, scores: str) -> tuple[float, int]:
    """ROC AUC of the ``score`` of the query ``scores`` (with ``subject_key``) against
    the simulated outcome, and how many people it matched."""
    from sklearn.metrics import roc_auc_score  # heavy; only the demo needs it

    outcomes = pacsv.read_csv(
        truth, convert_options=pacsv.ConvertOptions(column_types={"resident_id": "string"})
    )
    engine.create_table_from_arrow("_truth", outcomes, temporary=True)
    joined = engine.query(
        "truth join",
        f"SELECT h.score, t.default_12m FROM _truth t JOIN ({scores}) h "
        f"ON h.subject_key = {keyer.sql('t.resident_id')}",
    )
    engine.execute("clean up", "DROP TABLE IF EXISTS _truth")
    score = np.asarray(joined.column("score"), dtype=float)
    bad = np.asarray(joined.column("default_12m"), dtype=int)
    if len(set(bad.tolist())) < 2:
        return float("nan"), len(bad)
    return float(roc_auc_score(bad, -score)), len(bad)


#: The dimensions a person chooses to have data in (by sharing, or by signing):
#: the demo checks that each adds signal and costs nothing to those without data.
CHOSEN_DIMENSIONS = ("cash_flow", "guarantees")


def dimension_checks(
    engine: Engine,
    keyer: SubjectKeyer,
    truth: Path,
    spec: ScorecardSpec,
    run: ScoreRun,
    notice_days: int,
) -> dict[str, dict[str, Any]]:
    """For each of :data:`CHOSEN_DIMENSIONS` the scorecard uses: the AUC against the
    truth with the same scorecard without that dimension (``auc_without``), and the
    largest score difference, among people with no data in it, between the score
    and the score without it (``no_data_penalty``: 0 when not sharing costs nothing).
    """
    auc_without: dict[str, float] = {}
    penalty: dict[str, int] = {}
    ready = False
    for dimension in (d for d in CHOSEN_DIMENSIONS if d in spec.dimensions):
        compare_without(
            engine,
            spec,
            dimension,
            as_of=dt.date.fromisoformat(run.as_of),
            notice_days=notice_days,
            features_ready=ready,
        )
        ready = True
        found, _ = _auc(
            engine,
            keyer,
            truth,
            f"SELECT subject_key, score_without AS score FROM {EFFECT_TABLE}",
        )
        auc_without[dimension] = round(found, 4)
        largest = engine.scalar(
            "no-data penalty",
            f"SELECT max(abs(score - score_without)) FROM {EFFECT_TABLE} WHERE NOT has_data",
        )
        penalty[dimension] = int(largest or 0)
    return {"auc_without": auc_without, "no_data_penalty": penalty}


def run_demo(
    settings: Settings,
    *,
    citizens: int = DEFAULT_CITIZENS,
    seed: int = DEFAULT_SEED,
    spec: ScorecardSpec | None = None,
    hooks: DemoHooks | None = None,
) -> dict[str, Any]:
    """simulate -> ingest every feed -> score -> summary.json; returns the summary."""
    started = time.perf_counter()
    hooks = hooks or DemoHooks()
    workspace = Workspace(settings.workspace, settings)
    _reset(workspace)
    workspace = Workspace.open(settings, mode="demo")
    try:
        manifest = simulate(
            workspace.feeds_dir,
            citizens=citizens,
            seed=seed,
            progress=lambda name, rows: hooks.advance("simulate", 1),
        )
        engine, keyer = workspace.engine(), workspace.keyer()
        # People who chose to let their bank share their cash flow grant that consent
        # (store and lake), as each would through the citizen API, before the feeds come.
        grant_chosen_consents(engine, keyer, workspace.feeds_dir, manifest, store=workspace.store())
        consented = int(
            engine.scalar(
                "consented people",
                f"SELECT count(DISTINCT subject_key) FROM {CONSENTS_TABLE} "
                "WHERE purpose = 'cash_flow_sharing'",
            )
        )
        hooks.stage("ingest", int(manifest["records"]))
        batches: list[BatchReport] = []
        for feed in manifest["feeds"]:
            batches.append(
                ingest_file(
                    engine,
                    keyer,
                    workspace.feeds_dir / feed["file"],
                    partner=feed["partner"],
                    category_name=feed["category"],
                    rejections_dir=workspace.rejections_dir,
                )
            )
            hooks.advance("ingest", feed["rows"])
        hooks.step("score")
        run: ScoreRun = score_population(
            engine,
            spec or default_spec(),
            notice_days=settings.notice_working_days,
            on_step=hooks.step,
        )
        hooks.step("check against truth")
        auc, _matched = auc_against_truth(
            engine, keyer, workspace.feeds_dir / manifest["truth"], run.run_id
        )
        hooks.step("dimensions")
        scored_with = spec or default_spec()
        checks = dimension_checks(
            engine,
            keyer,
            workspace.feeds_dir / manifest["truth"],
            scored_with,
            run,
            settings.notice_working_days,
        )
        hooks.step("fairness")
        # at the tier cut-offs and the credit policy's, as `socialcredit fairness` measures
        policy_cutoffs = approval_cutoffs(default_policy()).values()
        fairness = fairness_report(engine, run.run_id, (*TIER_CUTOFFS, *policy_cutoffs))
        summary: dict[str, Any] = {
            "citizens": citizens,
            "seed": seed,
            "as_of": run.as_of,
            "records_accepted": sum(b.accepted for b in batches),
            "records_rejected": sum(b.rejected for b in batches),
            "records_duplicates": sum(b.duplicates for b in batches),
            "feeds": len(batches),
            "partners": len({b.partner for b in batches}),
            "subjects_scored": run.subjects,
            "tier_counts": run.tier_counts,
            "score_min": run.score_min,
            "score_max": run.score_max,
            "auc_vs_truth": round(auc, 4),
            "default_rate": manifest["default_rate"],
            "scores_digest": run.scores_digest,
            "scorecard_version": run.scorecard_version,
            "run_id": run.run_id,
            "engine": run.engine,
            "dimensions_scored": list(scored_with.dimensions),
            **checks,
            "cash_flow_consented": consented,
            "guarantee_circles": guarantee_circles(engine),
            "fairness_lowest_ratio": fairness.lowest,
            "fairness_flags": len(fairness.flags),
            "fairness_significant_flags": sum(1 for f in fairness.flags if f["significant"]),
            "fairness_cutoffs": list(fairness.cutoffs),
            "elapsed_s": round(time.perf_counter() - started, 2),
        }
        (workspace.root / "summary.json").write_text(
            json.dumps(summary, indent=2) + "\n", encoding="utf-8"
        )
        return summary
    finally:
        workspace.close()
