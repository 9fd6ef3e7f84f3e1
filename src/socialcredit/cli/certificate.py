"""socialcredit certificate: credit certificates a person asks for, and checking them.

::

    socialcredit certificate issue 11010519491231002X --disclose band --days 14 --out cert.json
    socialcredit certificate issuer --out issuer.json       # the public keys, for verifiers
    socialcredit certificate status --out status-1.json     # status list 1, whole
    socialcredit certificate verify cert.json --issuer issuer.json --status status-1.json

``verify`` needs no workspace: it reads the issuer's keys and the whole status
list from files (or fetches them whole from the issuer's URLs), never asks about
the certificate or the person, and exits 1 when the certificate is not valid.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from pydantic import ValidationError
from rich.panel import Panel
from rich.table import Table

from socialcredit.cli.common import (
    JsonOpt,
    WorkspaceOpt,
    emit,
    err,
    guarded,
    out,
    settings_for,
)
from socialcredit.errors import InputError
from socialcredit.identity import parse
from socialcredit.lake.workspace import Workspace
from socialcredit.rights.certificates import CertificateRequest, Issuer, issuer_for, registry
from socialcredit.rights.certificates.credential import MAX_DAYS, moment_of
from socialcredit.rights.certificates.page import page_html
from socialcredit.rights.certificates.verify import parse_document, read_document, verify

__all__ = ["certificate_app"]

certificate_app = typer.Typer(
    help="Credit certificates a person asks for (W3C Verifiable Credentials), and checking "
    "them offline.",
    no_args_is_help=True,
)

ResidentArg = Annotated[str, typer.Argument(help="The person's 18-character resident ID.")]
IdArg = Annotated[str, typer.Argument(help="The certificate's id (see: certificate list).")]
OutOpt = Annotated[
    Path | None,
    typer.Option("--out", help="Write the document to this file (default: print it)."),
]


def _in_workspace(workspace: Path | None, as_json: bool, action: Any) -> Any:
    settings = settings_for(workspace)

    def run() -> Any:
        space = Workspace.open(settings)
        try:
            return action(space, issuer_for(space.root, settings.public_url))
        finally:
            space.close()

    return guarded(as_json, run)


def _subject_key(space: Workspace, resident_id: str) -> str:
    return space.keyer().key(parse(resident_id).number)


def _write(path: Path, document: dict[str, Any]) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text, encoding="utf-8")


def _claims_table(claims: dict[str, Any], title: str) -> Table:
    table = Table(title=title)
    table.add_column("claim")
    table.add_column("value")
    for name, value in claims.items():
        table.add_row(
            name, json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)
        )
    return table


@certificate_app.command("issue")
def issue_command(
    resident_id: ResidentArg,
    disclose: Annotated[
        str,
        typer.Option(
            help="What it shows: tier (the tier only, no number), band (the score rounded "
            "down to 50) or score (the exact score)."
        ),
    ],
    subscores: Annotated[
        bool, typer.Option("--subscores", help="Also the subscores (band or score only).")
    ] = False,
    name: Annotated[
        str | None, typer.Option("--name", help="The display name the person asks for.")
    ] = None,
    days: Annotated[int, typer.Option(help=f"Days valid, 1 to {MAX_DAYS}.")] = MAX_DAYS,
    out_file: OutOpt = None,
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a certificate of a person's published score, on their instruction.

    It discloses what the person chose (tier, band or score), is signed with the
    issuer's key and is written to their file's access log: a report on the
    consumer's written instruction, FCRA 604(a)(2)."""

    def run(space: Workspace, issuer: Issuer) -> dict[str, Any]:
        try:
            request = CertificateRequest(
                disclose=disclose,
                subscores=subscores,
                display_name=name,
                days=days,
            )
        except ValidationError as exc:
            problems = "; ".join(str(e["msg"]) for e in exc.errors())
            raise InputError(f"certificate request refused: {problems}") from exc
        row = registry.issue(
            space.store(),
            issuer,
            _subject_key(space, resident_id),
            request,
            actor="cli",
            actor_kind="operator",
        )
        return registry.certificate_json(row, with_credential=True)

    issued = _in_workspace(workspace, as_json, run)
    if out_file is not None:
        _write(out_file, issued["credential"])

    def human() -> None:
        out.print(_claims_table(issued["claims"], f"certificate {issued['id']}"))
        out.print(f"valid until {issued['expires_at']} (UTC)")
        if out_file is not None:
            out.print(f"credential written to {out_file}")

    emit(issued, as_json=as_json, human=human)


@certificate_app.command("list")
def list_command(
    resident_id: ResidentArg, workspace: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """List a person's certificates, the newest first, with what each discloses."""

    def run(space: Workspace, _: Issuer) -> dict[str, Any]:
        rows = registry.list_for(space.store(), _subject_key(space, resident_id))
        return {"certificates": [registry.certificate_json(row) for row in rows]}

    listed = _in_workspace(workspace, as_json, run)

    def human() -> None:
        table = Table(title="certificates 信用证明")
        for column in ("id", "discloses", "issued", "expires", "state"):
            table.add_column(column)
        for c in listed["certificates"]:
            table.add_row(c["id"], c["disclose"], c["issued_at"], c["expires_at"], c["state"])
        out.print(table)

    emit(listed, as_json=as_json, human=human)


@certificate_app.command("revoke")
def revoke_command(
    certificate_id: IdArg, workspace: WorkspaceOpt = None, as_json: JsonOpt = False
) -> None:
    """Revoke a certificate, on its holder's instruction.

    Its status bit is set at once: every verifier who fetches the status list sees it."""

    def run(space: Workspace, _: Issuer) -> dict[str, Any]:
        row = registry.revoke(
            space.store(), certificate_id, subject_key=None, actor="cli", actor_kind="operator"
        )
        return registry.certificate_json(row)

    revoked = _in_workspace(workspace, as_json, run)
    emit(
        revoked,
        as_json=as_json,
        human=lambda: out.print(f"certificate {revoked['id']} revoked at {revoked['revoked_at']}"),
    )


@certificate_app.command("page")
def page_command(
    certificate_id: IdArg,
    out_file: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    lang: Annotated[str, typer.Option(help="en or zh.")] = "en",
    workspace: WorkspaceOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a certificate's printable page, in English or Chinese.

    The page carries a QR code holding the signed credential."""

    def run(space: Workspace, _: Issuer) -> dict[str, Any]:
        if lang not in ("en", "zh"):
            raise InputError(f"--lang {lang!r}: choose en or zh")
        row = registry.find(space.store(), certificate_id)
        assert row.credential is not None  # find() never answers an erased one
        language: Literal["en", "zh"] = "zh" if lang == "zh" else "en"
        out_file.write_text(page_html(row.credential, language), encoding="utf-8")
        return {"id": row.certificate_id, "page": str(out_file), "lang": lang}

    written = _in_workspace(workspace, as_json, run)
    emit(written, as_json=as_json, human=lambda: out.print(f"page written to {written['page']}"))


@certificate_app.command("issuer")
def issuer_command(out_file: OutOpt = None, workspace: WorkspaceOpt = None) -> None:
    """Export the issuer's public keys, for verifiers who check offline.

    The same document GET /v1/certificates/issuer serves."""
    document = _in_workspace(workspace, False, lambda _, issuer: issuer.document())
    if out_file is None:
        emit(document, as_json=True, human=lambda: None)
    else:
        _write(out_file, document)
        err.print(f"issuer document written to {out_file}")


@certificate_app.command("status")
def status_command(
    number: Annotated[int, typer.Argument(help="The status list's number.")] = 1,
    out_file: OutOpt = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Export a whole status list, signed, for verifiers who check offline.

    The same document GET /v1/certificates/status/N serves."""
    document = _in_workspace(
        workspace, False, lambda space, issuer: registry.status_list(space.store(), issuer, number)
    )
    if out_file is None:
        emit(document, as_json=True, human=lambda: None)
    else:
        _write(out_file, document)
        err.print(f"status list {number} written to {out_file}")


@certificate_app.command("rotate-key")
def rotate_command(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """Make a new signing key; certificates signed with the old one keep verifying.

    The old key stops signing at once and its private half is deleted; its public
    half stays published until every certificate it signed has expired."""

    def run(_: Workspace, issuer: Issuer) -> dict[str, Any]:
        key = issuer.keys.rotate()
        return {"key": issuer.key_id(key), "created": key.as_json()["created"]}

    rotated = _in_workspace(workspace, as_json, run)
    emit(rotated, as_json=as_json, human=lambda: out.print(f"new signing key {rotated['key']}"))


@certificate_app.command("verify")
def verify_command(
    certificate_file: Annotated[Path, typer.Argument(help="The certificate (JSON) to check.")],
    issuer: Annotated[
        str | None,
        typer.Option(
            help="The issuer's keys: a file from 'certificate issuer --out' or the issuer's "
            "URL (default: the URL the certificate names).",
            show_default=False,
        ),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option(
            help="The whole status list: a file from 'certificate status --out' or its URL "
            "(default: the URL the certificate names).",
            show_default=False,
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            help="Check as of this moment (ISO 8601, e.g. 2026-05-01T12:00:00Z).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check a certificate without asking the issuer about it; exit 1 if not valid.

    Checks the signature with the issuer's published keys, the validity dates, and
    revocation in the whole status list; prints valid, revoked, expired, disclosed
    and issuer. Whoever checks should confirm that the issuer printed is the one
    they trust."""

    def run() -> dict[str, Any]:
        try:
            text = certificate_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read the certificate {certificate_file} ({exc})") from exc
        credential = parse_document(text, f"certificate {certificate_file}")
        if "@context" not in credential and isinstance(credential.get("credential"), dict):
            raise InputError(
                f"{certificate_file} holds an API answer, not a certificate: save its "
                "'credential' member"
            )
        moment = None
        if at is not None:
            try:
                moment = moment_of(at)
            except ValueError as exc:
                raise InputError(f"--at {at!r}: {exc}; e.g. 2026-05-01T12:00:00Z") from exc
        issuer_source = issuer or _named(credential.get("issuer"), "issuer")
        pointer = credential.get("credentialStatus")
        status_source = status or _named(
            pointer.get("statusListCredential") if isinstance(pointer, dict) else None,
            "status list",
        )
        found = verify(
            credential,
            read_document(issuer_source, "issuer document"),
            read_document(status_source, "status list"),
            at=moment,
        )
        return found.as_json()

    result: dict[str, Any] = guarded(as_json, run)

    def human() -> None:
        verdict = "[bold green]VALID[/]" if result["valid"] else "[bold red]NOT VALID[/]"
        lines = [
            verdict,
            f"issuer {result['issuer']}",
            f"valid {result['valid_from']} to {result['valid_until']}",
            f"revoked: {result['revoked']}  expired: {result['expired']}  "
            f"(status list as of {result['status_as_of']})",
            *(f"- {p}" for p in result["problems"]),
        ]
        out.print(Panel.fit("\n".join(lines), title="certificate"))
        if result["disclosed"]:
            out.print(_claims_table(result["disclosed"], "what it discloses"))

    emit(result, as_json=as_json, human=human)
    if not result["valid"]:
        raise typer.Exit(1)


def _named(value: Any, what: str) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    if not isinstance(value, str):
        raise InputError(f"the certificate names no {what}; give --{what.split()[0]} FILE")
    return value
