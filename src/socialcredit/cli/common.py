"""What every command shares: --workspace, --json, --engine, output, errors, progress.

Human output goes to stdout as tables; progress bars and messages go to
stderr, so that with ``--json`` stdout holds exactly one JSON document.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from socialcredit.errors import (
    ConfigurationError,
    EngineError,
    ForbiddenDataError,
    InputError,
    NotFoundError,
    SocialCreditError,
)
from socialcredit.settings import Settings

__all__ = [
    "EngineOpt",
    "JsonOpt",
    "WorkspaceOpt",
    "emit",
    "err",
    "guarded",
    "out",
    "progress_bar",
    "settings_for",
]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

WorkspaceOpt = Annotated[
    Path | None,
    typer.Option(
        "--workspace",
        "-w",
        help="Workspace folder holding everything a run writes "
        "(default: $SOCIALCREDIT_WORKSPACE or ./socialcredit-workspace).",
        show_default=False,
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else.")
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Engine URL (default: duckdb://, the DuckDB file in the workspace); "
        "spark://local[*] or spark://MASTER runs the batch pipeline on Spark.",
        show_default=False,
    ),
]

#: exit status per kind of error (documented in the README)
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (ForbiddenDataError, 2),
    (InputError, 2),
    (ConfigurationError, 3),
    (NotFoundError, 4),
    (SocialCreditError, 1),
)


def settings_for(workspace: Path | None, engine: str | None = None) -> Settings:
    """Settings from the environment, overridden by command-line options."""
    overrides: dict[str, Any] = {}
    if workspace is not None:
        overrides["workspace"] = workspace
    if engine is not None:
        overrides["engine"] = engine
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        fail(ConfigurationError(f"invalid settings: {_described(exc)}"), as_json=False)


def _described(exc: ValidationError) -> str:
    """Each problem once, named by its environment variable: ``SOCIALCREDIT_X: why``."""
    problems = []
    for error in exc.errors():
        name = "SOCIALCREDIT_" + str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.append(message if name in message else f"{name}: {message}")
    return "; ".join(problems)


def emit(data: Any, *, as_json: bool, human: Callable[[], None]) -> None:
    """Print ``data`` as JSON on stdout, or call ``human`` to print tables."""
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=2) + "\n")
        sys.stdout.flush()
    else:
        human()


def fail(error: BaseException, *, as_json: bool) -> NoReturn:
    """Report ``error`` (stderr, plus a JSON error on stdout with --json) and exit."""
    code = next((c for kind, c in EXIT_CODES if isinstance(error, kind)), 1)
    payload: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, ForbiddenDataError):
        payload |= {"field": error.field, "rule": error.rule}
    if as_json:
        sys.stdout.write(json.dumps({"error": payload}, ensure_ascii=False) + "\n")
    shown = str(error)
    if isinstance(error, EngineError):  # the SQL is for the log, not the terminal
        shown = f"engine step {error.step!r} failed: {error.__cause__}"
    err.print(f"[bold red]error:[/] {escape(shown)}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


T = TypeVar("T")


def guarded(as_json: bool, action: Callable[[], T]) -> T:
    """Run ``action``; turn a :class:`SocialCreditError` into a clean exit."""
    try:
        return action()
    except SocialCreditError as exc:
        fail(exc, as_json=as_json)


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A Rich progress display on stderr (silent when stderr is not a terminal)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as progress:
        yield progress
