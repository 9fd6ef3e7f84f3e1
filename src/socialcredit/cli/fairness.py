"""socialcredit fairness: approval rates and adverse impact by group."""

from __future__ import annotations

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
    settings_for,
)
from socialcredit.fairness import FOUR_FIFTHS, MIN_GROUP, FairnessReport, fairness_report
from socialcredit.workspace import Workspace


def fairness_command(
    run: Annotated[str | None, typer.Option(help="Score run id (default: the latest).")] = None,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """At each tier cut-off, approval rates and adverse impact ratios by sex, age band
    and province; ratios below 0.8 are flagged. Also PSI against the previous run."""
    settings = settings_for(workspace, engine)

    def build() -> FairnessReport:
        space = Workspace.open(settings)
        try:
            return fairness_report(space.engine(), run)
        finally:
            space.close()

    report = guarded(as_json, build)

    def human() -> None:
        table = Table(
            title=f"adverse impact ratio by group, run {report.run_id} "
            f"({report.scorecard_version}); flagged below {FOUR_FIFTHS}"
        )
        table.add_column("attribute")
        table.add_column("group")
        table.add_column("n", justify="right")
        table.add_column("mean", justify="right")
        for cut in report.cutoffs:
            table.add_column(f">= {cut}", justify="right")
        for group in report.groups:
            if group["attribute"] == "province" and group["n"] < MIN_GROUP:
                continue
            cells = []
            for cut in report.cutoffs:
                ratio = group["adverse_impact_ratio"][str(cut)]
                text = "-" if ratio is None else f"{ratio:.2f}"
                cells.append(
                    f"[bold red]{text}[/]"
                    if ratio is not None and ratio < FOUR_FIFTHS and group["n"] >= MIN_GROUP
                    else text
                )
            table.add_row(
                group["attribute"],
                str(group["name"]),
                f"{group['n']:,}",
                f"{group['mean_score']:.0f}",
                *cells,
            )
        out.print(table)
        if report.lowest:
            low = report.lowest
            significant = sum(1 for f in report.flags if f["significant"])
            out.print(
                f"lowest ratio {low['ratio']:.2f}: {low['attribute']} {low['group']} at "
                f"{low['cutoff']} (p={low['p_value']:.3g}); {len(report.flags)} ratios below "
                f"{FOUR_FIFTHS}, {significant} significant after correcting for the number "
                "of groups compared"
            )
        if report.psi_vs_previous is not None:
            out.print(f"PSI against run {report.previous_run}: {report.psi_vs_previous:.4f}")

    emit(report.as_json(), as_json=as_json, human=human)
