"""socialcredit fairness: approval rates and adverse impact by group."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

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
from socialcredit.decisions.policy import approval_cutoffs, default_policy
from socialcredit.decisions.store import live_policy
from socialcredit.errors import InputError
from socialcredit.features import DIMENSIONS
from socialcredit.lake.workspace import Workspace
from socialcredit.monitoring.fairness import (
    FOUR_FIFTHS,
    MIN_GROUP,
    TIER_CUTOFFS,
    FairnessReport,
    fairness_report,
)
from socialcredit.monitoring.fairness_page import fairness_html


def fairness_command(
    run: Annotated[str | None, typer.Option(help="Score run id (default: the latest).")] = None,
    policy: Annotated[
        bool,
        typer.Option(
            help="Also measure at the live credit policy's approval cut-offs (the packaged "
            "default policy when none is published)."
        ),
    ] = True,
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Also write the report as an HTML page here.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the HTML page: en or zh.")] = "en",
    effect: Annotated[
        list[str],
        typer.Option(
            help="A dimension (e.g. cash_flow, guarantees) whose effect by group to show: "
            "everyone scored again without it (repeatable; costs a pass over the features)."
        ),
    ] = [],  # noqa: B006 (Typer reads the default)
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """At each tier cut-off and each approval cut-off of the credit policy, approval
    rates and adverse impact ratios by sex, age band and province; ratios below 0.8 are
    flagged. Also PSI against the previous run. --html writes the report page; --effect
    adds what a dimension does to each group."""
    settings = settings_for(workspace, engine)

    def build() -> FairnessReport:
        if lang not in ("en", "zh"):
            raise InputError("--lang must be en or zh")
        unknown = [d for d in effect if d not in DIMENSIONS]
        if unknown:
            raise InputError(
                f"--effect {', '.join(unknown)}: no such dimension; known: {', '.join(DIMENSIONS)}"
            )
        space = Workspace.open(settings)
        try:
            cutoffs, by_action, version = None, {}, None
            if policy:
                with space.store().session() as session:
                    live = live_policy(session) or default_policy()
                by_action, version = approval_cutoffs(live), live.version
                cutoffs = (*TIER_CUTOFFS, *by_action.values())
            report = fairness_report(space.engine(), run, cutoffs, effects=effect)
            report = replace(report, policy_cutoffs=by_action, policy_version=version)
            if html_file is not None:
                html_file.write_text(
                    fairness_html(report, "zh" if lang == "zh" else "en"), encoding="utf-8"
                )
            return report
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
        for found in report.dimension_effects:
            _print_effect(found)

    emit(report.as_json(), as_json=as_json, human=human)


def _ratio(found: dict[str, Any] | None) -> str:
    if found is None:
        return "no significant gap"
    return f"{found['ratio']:.2f} ({found['attribute']} {found['group']} at {found['cutoff']})"


def _print_effect(found: dict[str, Any]) -> None:
    table = Table(
        title=f"{found['name_en']}: score change it makes by group "
        f"({found['with_data']:.0%} of people have data in it)"
    )
    for column in ("attribute", "group", "n", "with data", "mean change", "among those with"):
        table.add_column(column, justify="left" if column in ("attribute", "group") else "right")
    for group in found["groups"]:
        if group["attribute"] == "province" and group["n"] < MIN_GROUP:
            continue
        among = group["mean_change_with_data"]
        table.add_row(
            group["attribute"],
            str(group["name"]),
            f"{group['n']:,}",
            f"{group['with_data']:.0%}",
            f"{group['mean_change']:+.1f}",
            "-" if among is None else f"{among:+.1f}",
        )
    out.print(table)
    out.print(
        f"worst significant adverse impact ratio with {found['dimension']}: "
        f"{_ratio(found['worst_with'])}; without: {_ratio(found['worst_without'])}"
    )
