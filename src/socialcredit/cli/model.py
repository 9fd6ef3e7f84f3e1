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
from socialcredit.cli.frontier import cutoffs_from, group_name, print_frontier, print_record
from socialcredit.engines import Engine, connect
from socialcredit.errors import InputError
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.impact import FOUR_FIFTHS
from socialcredit.scorecard import ScorecardSpec, default_spec, load_spec
from socialcredit.scorecard.batch import ROWS, load_rows, score_rows
from socialcredit.scorecard.compare import compare_scores
from socialcredit.scorecard.evaluation_page import evaluation_html, frontier_html
from socialcredit.scorecard.lda import (
    DEFAULT_AUC_TOLERANCE,
    FairnessSearch,
    groups_from_columns,
    impact_of,
)
from socialcredit.scorecard.metrics import evaluate_scores
from socialcredit.scorecard.scaling import BASE_ODDS, BASE_SCORE, PDO
from socialcredit.scorecard.spec import FrontierPoint
from socialcredit.scorecard.tabular import (
    Column,
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
FairnessOpt = Annotated[
    str | None,
    typer.Option(
        "--fairness",
        help="Comma-separated columns of protected groups (e.g. age_band,sex,province) to "
        "measure adverse impact by; measured only, never inputs.",
    ),
]
CutoffsOpt = Annotated[
    str | None,
    typer.Option(
        help="Comma-separated score cut-offs to measure at (default: the tier cut-offs and "
        "the default credit policy's approval cut-offs)."
    ),
]


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


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
    fairness: FairnessOpt = None,
    min_air: Annotated[
        float,
        typer.Option(
            min=0,
            max=1,
            help="With --fairness: the lowest significant adverse impact ratio "
            "a candidate may have.",
        ),
    ] = FOUR_FIFTHS,
    cutoffs: CutoffsOpt = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="With --fairness: search alternatives to this scorecard (spec JSON, or "
            "'default') instead of to one fitted here.",
        ),
    ] = None,
    auc_tolerance: Annotated[
        float,
        typer.Option(min=0, help="With --fairness: AUCs closer than this count as equal."),
    ] = DEFAULT_AUC_TOLERANCE,
    seed: Annotated[int, typer.Option(help="Seed of the cross-validation folds.")] = 0,
    report: Annotated[
        Path | None,
        typer.Option(help="With --fairness: write the frontier as an HTML page with its chart."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Learn a scorecard from outcomes and write it as a versioned spec.

    Columns naming a forbidden category are refused; protected attributes (age,
    sex, marital status, region, national origin) are left out and listed.
    With --fairness, search less discriminatory alternatives (features driving the
    gap shrunk or dropped, refits without them, a fairness penalty along a path),
    measure each one's AUC and worst adverse impact ratio at the cut-offs, and write
    the one chosen from the frontier (docs/scoring.md).
    """

    def run() -> dict[str, Any]:
        if (start or report) and not fairness:
            raise InputError("--from and --report belong to a search: give --fairness too")
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
            random_state=seed,
        )
        if fairness:
            return _search(columns, y, trainer)
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

    def _search(columns: dict[str, Any], y: Any, trainer: ScorecardTrainer) -> dict[str, Any]:
        names = _names(fairness or "")
        groups = groups_from_columns(columns, names)
        search = FairnessSearch(
            start=None if start is None else _spec(start),
            trainer=trainer,
            cutoffs=cutoffs_from(cutoffs),
            min_air=min_air,
            auc_tolerance=auc_tolerance,
            version=version,
            random_state=seed,
        )
        with progress_bar() as bar:
            task = bar.add_task("search alternatives", total=None)
            search.fit({k: v.values for k, v in columns.items() if k not in names}, y, groups)
            bar.update(task, total=1, completed=1)
        spec = search.spec_
        if spec.training is not None:
            spec = spec.model_copy(
                update={"training": spec.training.model_copy(update={"target": target})}
            )
        out_file.write_text(spec.to_json(), encoding="utf-8")
        if report is not None and spec.fairness is not None:
            report.write_text(frontier_html(spec.version, spec.fairness), encoding="utf-8")
        chosen = search.chosen_
        return {
            "version": spec.version,
            "out": str(out_file),
            "rows": len(y),
            "features": [f.column for f in spec.features],
            "excluded": dict(spec.training.excluded) if spec.training else {},
            "auc": round(chosen.auc, 6),
            "worst_ratio": round(chosen.worst_ratio, 4),
            "fairness": search.as_json(),
            "report": None if report is None else str(report),
        }

    result = guarded(as_json, run)

    def human() -> None:
        if "fairness" in result:
            print_frontier(result["fairness"])
            out.print(
                f"scorecard {result['version']} -> {result['out']}: chosen "
                f"{result['fairness']['chosen']!r}, AUC {result['auc']:.4f} "
                f"({result['fairness']['auc_measure']}), worst ratio {result['worst_ratio']:.3f}"
            )
            return
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
    return target_values(_column(engine, target, data, "target column"))


def _column(engine: Engine, name: str, data: Path, what: str = "column") -> Column:
    """A column of the loaded rows, in row order."""
    if name not in engine.query("columns", f"SELECT * FROM {ROWS} LIMIT 0").column_names:
        raise InputError(f"{what} {name!r} is not in {data}")
    found = engine.query(what, f'SELECT "{name}" FROM {ROWS} ORDER BY _row')
    return column_from_arrow(name, found.column(0))


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
    fairness: FairnessOpt = None,
    cutoffs: CutoffsOpt = None,
    report: Annotated[
        Path | None,
        typer.Option(
            help="With --fairness: write the frontier a version was chosen from, with both "
            "versions placed on it, as an HTML page."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score one population with two versions side by side: tier moves and AUCs.

    With --fairness (and --target) also each version's worst adverse impact ratio at
    the cut-offs, and the frontier of the search a version was chosen from.
    """

    def run() -> dict[str, Any]:
        if fairness and target is None:
            raise InputError("--fairness places each version by AUC: give --target too")
        if report is not None and not fairness:
            raise InputError("--report draws the fairness frontier: give --fairness too")
        a, b = _spec(champion), _spec(challenger)
        engine = connect("duckdb://:memory:")
        try:
            load_rows(engine, data)
            scores_a, scores_b = score_rows(engine, a), score_rows(engine, b)
            bad = None if target is None else _target(engine, target, data)
            columns = {
                name: _column(engine, name, data, "fairness column")
                for name in _names(fairness or "")
            }
        finally:
            engine.close()
        result = compare_scores(a, b, scores_a, scores_b, bad)
        if fairness and bad is not None:
            result["fairness"] = _placed(
                (a, b), (scores_a, scores_b), bad, groups_from_columns(columns, list(columns))
            )
        return result

    def _placed(
        specs: tuple[ScorecardSpec, ScorecardSpec],
        scores: tuple[np.ndarray, np.ndarray],
        bad: np.ndarray,
        groups: dict[str, np.ndarray],
    ) -> dict[str, Any]:
        cuts = cutoffs_from(cutoffs)
        record = next((s.fairness for s in reversed(specs) if s.fairness is not None), None)
        min_air = FOUR_FIFTHS if record is None else record.min_air
        placed = {}
        marks = []
        for role, spec, values in zip(("champion", "challenger"), specs, scores, strict=True):
            worst, low = impact_of(values, groups, cuts)
            ratio = 1.0 if worst is None else worst.ratio
            auc = compare_scores(spec, spec, values, values, bad)["auc_champion"]
            placed[role] = {
                "version": spec.version,
                "auc": auc,
                "worst_ratio": round(ratio, 4),
                "worst": None if worst is None else worst.as_json(),
                "lowest": None if low is None else low.as_json(),
                "passes": ratio >= min_air,
            }
            marks.append(
                FrontierPoint(
                    name=f"{role} {spec.version}",
                    auc=auc,
                    worst_ratio=round(ratio, 4),
                    passes=ratio >= min_air,
                    on_frontier=False,
                )
            )
        if report is not None:
            if record is None:
                raise InputError(
                    "--report draws the frontier a search recorded, and neither version was "
                    "chosen by `socialcredit model fit --fairness`"
                )
            owner = specs[1] if specs[1].fairness is not None else specs[0]
            report.write_text(frontier_html(owner.version, record, marks), encoding="utf-8")
        return {
            "cutoffs": list(cuts),
            "min_air": min_air,
            **placed,
            "search": None if record is None else record.model_dump(mode="json"),
        }

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
        placed = result.get("fairness")
        if placed:
            if placed["search"]:
                print_record(placed["search"])
            for role in ("champion", "challenger"):
                where = placed[role]["worst"]
                out.print(
                    f"{role} {placed[role]['version']}: worst significant adverse impact ratio "
                    f"{placed[role]['worst_ratio']:.3f}"
                    + (
                        ""
                        if where is None
                        else f" ({where['attribute']} {group_name(where)} at {where['cutoff']})"
                    )
                    + ("" if placed[role]["passes"] else f", below {placed['min_air']}")
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
    groups: Annotated[
        bool,
        typer.Option(
            "--groups",
            help="Add age_band, sex and province, to measure adverse impact by (model fit "
            "--fairness); never inputs.",
        ),
    ] = False,
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
                groups=groups,
            )
        finally:
            space.close()

    result = guarded(as_json, run)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(f"{result['rows']:,} rows -> {result['out']}"),
    )
