"""socialcredit report: one person's report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.panel import Panel
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
from socialcredit.lake.workspace import Workspace
from socialcredit.rights.export import report_html
from socialcredit.rights.report import build_report


def report_command(
    resident_id: Annotated[str, typer.Argument(help="The person's 18-character resident ID.")],
    html_file: Annotated[
        Path | None, typer.Option("--html", help="Also write the whole file as an HTML page.")
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the HTML page: en or zh.")] = "en",
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a person's score, tier, subscores, reasons with the records behind
    them, and every record on file with its source partner."""
    settings = settings_for(workspace, engine)

    def run() -> dict[str, Any]:
        space = Workspace.open(settings)
        try:
            return build_report(space.engine(), space.keyer(), resident_id)
        finally:
            space.close()

    report = guarded(as_json, run)
    if html_file is not None:
        html_file.write_text(report_html(report, "zh" if lang == "zh" else "en"), encoding="utf-8")

    def human() -> None:
        out.print(
            Panel.fit(
                f"[bold]{report['score']}[/]  {report['tier_en']} {report['tier_zh']}\n"
                f"as of {report['as_of']}, scorecard {report['scorecard_version']}",
                title=f"resident {report['resident_id']}  subject {report['subject_key'][:12]}…",
            )
        )
        subs = Table(title="dimensions 维度")
        subs.add_column("dimension")
        subs.add_column("subscore", justify="right")
        for dim, value in report["subscores"].items():
            names = report["dimension_names"][dim]
            subs.add_row(f"{names['en']} {names['zh']}", str(value))
        out.print(subs)
        reasons = Table(title="main reasons 主要原因")
        for column in ("points", "reason", "原因", "records"):
            reasons.add_column(column)
        for reason in report["reasons"]:
            sources = sorted({r["partner_id"] for r in reason["records"]})
            reasons.add_row(
                f"-{reason['points_lost']}",
                reason["en"],
                reason["zh"],
                f"{reason['records_total']} from {', '.join(sources) or '-'}",
            )
        out.print(reasons)
        plan = report["improvement"]
        if plan["next_tier"] is not None:
            steps = Table(title=f"to reach {plan['next_tier']} 提升到下一档 (+{plan['needed']})")
            steps.add_column("change")
            steps.add_column("改进")
            for change in plan["changes"]:
                steps.add_row(change["en"], change["zh"])
            if not plan["changes"]:
                steps.add_row(
                    "Only time can help: late payments stop counting as they age.",
                    "逾期记录随时间推移不再计入。",
                )
            out.print(steps)
        records = Table(title="records on file 信用记录")
        for column in ("category", "records", "sources"):
            records.add_column(column)
        for name, rows in report["records"].items():
            records.add_row(
                name, str(len(rows)), ", ".join(sorted({r["partner_id"] for r in rows})) or "-"
            )
        out.print(records)
        out.print(
            "Use --json for every record. Birth year, sex and region are kept for "
            "fairness monitoring only; no scorecard may use them."
        )

    emit(report, as_json=as_json, human=human)
