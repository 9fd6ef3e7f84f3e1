"""socialcredit schema: the record schemas partners send."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from socialcredit.cli.common import JsonOpt, emit, guarded, out
from socialcredit.records import CATEGORIES, category, json_schema


def schema_command(
    name: Annotated[
        str | None, typer.Argument(help=f"Category: {', '.join(CATEGORIES)} (default: all).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the columns and rules of a record category (JSON Schema with --json)."""
    chosen = guarded(as_json, lambda: [category(name)] if name else list(CATEGORIES.values()))
    document = {c.name: json_schema(c) for c in chosen}

    def human() -> None:
        for cat in chosen:
            table = Table(title=f"{cat.name} v{cat.version}: {cat.description}")
            for column in ("column", "type", "required", "meaning"):
                table.add_column(column)
            for field in cat.all_fields:
                kind = field.type + (f" ({', '.join(field.choices)})" if field.choices else "")
                table.add_row(field.name, kind, "yes" if field.required else "", field.description)
            out.print(table)

    emit(document, as_json=as_json, human=human)
