"""socialcredit score: score everyone in the lake as of a date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    guarded,
    out,
    progress_bar,
    settings_for,
)
from socialcredit.errors import InputError, NotFoundError
from socialcredit.lake.workspace import Workspace
from socialcredit.scorecard import TIERS, default_spec, load_spec
from socialcredit.scoring.runs import ScoreRun, score_population
from socialcredit.scoring.versions import live_scorecard


def _separate(space: Workspace) -> str:
    """What to add when the engine's lake is empty: the workspace's other lake, if it
    exists, is separate (each engine keeps its own)."""
    spark_lake = space.root / "lake-spark"
    if (space.settings.engine or "").startswith("spark"):
        if space.lake_path.exists():
            return (
                f"; the Spark lake ({spark_lake}) is separate from this workspace's DuckDB "
                f"lake ({space.lake_path}), which ingestion without --engine fills: score "
                "without --engine, or ingest with the same --engine spark first"
            )
    elif spark_lake.exists():
        return (
            f"; this workspace's Spark lake ({spark_lake}) is separate from its DuckDB lake "
            f"({space.lake_path}): to score what was ingested with --engine spark, pass "
            "--engine spark here too"
        )
    return ""


def score_command(
    as_of: Annotated[
        str | None,
        typer.Option(help="As-of date YYYY-MM-DD (default: the latest observed date on file)."),
    ] = None,
    scorecard: Annotated[
        Path | None,
        typer.Option(
            help="Scorecard spec JSON (default: the published one, else the shipped expert one)."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            help="Incremental: recompute only the people whose records changed after this "
            "run (a run id, or 'last'); everyone else keeps that run's result. Same as-of "
            "date, scorecard and notice period as that run, or it refuses."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute features, points, subscores, tiers and reasons for every person.

    The run is appended to the score history, naming its as-of date and
    scorecard version; scores_digest identifies its result. With --since LAST_RUN
    only the people with new, changed, disputed or erased records since that run
    are recomputed, with the same result as a full run on the same data.
    """
    settings = settings_for(workspace, engine)

    def run() -> ScoreRun:
        day = None
        if as_of is not None:
            try:
                day = dt.date.fromisoformat(as_of)
            except ValueError:
                raise InputError(f"--as-of {as_of!r} is not a date (expected YYYY-MM-DD)") from None
        space = Workspace.open(settings)
        try:
            if settings.subject_key_secret is not None:
                space.keyer()  # refuses a secret other than the workspace's, as ingestion does
            spark_lake = space.root / "lake-spark"
            if (settings.engine or "").startswith("spark") and not spark_lake.exists():
                raise NotFoundError(f"the Spark lake holds no records yet{_separate(space)}")
            spec = (
                load_spec(scorecard)
                if scorecard
                else live_scorecard(space.engine()) or default_spec()
            )
            with progress_bar() as bar:
                task = bar.add_task("score", total=4)
                try:
                    return score_population(
                        space.engine(),
                        spec,
                        as_of=day,
                        notice_days=settings.notice_working_days,
                        on_step=lambda _s: bar.advance(task),
                        since=since,
                    )
                except NotFoundError as exc:
                    raise NotFoundError(f"{exc}{_separate(space)}") from None
        finally:
            space.close()

    result = guarded(as_json, run)

    def human() -> None:
        table = Table(title=f"scores as of {result.as_of} ({result.scorecard_version})")
        table.add_column("tier")
        table.add_column("people", justify="right")
        for tier in TIERS:
            table.add_row(
                f"{tier.name_en} {tier.name_zh} ({tier.low}+)",
                f"{result.tier_counts.get(tier.id, 0):,}",
            )
        out.print(table)
        out.print(
            f"{result.subjects:,} people scored, {result.score_min}-{result.score_max}, "
            f"digest {result.scores_digest[:16]}, run {result.run_id}"
        )
        if result.since_run is not None:
            out.print(
                f"incremental from run {result.since_run}: {result.recomputed:,} people "
                "recomputed, the others kept"
            )

    emit(result.as_json(), as_json=as_json, human=human)
