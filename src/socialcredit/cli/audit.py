"""socialcredit audit: verify the audit chain, and anchor its head outside the store.

::

    socialcredit audit keygen --key ~/operator-audit.pem      # once; keep it off the server
    socialcredit audit anchor --key ~/operator-audit.pem --anchors /mnt/worm/anchors.jsonl
    socialcredit audit verify --anchors /mnt/worm/anchors.jsonl --public-key operator-audit.pem.pub
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from socialcredit.cli.common import (
    JsonOpt,
    WorkspaceOpt,
    emit,
    guarded,
    out,
    settings_for,
)
from socialcredit.errors import ConfigurationError
from socialcredit.lake.workspace import Workspace
from socialcredit.settings import Settings

audit_app = typer.Typer(help="Check the audit log and anchor it.", no_args_is_help=True)

KeyOpt = Annotated[
    Path | None,
    typer.Option(
        "--key",
        help="The operator's Ed25519 private key, PEM (default: $SOCIALCREDIT_AUDIT_KEY).",
        show_default=False,
    ),
]
AnchorsOpt = Annotated[
    Path | None,
    typer.Option(
        "--anchors",
        help="The append-only anchors file (default: $SOCIALCREDIT_AUDIT_ANCHORS).",
        show_default=False,
    ),
]


def _outside_workspace(path: Path, settings: Settings) -> Path:
    """Refuse a signing key kept in the workspace, beside the store it vouches for."""
    root = settings.workspace.resolve()
    if path.resolve().is_relative_to(root):
        raise ConfigurationError(
            f"audit key {path} is inside the workspace {settings.workspace}: whoever can "
            "rewrite the store there could sign anchors too. Keep the key elsewhere."
        )
    return path


def _key_path(key: Path | None, settings: Settings) -> Path:
    chosen = key or settings.audit_key
    if chosen is None:
        raise ConfigurationError(
            "no audit key: pass --key FILE or set SOCIALCREDIT_AUDIT_KEY "
            "(make one with `socialcredit audit keygen --key FILE`)"
        )
    return _outside_workspace(chosen, settings)


def _anchors_path(anchors: Path | None, settings: Settings) -> Path:
    chosen = anchors or settings.audit_anchors
    if chosen is None:
        raise ConfigurationError(
            "no anchors file: pass --anchors FILE or set SOCIALCREDIT_AUDIT_ANCHORS"
        )
    return chosen


@audit_app.command("keygen")
def audit_keygen(
    key: Annotated[Path, typer.Option("--key", help="Where to write the private key (PEM).")],
    as_json: JsonOpt = False,
) -> None:
    """Make the operator's Ed25519 signing key, and its public key beside it (FILE.pub).

    Keep the private key off the server that holds the store; give the public key to
    whoever verifies.
    """
    from socialcredit.store import anchors

    def make() -> dict[str, Any]:
        public = anchors.generate_key(key)
        return {"key": str(key), "public_key": f"{key}.pub", "key_id": anchors.key_id(public)}

    result = guarded(as_json, make)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"private key {result['key']} (mode 0600), public key {result['public_key']}, "
            f"key id {result['key_id']}"
        ),
    )


@audit_app.command("anchor")
def audit_anchor(
    key: KeyOpt = None,
    anchors_file: AnchorsOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sign the audit chain's head with the operator's key and append it to the anchors file.

    The chain and the anchors already written are verified first; nothing is anchored
    when they do not verify (exit 1). Run it often (every few minutes): a change that
    rehashes everything after the last anchor is caught only if an anchor was taken
    before it.
    """
    from socialcredit.store import anchors, audit

    settings = settings_for(workspace)

    def anchor(space: Workspace) -> dict[str, Any]:
        private = anchors.load_private_key(_key_path(key, settings))
        path = _anchors_path(anchors_file, settings)
        with space.store().session() as session:
            # The head first: the walk below then covers it, whatever is appended meanwhile.
            seq, entry_hash = anchors.chain_head(session)
            chain = audit.verify(session)
            held = (
                anchors.check_anchors(session, path, private.public_key())
                if anchors.read_anchors(path)
                else None
            )
        problems = chain.problems + (held.problems if held is not None else [])
        if problems:
            return {"ok": False, "anchored": None, "problems": problems}
        written = anchors.write_anchor(path, private, seq, entry_hash)
        return {"ok": True, "anchored": written.line(), "seq": written.seq, "anchors": str(path)}

    result = _run(settings, as_json, anchor)

    def human() -> None:
        if result["ok"]:
            out.print(f"anchored entry {result['seq']:,} in {result['anchors']}")
        else:
            out.print("not anchored: the audit log does not verify")
            _print_problems(result["problems"])

    emit(result, as_json=as_json, human=human)
    if not result["ok"]:
        raise typer.Exit(1)


@audit_app.command("verify")
def audit_verify(
    anchors_file: AnchorsOpt = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="The operator's public key, PEM (default: the public half of --key or "
            "$SOCIALCREDIT_AUDIT_KEY).",
            show_default=False,
        ),
    ] = None,
    key: KeyOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk the hash chain; with anchors, hold it against each signed anchor too.

    Exit 1 when an entry was altered, inserted or deleted; with anchors also when the
    log ends before an anchored entry (truncation), an anchored entry differs (rewrite),
    or an anchor is not signed by the operator's key (forgery).
    """
    from socialcredit.store import anchors, audit

    settings = settings_for(workspace)

    def check(space: Workspace) -> dict[str, Any]:
        path = anchors_file or settings.audit_anchors
        with space.store().session() as session:
            result = audit.verify(session).as_json()
            if path is None:
                return result
            if public_key is not None:
                public = anchors.load_public_key(public_key)
            else:
                public = anchors.load_private_key(_key_path(key, settings)).public_key()
            held = anchors.check_anchors(session, path, public).as_json()
        return result | {
            "ok": result["ok"] and held["ok"],
            "anchors": held,
            "problems": result["problems"] + held["problems"],
        }

    result = _run(settings, as_json, check)

    def human() -> None:
        if result["ok"]:
            out.print(
                f"audit log intact: {result['entries']:,} entries"
                + (f", {result['erased']:,} redacted by erasures" if result["erased"] else "")
            )
            held = result.get("anchors")
            if held is not None and held["latest_seq"] is not None:
                out.print(
                    f"matches {held['anchors']:,} signed anchors, the latest of entry "
                    f"{held['latest_seq']:,} at {held['latest_at']}"
                )
        else:
            out.print("audit log does NOT verify:")
        _print_problems(result["problems"])

    emit(result, as_json=as_json, human=human)
    if not result["ok"]:
        raise typer.Exit(1)


def _run(settings: Settings, as_json: bool, action: Any) -> Any:
    def run() -> Any:
        space = Workspace.open(settings)
        try:
            return action(space)
        finally:
            space.close()

    return guarded(as_json, run)


def _print_problems(problems: list[dict[str, Any]]) -> None:
    for problem in problems:
        where = []
        if problem.get("line") is not None:
            where.append(f"anchors line {problem['line']}")
        if problem.get("seq") is not None:
            where.append(f"entry {problem['seq']}")
        out.print((", ".join(where) + ": " if where else "") + problem["problem"])
