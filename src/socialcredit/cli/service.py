"""socialcredit serve / publish / partners / keys / disputes: the service and its store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    fail,
    guarded,
    out,
    settings_for,
)
from socialcredit.errors import ConfigurationError, InputError
from socialcredit.lake.workspace import Workspace
from socialcredit.settings import utc_now

Kind = Literal["partner", "operator", "citizen"]
partners_app = typer.Typer(help="Register partner institutions.", no_args_is_help=True)
keys_app = typer.Typer(help="Issue and revoke API keys.", no_args_is_help=True)
disputes_app = typer.Typer(help="Dispute deadlines.", no_args_is_help=True)


def _scopes_help() -> str:
    from socialcredit.decisions.policy import ACTIONS
    from socialcredit.records import CATEGORIES

    return (
        "Comma-separated partner scopes: records:<category> or records:* to furnish records "
        f"({', '.join(CATEGORIES)}); scores:read; disputes:answer; decisions:<action> or "
        f"decisions:* to ask for credit decisions ({', '.join(ACTIONS)})."
    )


_SCOPES_HELP = _scopes_help()


def _with_workspace(workspace: Any, engine: Any, as_json: bool, action: Any) -> Any:
    settings = settings_for(workspace, engine)

    def run() -> Any:
        space = Workspace.open(settings)
        try:
            return action(space)
        finally:
            space.close()

    return guarded(as_json, run)


#: Exit status of ``serve`` when the port is taken, and when another service
#: already serves the workspace (documented in the README).
EXIT_PORT_IN_USE = 5
EXIT_WORKSPACE_SERVED = 6


def _hold_workspace(root: Path) -> Any:
    """Hold ``W/serve.lock`` (with our pid in it) for as long as this process runs;
    exit 6 when another service holds it."""
    import fcntl
    import os

    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / "serve.lock", "a+", encoding="utf-8")  # noqa: SIM115 (held)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        err.print(
            f"[bold red]error:[/] workspace {root} is already served by process {holder} "
            f"({root / 'serve.lock'}); one service per workspace. Stop it first, or "
            "use its API.",
            markup=True,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_WORKSPACE_SERVED) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def _bind(host: str, port: int) -> Any:
    """The listening socket, bound before anything says "serving on"; exit 5 when
    the address is taken."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    # connections whose socket says it is TCP, and a connection inherits the listening
    # socket's protocol number; with 0, every small answer waited on delayed ACKs
    # (decisions 497 against 1,342 requests/s in benchmarks/service.py)
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        err.print(
            f"[bold red]error:[/] cannot listen on {host}:{port}: {exc.strerror} "
            "(another program holds the port? pick another with --port)",
            markup=True,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_PORT_IN_USE) from None
    sock.set_inheritable(True)
    return sock


def worker_app() -> Any:
    """The app of one worker process of ``serve --workers N`` (settings from the
    environment the command set)."""
    from socialcredit.api import create_app
    from socialcredit.settings import Settings

    return create_app(Settings())


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes sharing the port (more than one needs a PostgreSQL store).",
        ),
    ] = 1,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs) over the workspace's lake and store.

    One service per workspace (exit 6 otherwise); a port in use exits 5. The lake
    is held only while a request works on it, so ingest, score and publish run
    beside the service. Access logs are off: request paths can carry resident IDs.
    """
    import os

    import uvicorn

    from socialcredit.api import create_app

    settings = settings_for(workspace, engine)
    lock = _hold_workspace(settings.workspace)
    sock = _bind(host, port)
    # Checked here, in one process, before anything is served: the secret, the store.
    app = guarded(False, lambda: create_app(settings))
    if workers > 1:
        if guarded(False, lambda: app.state.store.dialect) != "postgresql":
            sock.close()
            fail(
                ConfigurationError(
                    "--workers above 1 needs a PostgreSQL store (SOCIALCREDIT_STORE): "
                    "the processes share the audit chain through its row lock"
                ),
                as_json=False,
            )
        app.state.service.workspace.close()
        os.environ["SOCIALCREDIT_WORKSPACE"] = str(settings.workspace)
        if settings.engine is not None:
            os.environ["SOCIALCREDIT_ENGINE"] = settings.engine
    config = uvicorn.Config(
        "socialcredit.cli.service:worker_app" if workers > 1 else app,
        factory=workers > 1,
        workers=workers,
        access_log=False,
        log_level="warning",
    )
    err.print(
        f"serving on http://{host}:{port} (OpenAPI at /docs)"
        + (f", {workers} worker processes" if workers > 1 else "")
    )
    try:
        if workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        lock.close()


def publish_command(
    run: Annotated[str | None, typer.Option(help="Score run id (default: the latest).")] = None,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Publish a score run to the store, where partners and people read it.

    A whole run replaces what is published in bulk. An incremental run published
    over its base run (or an earlier incremental run on it) writes only the people
    it changed.
    """
    from socialcredit.publish.scores import publish_run

    result = _with_workspace(
        workspace, engine, as_json, lambda space: publish_run(space.store(), space.engine(), run)
    )
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"published {result['published']:,} scores of run {result['run_id']}"
            + (
                f" ({result['changed']:,} changed since the published run)"
                if result["changed"] != result["published"]
                else ""
            )
        ),
    )


@partners_app.command("add")
def partners_add(
    partner_id: Annotated[str, typer.Argument(help="Partner id, e.g. harbour-bank.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    kind: Annotated[str, typer.Option(help="bank, utility, telecom, court, ...")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Register a partner."""
    from socialcredit.store.models import Partner

    def add(space: Workspace) -> dict[str, Any]:
        import re

        if not re.match(r"^[a-z0-9][a-z0-9-]{1,62}$", partner_id):
            raise InputError(f"partner id {partner_id!r}: 2-63 lower-case letters, digits, hyphens")
        with space.store().session() as session, session.begin():
            if session.get(Partner, partner_id) is not None:
                raise InputError(f"partner {partner_id!r} is already registered")
            session.add(
                Partner(
                    partner_id=partner_id,
                    name=name,
                    kind=kind,
                    created_at=utc_now(),
                )
            )
        return {"partner_id": partner_id, "name": name, "kind": kind}

    result = _with_workspace(workspace, None, as_json, add)
    emit(result, as_json=as_json, human=lambda: out.print(f"partner {partner_id} registered"))


@keys_app.command("create")
def keys_create(
    partner: Annotated[str | None, typer.Option(help="Partner the key is for.")] = None,
    scopes: Annotated[str, typer.Option(help=_SCOPES_HELP)] = "",
    operator: Annotated[bool, typer.Option("--operator", help="An operator key.")] = False,
    citizen: Annotated[str | None, typer.Option(help="A citizen key for this resident ID.")] = None,
    rate: Annotated[int, typer.Option(help="Requests a minute.")] = 6000,
    expires_in: Annotated[
        str | None,
        typer.Option(
            help="The key stops working after this long: 90d (days), 12h (hours), 2w (weeks). "
            "Default: until revoked."
        ),
    ] = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a key; it is printed once and stored only as a hash."""
    from socialcredit.identity import parse
    from socialcredit.store import audit, keys

    def create(space: Workspace) -> dict[str, Any]:
        options: tuple[tuple[Kind, object], ...] = (
            ("partner", partner),
            ("operator", operator),
            ("citizen", citizen),
        )
        chosen = [kind for kind, given in options if given]
        if len(chosen) != 1:
            raise InputError("give exactly one of --partner, --operator, --citizen")
        kind = chosen[0]
        try:
            lasts = None if expires_in is None else keys.lifetime(expires_in)
        except InputError as exc:
            raise InputError(f"--expires-in: {exc}") from None
        subject = space.keyer().key(parse(citizen).number) if citizen else None
        with space.store().session() as session, session.begin():
            credential, plain = keys.create_key(
                session,
                kind,
                partner_id=partner,
                subject_key=subject,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                rate_per_minute=rate,
                expires_in=lasts,
            )
            audit.append(
                session,
                actor="cli",
                actor_kind="operator",
                action="key_created",
                detail={"credential_id": credential.credential_id, "kind": kind},
            )
        return {
            "key": plain,
            "credential_id": credential.credential_id,
            "scopes": credential.scopes,
            "expires_at": None
            if credential.expires_at is None
            else credential.expires_at.isoformat(),
        }

    result = _with_workspace(workspace, None, as_json, create)
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(
            f"key (shown once): {result['key']}\ncredential id: {result['credential_id']}"
        ),
    )


@keys_app.command("revoke")
def keys_revoke(
    credential_id: Annotated[str, typer.Argument(help="Credential id printed at creation.")],
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a key; it stops working on the next request."""
    from socialcredit.store import audit, keys

    def revoke(space: Workspace) -> dict[str, Any]:
        with space.store().session() as session, session.begin():
            credential = keys.revoke_key(session, credential_id)
            audit.append(
                session,
                actor="cli",
                actor_kind="operator",
                action="key_revoked",
                detail={"credential_id": credential_id},
            )
            return {"credential_id": credential_id, "revoked_at": str(credential.revoked_at)}

    result = _with_workspace(workspace, None, as_json, revoke)
    emit(result, as_json=as_json, human=lambda: out.print(f"revoked {credential_id}"))


@disputes_app.command("expire")
def disputes_expire(
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Resolve every dispute past its deadline in the person's favour (run daily)."""
    from socialcredit.rights.disputes import expire_disputes

    result = _with_workspace(
        workspace,
        engine,
        as_json,
        lambda space: {
            "resolved": [d.dispute_id for d in expire_disputes(space.store(), space.engine())]
        },
    )
    emit(
        result,
        as_json=as_json,
        human=lambda: out.print(f"{len(result['resolved'])} overdue disputes resolved"),
    )
