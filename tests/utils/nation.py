"""A synthetic nation as the tests build it: simulated feeds, every one ingested."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.ingest import BatchReport, ingest_file
from socialcredit.scoring.runs import ScoreRun
from socialcredit.simulate.consents import grant_chosen_consents
from socialcredit.store import Store

SECRET = "test-secret"
NATION_CITIZENS = 3000
NATION_SEED = 11


def ingest_feeds(
    engine: Engine,
    keyer: SubjectKeyer,
    feeds: Path,
    manifest: dict[str, Any],
    rejections: Path,
    *,
    store: Store | None = None,
) -> list[BatchReport]:
    """Ingest every feed a simulated nation wrote, as the demo does: the consents its
    people chose first (when the manifest lists them; in ``store`` too when given, as
    the demo does), so that their bank's cash-flow feed is accepted."""
    grant_chosen_consents(engine, keyer, feeds, manifest, store=store)
    return [
        ingest_file(
            engine,
            keyer,
            feeds / feed["file"],
            partner=feed["partner"],
            category_name=feed["category"],
            rejections_dir=rejections,
        )
        for feed in manifest["feeds"]
    ]


@dataclass
class Nation:
    """A small nation, simulated, ingested and scored once (the ``nation`` fixture)."""

    root: Path
    manifest: dict[str, Any]
    engine: Engine
    keyer: SubjectKeyer
    batches: list[BatchReport]
    run: ScoreRun
