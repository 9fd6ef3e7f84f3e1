"""socialcredit serve / publish / partners / keys / disputes: the service and its store."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import typer

from socialcredit.cli.common import (
    EngineOpt,
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    guarded,
    out,
    settings_for,
)
from socialcredit.errors import InputError
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


def serve_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workspace: WorkspaceOpt = None,
    engine: EngineOpt = None,
) -> None:
    """Run the HTTP API (OpenAPI at /docs) over the workspace's lake and store.

    Access logs are off: request paths can carry resident IDs.
    """
    import uvicorn

    from socialcredit.api import create_app

    settings = settings_for(workspace, engine)
    app = guarded(False, lambda: create_app(settings))
    err.print(f"serving on http://{host}:{port} (OpenAPI at /docs)")
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


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
        subject = space.keyer().key(parse(citizen).number) if citizen else None
        with space.store().session() as session, session.begin():
            credential, plain = keys.create_key(
                session,
                kind,
                partner_id=partner,
                subject_key=subject,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                rate_per_minute=rate,
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
