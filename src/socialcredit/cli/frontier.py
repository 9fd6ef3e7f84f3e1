"""How ``socialcredit model`` shows a search for a less discriminatory scorecard:
the cut-offs it measures at and its frontier as tables."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from socialcredit.cli.common import out
from socialcredit.errors import InputError
from socialcredit.identity import province_name

__all__ = ["cutoffs_from", "group_name", "print_frontier", "print_record"]


def cutoffs_from(text: str | None) -> tuple[int, ...]:
    if text is None:
        from socialcredit.decisions.policy import approval_cutoffs, default_policy
        from socialcredit.monitoring.fairness import TIER_CUTOFFS

        return tuple(sorted({*TIER_CUTOFFS, *approval_cutoffs(default_policy()).values()}))
    try:
        return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise InputError(f"--cutoffs {text!r}: expected whole scores, e.g. 600,650,700") from None


def group_name(where: dict[str, Any]) -> str:
    """A compared group as people read it (a province by its name)."""
    group = str(where["group"])
    return province_name(group) if where["attribute"] == "province" else group


def print_frontier(search: dict[str, Any]) -> None:
    table = Table(
        title=f"alternatives to {search['start']}: AUC ({search['auc_measure']}) against the "
        f"worst significant adverse impact ratio at {', '.join(map(str, search['cutoffs']))}"
    )
    for column in ("candidate", "AUC", "worst ratio", "where", "passes", "frontier"):
        table.add_column(column, justify="left" if column in ("candidate", "where") else "right")
    for c in search["candidates"]:
        where = c["worst"]
        table.add_row(
            f"[bold]{c['name']}[/]" if c["name"] == search["chosen"] else c["name"],
            f"{c['auc']:.4f}",
            f"{c['worst_ratio']:.3f}",
            ""
            if where is None
            else f"{where['attribute']} {group_name(where)} at {where['cutoff']}",
            "yes" if c["passes"] else "[red]no[/]",
            "*" if c.get("on_frontier") else "",
        )
    out.print(table)


def print_record(search: dict[str, Any]) -> None:
    table = Table(
        title=f"frontier of the search from {search['start']} (AUC {search['auc_measure']}, "
        f"cut-offs {', '.join(map(str, search['cutoffs']))})"
    )
    for column in ("candidate", "AUC", "worst ratio", "passes", "frontier"):
        table.add_column(column, justify="left" if column == "candidate" else "right")
    for p in search["frontier"]:
        table.add_row(
            f"[bold]{p['name']}[/]" if p["name"] == search["chosen"] else p["name"],
            f"{p['auc']:.4f}",
            f"{p['worst_ratio']:.3f}",
            "yes" if p["passes"] else "[red]no[/]",
            "*" if p["on_frontier"] else "",
        )
    out.print(table)
