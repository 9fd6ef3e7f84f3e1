"""`socialcredit erase` in a demo workspace, which keeps the partner files it ingested
in `feeds/`: afterwards no file of the workspace holds the person's resident ID or
subject key."""

from __future__ import annotations

import csv
from pathlib import Path

from socialcredit.identity import SubjectKeyer, parse
from socialcredit.lake.workspace import DEMO_SECRET
from tests.utils.cli import as_json, run


def test_erase_takes_the_person_out_of_every_file(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    made = run("demo", "--citizens", "300", "--seed", "5", "-w", str(ws), "--json")
    assert made.returncode == 0, made.stderr
    with open(ws / "feeds" / "harbour-bank.payment.csv", encoding="utf-8") as handle:
        person = next(csv.DictReader(handle))["resident_id"]
    number = parse(person).number
    key = SubjectKeyer(DEMO_SECRET).key(number)

    def holding() -> list[str]:
        return [
            str(path.relative_to(ws))
            for path in sorted(ws.rglob("*"))
            if path.is_file()
            and any(n in path.read_bytes() for n in (number.encode(), key.encode()))
        ]

    assert "feeds/harbour-bank.payment.csv" in holding(), "control"
    erased = run("erase", person, "-w", str(ws), "--json")
    assert erased.returncode == 0, erased.stderr
    result = as_json(erased)
    assert result["files"]["rewritten"]["feeds/harbour-bank.payment.csv"] >= 1
    assert result["files"]["left"] == []
    assert holding() == []
