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
from socialcredit.simulate import DEFAULT_AS_OF, simulate


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
    validation only; never ingest it) and manifest.json.
    """

    target = out_dir or settings_for(workspace).workspace / "feeds"

    def run() -> dict[str, Any]:
        try:
            day = dt.date.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"{as_of!r} is not a date (YYYY-MM-DD)") from None
        if file_format not in ("csv", "parquet"):
            raise typer.BadParameter(f"format {file_format!r}: use csv or parquet")
        with progress_bar() as bar:
            task = bar.add_task("simulate feeds", total=None)
            return simulate(
                target,
                citizens=citizens,
                seed=seed,
                as_of=day,
                fmt=file_format,  # type: ignore[arg-type]
                progress=lambda _name, _rows: bar.advance(task),
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
