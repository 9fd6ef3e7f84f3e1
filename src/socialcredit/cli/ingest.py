"""socialcredit ingest: partner files into the records lake."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, TaskID
from rich.table import Table

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    fail,
    out,
    progress_bar,
    settings_for,
)
from socialcredit.errors import InputError, SocialCreditError, UnreadableFileError
from socialcredit.ingest import ingest_file
from socialcredit.lake.workspace import Workspace
from socialcredit.records import CATEGORIES


def _advance(bar: Progress, task: TaskID, _step: str) -> None:
    bar.advance(task)


def _partner_and_category(path: Path, partner: str | None, category: str | None) -> tuple[str, str]:
    """Take what the options say; otherwise read ``<partner>.<category>.<ext>``."""
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file")
    parts = path.name.split(".")
    if (partner is None or category is None) and (len(parts) < 3 or parts[-2] not in CATEGORIES):
        raise InputError(
            f"{path.name}: pass --partner and --category, or name the file "
            "<partner>.<category>.<csv|jsonl|parquet>"
        )
    return partner or parts[-3], category or parts[-2]


def _registered(space: Workspace) -> set[str] | None:
    """The partners registered in a live workspace's store; None in a demo workspace,
    whose synthetic partners are not registered."""
    if space.mode == "demo":
        return None
    from sqlalchemy import select

    from socialcredit.store.models import Partner

    with space.store().session() as session:
        return set(session.execute(select(Partner.partner_id)).scalars())


def _ensure_registered(who: str, registered: set[str] | None, path: Path, named: bool) -> None:
    if registered is None or who in registered:
        return
    source = f" (from the file name {path.name})" if named else ""
    raise InputError(
        f"partner {who!r}{source} is not registered in this workspace; register it with "
        f"`socialcredit partners add {who} --name NAME --kind KIND`"
        + (", or name the file <partner>.<category>.<ext>" if named else "")
    )


def _discard(root: Path) -> None:
    """Remove a workspace folder this command made and nothing was ingested into."""
    import shutil

    shutil.rmtree(root, ignore_errors=True)


def ingest_command(
    files: Annotated[list[Path], typer.Argument(help="Feed files (CSV, JSON Lines or Parquet).")],
    partner: Annotated[
        str | None, typer.Option(help="Partner id (default: from <partner>.<category>.csv).")
    ] = None,
    category: Annotated[
        str | None,
        typer.Option(help=f"Record category: {', '.join(CATEGORIES)} (default: from file name)."),
    ] = None,
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv, jsonl or parquet (default: by suffix).")
    ] = None,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate partner files and add their valid records to the lake.

    Every row is checked; valid rows are kept, invalid ones listed in a
    rejection file (row, field, value, rule). Records sent again that are already
    on file add nothing. A file with a forbidden column (religion, political views,
    health, ...) is refused whole, and so is a file from a partner that is not
    registered in a live workspace (socialcredit partners add). Exit status 0 when
    every file was processed, even with rejected rows; 2 when a file was refused or
    unreadable.
    """
    settings = settings_for(workspace, engine)
    created = not settings.workspace.exists()
    reports: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    space: Workspace | None = None
    try:
        space = Workspace.open(settings)
        keyer = space.keyer()  # before the lake: a refused secret makes no lake file
        registered = _registered(space)
        lake = space.engine()
    except SocialCreditError as exc:
        if space is not None:
            space.close()
        if created:
            _discard(settings.workspace)
        fail(exc, as_json=as_json)
    with progress_bar() as bar:
        overall = bar.add_task("ingest files", total=len(files))
        for path in files:
            task = bar.add_task(f"  {path.name}", total=5)
            try:
                who, what = _partner_and_category(path, partner, category)
                _ensure_registered(who, registered, path, named=partner is None)
                report = ingest_file(
                    lake,
                    keyer,
                    path,
                    partner=who,
                    category_name=what,
                    rejections_dir=space.rejections_dir,
                    fmt=file_format,
                    on_step=partial(_advance, bar, task),
                    clock_allowance_days=settings.clock_allowance_days,
                )
                bar.update(task, completed=5)
                reports.append(report.as_json())
            except SocialCreditError as exc:
                bar.remove_task(task)  # no spinner left turning for a file that is done
                failures.append(
                    {"file": str(path), "error": type(exc).__name__, "message": str(exc)}
                )
                err.print(f"[bold red]refused:[/] {path}: {exc}", soft_wrap=True)
            bar.advance(overall)
    space.close()
    if created and not reports:
        _discard(settings.workspace)
    totals = {k: sum(r[k] for r in reports) for k in ("rows", "accepted", "rejected", "duplicates")}
    document = {"batches": reports, "failed": failures, **totals}
    if len(files) == 1 and reports:
        document = {**reports[0], "batches": reports, "failed": failures}

    def human() -> None:
        if not reports:
            return  # every file was refused, and said so on stderr
        table = Table(title="ingestion")
        for column in ("file", "partner", "category", "rows", "accepted", "rejected", "duplicates"):
            table.add_column(column)
        for r in reports:
            table.add_row(
                Path(r["file"]).name,
                r["partner"],
                r["category"],
                f"{r['rows']:,}",
                f"{r['accepted']:,}",
                f"{r['rejected']:,}",
                f"{r['duplicates']:,}",
            )
        out.print(table)
        for r in reports:
            if r["duplicates"] and not r["accepted"]:
                err.print(
                    f"{Path(r['file']).name}: every valid record was already on file; nothing added"
                )
            if r["rejections_file"]:
                err.print(f"{Path(r['file']).name}: rejections in {r['rejections_file']}")

    emit(document, as_json=as_json, human=human)
    if failures:
        raise typer.Exit(2)
