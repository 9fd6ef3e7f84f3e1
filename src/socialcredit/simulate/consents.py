"""The nation's people grant the consents they chose: each person who lets their bank
share their cash flow (``consents/<purpose>.csv`` of the nation) grants that consent
through the Python API (:func:`socialcredit.rights.consents.grant_sharing_consents`),
as they would through the citizen API, before the bank's feed arrives.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from socialcredit.engines import Engine
from socialcredit.identity import SubjectKeyer
from socialcredit.rights.consents import MAX_SHARING_DAYS, grant_sharing_consents
from socialcredit.store import Store

__all__ = ["grant_chosen_consents"]


def grant_chosen_consents(
    lake: Engine,
    keyer: SubjectKeyer,
    feeds: Path,
    manifest: dict[str, Any],
    *,
    store: Store | None,
    actor: str = "demo",
) -> int:
    """Grant, for the longest a consent lasts, every consent listed in the nation's
    manifest (``consents``); returns how many. Resident IDs are keyed in the engine, as
    at ingestion, and never written to the lake."""
    chosen = manifest.get("consents")
    if not chosen:
        return 0
    people = pacsv.read_csv(
        feeds / chosen["file"],
        convert_options=pacsv.ConvertOptions(
            column_types={"resident_id": pa.string(), "partner_id": pa.string()}
        ),
    )
    lake.create_table_from_arrow("_chosen_consents", people, temporary=True)
    try:
        grants = lake.query(
            "key consents",
            f"SELECT {keyer.sql('c.resident_id')} AS subject_key, c.partner_id "
            "FROM _chosen_consents c",
        )
    finally:
        lake.execute("clean up", "DROP TABLE IF EXISTS _chosen_consents")
    return grant_sharing_consents(
        lake,
        grants,
        purpose=str(chosen["purpose"]),
        days=MAX_SHARING_DAYS,
        actor=actor,
        store=store,
    )
