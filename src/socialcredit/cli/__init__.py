"""The ``socialcredit`` command line.

Exit status: 0 done; 1 engine or internal failure; 2 input refused (bad file,
forbidden data, bad value); 3 configuration (missing secret, bad engine URL);
4 not found (no such person or run).
"""

from __future__ import annotations

import typer

from socialcredit.cli.audit import audit_app
from socialcredit.cli.certificate import certificate_app
from socialcredit.cli.demo import demo_command
from socialcredit.cli.erase import erase_command
from socialcredit.cli.fairness import fairness_command
from socialcredit.cli.ingest import ingest_command
from socialcredit.cli.model import app as model_app
from socialcredit.cli.report import report_command
from socialcredit.cli.schema import schema_command
from socialcredit.cli.score import score_command
from socialcredit.cli.service import (
    disputes_app,
    keys_app,
    partners_app,
    publish_command,
    serve_command,
)
from socialcredit.cli.simulate import simulate_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="socialcredit",
    help="Credit records in, explained 350-950 scores out. Start with: socialcredit demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Click's plain help: flags shown as flags (not "--json <bool>"), and help text
    # reflowed to the terminal (up to 120 columns) instead of keeping the source's
    # line breaks.
    rich_markup_mode=None,
    context_settings={"max_content_width": 120},
)
app.command("demo")(demo_command)
app.command("simulate")(simulate_command)
app.command("ingest")(ingest_command)
app.command("score")(score_command)
app.command("report")(report_command)
app.command("schema")(schema_command)
app.command("fairness")(fairness_command)
app.command("erase")(erase_command)
app.add_typer(model_app, name="model")
app.command("publish")(publish_command)
app.command("serve")(serve_command)
app.add_typer(partners_app, name="partners")
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")
app.add_typer(disputes_app, name="disputes")
app.add_typer(certificate_app, name="certificate")


def main() -> None:
    app()
