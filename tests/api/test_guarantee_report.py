"""A person's report over the API shows their guarantees and the guarantees dimension,
and never the key of the person or firm they signed for."""

from __future__ import annotations

from socialcredit.ingest import ingest_file
from tests.utils.records import ORGANISATION, row, write_csv
from tests.utils.service import Service


def test_the_report_shows_guarantees_without_the_other_party(service: Service) -> None:
    signed = row(
        "guarantee",
        "api-g1",
        service.citizen_id,
        principal_kind="organisation",
        principal_id=ORGANISATION,
    )
    ingest_file(
        service.workspace.engine(),
        service.workspace.keyer(),
        write_csv(service.root / "guarantee.csv", [signed]),
        partner="harbour-bank",
        category_name="guarantee",
        rejections_dir=service.root,
    )
    mine = service.client.get("/v1/me/report", headers=service.auth(service.citizen))
    assert mine.status_code == 200, mine.text
    report = mine.json()
    assert "guarantees" in report["subscores"]
    [guarantee] = report["records"]["guarantee"]
    assert guarantee["record_id"] == "api-g1"
    assert guarantee["principal_kind"] == "organisation"
    assert not {"principal_key", "principal_id"} & set(guarantee)
    assert ORGANISATION not in mine.text
