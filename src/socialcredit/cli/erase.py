"""socialcredit erase: remove a person's file (lake and store), or records past
retention, for real."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    guarded,
    out,
    settings_for,
)
from socialcredit.errors import InputError
from socialcredit.lake.workspace import Workspace
from socialcredit.rights.erasure import erase_expired, erase_person


def erase_command(
    resident_id: Annotated[
        str | None, typer.Argument(help="Erase everything about this person.")
    ] = None,
    expired: Annotated[
        bool, typer.Option("--expired", help="Erase records past the retention period.")
    ] = False,
    as_of: Annotated[
        str | None, typer.Option(help="With --expired: the date retention counts from.")
    ] = None,
    compact: Annotated[
        bool, typer.Option(help="Rewrite the lake file so that no removed byte remains.")
    ] = True,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Physically remove a person's records, subject row and score history, and from
    the store their score, disputes, consents, decisions, reviews and keys (their
    audit entries are redacted), or every record past retention; the erasure logs
    keep only that it happened."""
    settings = settings_for(workspace, engine)

    def run() -> dict[str, Any]:
        if (resident_id is None) == (not expired):
            raise InputError("give either a RESIDENT_ID or --expired")
        day = dt.date.fromisoformat(as_of) if as_of else None
        space = Workspace.open(settings)
        try:
            lake = space.engine()
            if expired:
                result = erase_expired(lake, day, withdrawn_days=settings.withdrawn_retention_days)
            else:
                files = space.erase_files(str(resident_id))
                result = erase_person(
                    lake, space.keyer(), str(resident_id), store=space.store(), actor="cli"
                ) | {"files": files}
            if compact:
                lake.compact()
            return result | {"compacted": compact}
        finally:
            space.close()

    result = guarded(as_json, run)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"erased {sum(result['removed'].values()):,} rows ({result['kind']})"
            + (f", {sum(result['store'].values()):,} from the store" if "store" in result else "")
            + (", lake compacted" if result["compacted"] else "")
        ),
    )
