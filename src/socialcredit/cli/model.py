"""socialcredit model: train, evaluate, compare and publish scorecards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    guarded,
    out,
    progress_bar,
    settings_for,
)
from socialcredit.engines import Engine, connect
from socialcredit.errors import InputError
from socialcredit.lake.workspace import Workspace
from socialcredit.scorecard import ScorecardSpec, default_spec, load_spec
from socialcredit.scorecard.batch import ROWS, load_rows, score_rows
from socialcredit.scorecard.compare import compare_scores
from socialcredit.scorecard.evaluation_page import evaluation_html
from socialcredit.scorecard.metrics import evaluate_scores
from socialcredit.scorecard.scaling import BASE_ODDS, BASE_SCORE, PDO
from socialcredit.scorecard.tabular import (
    column_from_arrow,
    read_table,
    split_target,
    target_values,
)
from socialcredit.scorecard.train import ScorecardTrainer

app = typer.Typer(
    help="Train scorecards from outcomes, evaluate, compare and publish them.",
    no_args_is_help=True,
)

TargetOpt = Annotated[
    str, typer.Option("--target", help="Outcome column: 1 (or bad/true/yes) = bad outcome.")
]


def _pairs(items: list[str], what: str) -> dict[str, str]:
    found = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise InputError(f"{what} {item!r}: expected COLUMN=VALUE")
        found[name] = value
    return found


@app.command("fit")
def fit_command(
    data: Annotated[Path, typer.Argument(help="Training data: CSV (with header) or Parquet.")],
    target: TargetOpt,
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the spec (JSON).")],
    dimension_map: Annotated[
        Path | None,
        typer.Option(help="JSON file mapping column -> dimension (default: all 'general')."),
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="Version name (default: content hash).")
    ] = None,
    monotone: Annotated[
        list[str],
        typer.Option(
            help="COLUMN=increasing|decreasing|none: force how risk moves with a "
            "column (repeatable). Other columns: monotone where the data shows a trend."
        ),
    ] = [],  # noqa: B006 (Typer reads the default)
    no_monotone: Annotated[
        bool, typer.Option("--no-monotone", help="Impose no monotone trend at all.")
    ] = False,
    exclude: Annotated[list[str], typer.Option(help="Column to leave out (repeatable).")] = [],  # noqa: B006
    fixed: Annotated[
        list[str], typer.Option(help="Column a person cannot change (repeatable); never advised.")
    ] = [],  # noqa: B006
    pdo: Annotated[float, typer.Option(help="Points to double the odds.")] = PDO,
    base_score: Annotated[int, typer.Option(help="Score at the base odds.")] = BASE_SCORE,
    base_odds: Annotated[float, typer.Option(help="Good:bad odds at the base score.")] = BASE_ODDS,
    max_bins: Annotated[int, typer.Option(min=2, help="Most bins per numeric column.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Learn a scorecard from outcomes and write it as a versioned spec.

    Columns naming a forbidden category are refused; protected attributes (age,
    sex, marital status, region, national origin) are left out and listed.
    """

    def run() -> dict[str, Any]:
        columns, y = split_target(read_table(data), target)
        mapping = json.loads(dimension_map.read_text(encoding="utf-8")) if dimension_map else None
        trainer = ScorecardTrainer(
            version=version,
            pdo=pdo,
            base_score=base_score,
            base_odds=base_odds,
            max_bins=max_bins,
            monotone="off" if no_monotone else "auto",
            directions=_pairs(monotone, "--monotone"),  # type: ignore[arg-type]
            dimension_map=mapping,
            exclude=exclude,
            fixed=fixed,
        )
        with progress_bar() as bar:
            task = bar.add_task("fit scorecard", total=None)
            trainer.fit({k: v.values for k, v in columns.items()}, y)
            bar.update(task, total=1, completed=1)
        spec = (
            trainer.spec_.model_copy(
                update={"training": trainer.spec_.training.model_copy(update={"target": target})}
            )
            if trainer.spec_.training
            else trainer.spec_
        )
        out_file.write_text(spec.to_json(), encoding="utf-8")
        return {
            "version": spec.version,
            "out": str(out_file),
            "rows": len(y),
            "features": [f.column for f in spec.features],
            "excluded": trainer.excluded_,
            "penalty": trainer.penalty_,
            "cv_auc": round(trainer.cv_auc_, 6),
            "train_auc": spec.training.auc if spec.training else None,
        }

    result = guarded(as_json, run)

    def human() -> None:
        out.print(
            f"scorecard {result['version']} -> {result['out']}: "
            f"{len(result['features'])} features, cross-validated AUC {result['cv_auc']:.4f}"
        )
        for column, why in result["excluded"].items():
            err.print(f"  left out {column}: {why}")

    emit(result, as_json=as_json, human=human)


def _spec(reference: str) -> ScorecardSpec:
    if reference == "default":
        return default_spec()
    return load_spec(Path(reference))


def _target(engine: Engine, target: str, data: Path) -> np.ndarray:
    """The 0/1 outcome column of the loaded rows, in row order."""
    if target not in engine.query("columns", f"SELECT * FROM {ROWS} LIMIT 0").column_names:
        raise InputError(f"target column {target!r} is not in {data}")
    column = engine.query("target", f'SELECT "{target}" FROM {ROWS} ORDER BY _row')
    return target_values(column_from_arrow(target, column.column(0)))


def _scores_and_target(
    spec: ScorecardSpec, data: Path, target: str
) -> tuple[np.ndarray, np.ndarray]:
    engine = connect("duckdb://:memory:")
    try:
        load_rows(engine, data)
        return score_rows(engine, spec), _target(engine, target, data)
    finally:
        engine.close()


@app.command("evaluate")
def evaluate_command(
    spec_file: Annotated[str, typer.Argument(help="Scorecard spec JSON, or 'default'.")],
    data: Annotated[Path, typer.Argument(help="Data with outcomes: CSV or Parquet.")],
    target: TargetOpt,
    report: Annotated[
        Path | None, typer.Option(help="Write an HTML report with ROC, distributions, calibration.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """AUC, KS, Gini, calibration by score band, score distributions and PSI.

    Scores are computed by the engine from the spec, as in production.
    """

    def run() -> dict[str, Any]:
        spec = _spec(spec_file)
        scores, bad = _scores_and_target(spec, data, target)
        reference = spec.training.bands if spec.training else None
        evaluation = evaluate_scores(scores, bad, spec.scaling, reference)
        if report is not None:
            report.write_text(evaluation_html(spec, evaluation, data.name), encoding="utf-8")
        return {
            "version": spec.version,
            **evaluation.as_json(),
            "report": None if report is None else str(report),
        }

    result = guarded(as_json, run)

    def human() -> None:
        out.print(
            f"{result['version']} on {data.name}: n={result['n']} AUC={result['auc']:.4f} "
            f"Gini={result['gini']:.4f} KS={result['ks']:.4f}"
            + ("" if result["psi"] is None else f" PSI={result['psi']:.4f}")
        )
        table = Table(title="calibration by score band")
        for column in ("band", "n", "predicted bad rate", "observed bad rate"):
            table.add_column(column, justify="right")
        for row in result["calibration"]:
            if row["n"]:
                table.add_row(
                    row["band"],
                    str(row["n"]),
                    f"{row['predicted_bad_rate']:.3f}",
                    f"{row['observed_bad_rate']:.3f}",
                )
        out.print(table)

    emit(result, as_json=as_json, human=human)


@app.command("compare")
def compare_command(
    champion: Annotated[str, typer.Argument(help="Champion spec JSON, or 'default'.")],
    challenger: Annotated[str, typer.Argument(help="Challenger spec JSON, or 'default'.")],
    data: Annotated[Path, typer.Argument(help="Population to score: CSV or Parquet.")],
    target: Annotated[
        str | None, typer.Option(help="Outcome column, for the AUC of each version.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score one population with two versions side by side: tier moves and AUCs."""

    def run() -> dict[str, Any]:
        a, b = _spec(champion), _spec(challenger)
        engine = connect("duckdb://:memory:")
        try:
            load_rows(engine, data)
            scores_a, scores_b = score_rows(engine, a), score_rows(engine, b)
            bad = None if target is None else _target(engine, target, data)
        finally:
            engine.close()
        return compare_scores(a, b, scores_a, scores_b, bad)

    result = guarded(as_json, run)

    def human() -> None:
        table = Table(title=f"tier moves: {result['champion']} (rows) -> {result['challenger']}")
        table.add_column("")
        names = list(result["tier_moves"])
        for name in names:
            table.add_column(name, justify="right")
        for name in names:
            table.add_row(name, *(str(result["tier_moves"][name][n]) for n in names))
        out.print(table)
        out.print(
            f"up {result['moved_up']}, down {result['moved_down']}, same tier "
            f"{result['unchanged_tier']}; mean score change {result['mean_score_change']}"
        )
        if "auc_champion" in result:
            out.print(
                f"AUC champion {result['auc_champion']:.4f}, "
                f"challenger {result['auc_challenger']:.4f}"
            )

    emit(result, as_json=as_json, human=human)


@app.command("publish")
def publish_command(
    spec_file: Annotated[Path, typer.Argument(help="Scorecard spec JSON to make live.")],
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Make a scorecard version the live one: `socialcredit score` uses it from then on.

    Versions are immutable; a scorecard using protected attributes or reading
    columns the platform does not compute is refused.
    """
    from socialcredit.scoring.versions import publish_scorecard

    settings = settings_for(workspace, engine)

    def run() -> dict[str, Any]:
        spec = load_spec(spec_file)
        space = Workspace.open(settings)
        try:
            return publish_scorecard(space.engine(), spec)
        finally:
            space.close()

    result = guarded(as_json, run)
    emit(result, as_json=as_json, human=lambda: out.print(f"scorecard {result['version']} is live"))


@app.command("dataset")
def dataset_command(
    truth: Annotated[Path, typer.Option(help="CSV of resident_id and an outcome column.")],
    out_file: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    as_of: Annotated[str | None, typer.Option(help="As-of date (default: latest on file).")] = None,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the lake's features as of a date joined with known outcomes, to train on.

    Resident IDs in the outcome file are keyed in the engine; the written file
    holds subject keys, never resident IDs.
    """
    import datetime as dt

    from socialcredit.scoring.datasets import training_dataset

    settings = settings_for(workspace, engine)

    def run() -> dict[str, Any]:
        day = dt.date.fromisoformat(as_of) if as_of else None
        space = Workspace.open(settings)
        try:
            return training_dataset(
                space.engine(),
                space.keyer(),
                truth,
                out_file,
                as_of=day,
                notice_days=settings.notice_working_days,
            )
        finally:
            space.close()

    result = guarded(as_json, run)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(f"{result['rows']:,} rows -> {result['out']}"),
    )
