"""socialcredit demo: the main job, end to end on the embedded default."""

from __future__ import annotations

from typing import Annotated, Any

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
from socialcredit.monitoring.impact import FOUR_FIFTHS
from socialcredit.scorecard import TIERS
from socialcredit.simulate.demo import DEFAULT_CITIZENS, DEFAULT_SEED, DemoHooks, run_demo
from socialcredit.simulate.nation import progress_steps


def demo_command(
    citizens: Annotated[int, typer.Option(min=100, help="People in the synthetic nation.")] = (
        DEFAULT_CITIZENS
    ),
    seed: Annotated[int, typer.Option(help="Random seed of the nation.")] = DEFAULT_SEED,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Simulate a nation's partner feeds, ingest every feed, score everyone.

    Writes everything into the workspace (a demo workspace, reset on each run)
    and summary.json with counts, tiers, the scores' digest and the AUC of the
    scores against the simulated outcome.
    """
    settings = settings_for(workspace, engine)

    def run() -> dict[str, Any]:
        with progress_bar() as bar:
            tasks = {
                "simulate": bar.add_task("simulate partner feeds", total=progress_steps(citizens)),
                "ingest": bar.add_task("validate and ingest", total=None),
                "score": bar.add_task("score", total=7),
            }
            hooks = DemoHooks(
                stage=lambda name, total: bar.update(tasks[name], total=total),
                advance=lambda name, amount: bar.advance(tasks[name], amount),
                step=lambda _name: bar.advance(tasks["score"]),
            )
            summary = run_demo(settings, citizens=citizens, seed=seed, hooks=hooks)
            for task in tasks.values():
                total = bar.tasks[task].total
                bar.update(task, completed=total if total is not None else 1)
            return summary

    summary = guarded(as_json, run)

    def human() -> None:
        table = Table(title=f"demo: {summary['citizens']:,} citizens, seed {summary['seed']}")
        table.add_column("")
        table.add_column("", justify="right")
        table.add_row("records accepted", f"{summary['records_accepted']:,}")
        table.add_row("records rejected", f"{summary['records_rejected']:,}")
        table.add_row("people scored", f"{summary['subjects_scored']:,}")
        for tier in TIERS:
            table.add_row(
                f"  {tier.name_en} {tier.name_zh} ({tier.low}+)",
                f"{summary['tier_counts'][tier.id]:,}",
            )
        table.add_row("score range", f"{summary['score_min']}-{summary['score_max']}")
        table.add_row("AUC against simulated outcome", f"{summary['auc_vs_truth']:.3f}")
        table.add_row("scorecard", summary["scorecard_version"])
        significant = summary["fairness_significant_flags"]
        cutoffs = ", ".join(str(c) for c in summary["fairness_cutoffs"])
        table.add_row(
            "four-fifths rule",
            f"passes at {cutoffs}"
            if not significant
            else f"{significant} significant ratio(s) below {FOUR_FIFTHS} at {cutoffs}",
        )
        low = summary["fairness_lowest_ratio"]
        if low:
            table.add_row(
                "lowest adverse impact ratio",
                f"{low['ratio']:.2f} ({low['attribute']} {low['group']} at {low['cutoff']}"
                + ("" if low["significant"] else ", not significant")
                + ")",
            )
        table.add_row("elapsed", f"{summary['elapsed_s']:.1f} s")
        out.print(table)
        root = settings.workspace
        err.print(
            f"summary in {root / 'summary.json'}; a person's report: "
            f"socialcredit report <resident id> --workspace {root} "
            f"(resident IDs are in {root / 'feeds'})"
        )

    emit(summary, as_json=as_json, human=human)
