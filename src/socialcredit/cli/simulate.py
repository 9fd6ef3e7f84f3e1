"""socialcredit simulate: write a synthetic nation's partner feeds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from socialcredit.cli.common import (
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    guarded,
    out,
    progress_bar,
    settings_for,
)
from socialcredit.simulate import DEFAULT_AS_OF, feed_names, simulate
from socialcredit.simulate.nation import progress_steps, slice_sizes


def simulate_command(
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder to write the feeds into (default: WORKSPACE/feeds)."),
    ] = None,
    citizens: Annotated[int, typer.Option(min=1, help="Number of people.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
    as_of: Annotated[
        str, typer.Option(help="As-of date (YYYY-MM-DD); records cover the 36 months before.")
    ] = DEFAULT_AS_OF.isoformat(),
    file_format: Annotated[
        str, typer.Option("--format", help="csv (as partners send) or parquet.")
    ] = "csv",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write one feed file per partner and category, about 1% of rows malformed.

    Also writes truth/outcomes.csv (who defaults in the next 12 months, for
    validation only; never ingest it) and manifest.json. A nation of more than a
    million people is drawn a million people at a time or fewer, so memory stays
    that of one slice.
    """

    target = out_dir or settings_for(workspace).workspace / "feeds"

    def run() -> dict[str, Any]:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"{as_of!r} is not a date (YYYY-MM-DD)") from None
        if file_format not in ("csv", "parquet"):
            raise typer.BadParameter(f"format {file_format!r}: use csv or parquet")
        slices, feeds = len(slice_sizes(citizens)), len(feed_names())
        steps = 0

        def doing() -> str:
            """The slice being drawn (a step is a feed of a slice written)."""
            if slices == 1:
                return "simulate feeds"
            return f"simulate slice {min(steps // feeds + 1, slices)}/{slices}"

        def advance(_name: str, _rows: int) -> None:
            nonlocal steps
            steps += 1
            bar.update(task, advance=1, description=doing())

        with progress_bar() as bar:
            task = bar.add_task(doing(), total=progress_steps(citizens))
            return simulate(
                target,
                citizens=citizens,
                seed=seed,
                as_of=day,
                fmt=file_format,  # type: ignore[arg-type]
                progress=advance,
            )

    manifest = guarded(as_json, run)

    def human() -> None:
        table = Table(title=f"{citizens:,} citizens, seed {seed}, as of {manifest['as_of']}")
        for column in ("file", "partner", "category", "rows", "malformed"):
            table.add_column(column, justify="right" if column in ("rows", "malformed") else "left")
        for feed in manifest["feeds"]:
            table.add_row(
                feed["file"],
                feed["partner"],
                feed["category"],
                f"{feed['rows']:,}",
                f"{feed['malformed']:,}",
            )
        out.print(table)
        err.print(f"wrote {len(manifest['feeds'])} feeds to {target}")

    emit(manifest, as_json=as_json, human=human)
