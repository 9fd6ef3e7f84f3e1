"""A record observed in the future (9999-12-31) is rejected by rule at ingestion,
so that scoring still works for everyone afterwards."""

from __future__ import annotations

from pathlib import Path

from tests.utils.cli import LIVE, as_json, run
from tests.utils.records import PERSON_B, row, write_csv


def test_future_observed_date_is_rejected_and_scoring_still_works(tmp_path: Path) -> None:
    feed = write_csv(
        tmp_path / "harbour-bank.payment.csv",
        [
            row("payment", "r1"),
            row("payment", "r2", person=PERSON_B),
            row("payment", "far", observed_date="9999-12-31"),
        ],
    )
    ws = str(tmp_path / "ws")
    registered = run("partners", "add", "harbour-bank", "--name", "H", "--kind", "bank", "-w", ws)
    assert registered.returncode == 0, registered.stderr
    ingested = run("ingest", str(feed), "--partner", "harbour-bank", "-w", ws, "--json", env=LIVE)
    assert ingested.returncode == 0, ingested.stderr
    report = as_json(ingested)
    assert (report["accepted"], report["rejected"]) == (2, 1)
    rejections = Path(report["rejections_file"]).read_text(encoding="utf-8")
    assert "observed_in_future" in rejections
    scored = run("score", "-w", ws, "--json", env=LIVE)
    assert scored.returncode == 0, scored.stderr
    result = as_json(scored)
    assert (result["as_of"], result["subjects"]) == ("2026-02-01", 2)
