"""Certificates through the HTTP API, on SQLite and PostgreSQL: a person issues,
lists, prints and revokes their own; a verifier checks one with nothing but the
public issuer document and the whole status list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from socialcredit.identity import parse
from socialcredit.rights.certificates.verify import parse_document, verify
from socialcredit.store import keys
from tests.utils.service import Service

CERTIFICATES = "/v1/me/certificates"


def _public(service: Service, url: str) -> dict[str, Any]:
    """A public document by the URL a certificate names (no key: anyone may fetch it)."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    answer = service.client.get(f"/{path}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-cache"
    document: dict[str, Any] = answer.json()
    return document


def _check(service: Service, credential: dict[str, Any]) -> Any:
    issuer = _public(service, credential["issuer"])
    listing = _public(service, credential["credentialStatus"]["statusListCredential"])
    return verify(credential, issuer, listing)


def _numbers(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_issue_verify_and_revoke(service: Service) -> None:
    me = service.auth(service.citizen)
    issued = service.client.post(
        CERTIFICATES, headers=me, json={"disclose": "tier", "display_name": "Li", "days": 14}
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["cache-control"] == "no-store"
    body = issued.json()
    credential = body["credential"]
    assert body["id"] in credential["id"]
    assert body["state"] == "active"
    assert _numbers(credential) == []  # a tier certificate: no score number at all
    assert set(credential["credentialSubject"]) == {"id", "name", "tier", "scoreAsOf"}

    found = _check(service, credential)
    assert found.valid, found.problems
    assert (found.revoked, found.expired) == (False, False)
    assert found.disclosed == credential["credentialSubject"]
    assert found.issuer == credential["issuer"]

    # One character of the file changed: no longer valid.
    text = json.dumps(credential, ensure_ascii=False, indent=2)
    tampered = text.replace('"name": "Li"', '"name": "Lu"')
    assert tampered != text
    assert not _check(service, parse_document(tampered, "file")).valid

    listed = service.client.get(CERTIFICATES, headers=me)
    assert listed.headers["cache-control"] == "no-store"
    assert [c["id"] for c in listed.json()["certificates"]] == [body["id"]]
    one = service.client.get(f"{CERTIFICATES}/{body['id']}", headers=me)
    assert one.json()["credential"] == credential  # answered exactly as signed

    revoked = service.client.delete(f"{CERTIFICATES}/{body['id']}", headers=me)
    assert revoked.status_code == 200
    assert revoked.headers["cache-control"] == "no-store"
    assert revoked.json()["state"] == "revoked"
    after = _check(service, credential)
    assert (after.valid, after.revoked, after.signature) == (False, True, True)

    report = service.client.get("/v1/me/report", headers=me).json()
    logged = [(a["action"], a["purpose"], a["by"]) for a in report["accesses"]]
    assert ("certificate_issued", "certificate", "citizen") in logged
    assert ("certificate_revoked", "certificate", "citizen") in logged


def test_preview_shows_exactly_what_is_issued(service: Service) -> None:
    me = service.auth(service.citizen)
    choice = {"disclose": "band", "subscores": True, "display_name": "李小明"}
    shown = service.client.post(f"{CERTIFICATES}/preview", headers=me, json=choice)
    assert shown.status_code == 200, shown.text
    assert service.client.get(CERTIFICATES, headers=me).json()["certificates"] == []
    issued = service.client.post(CERTIFICATES, headers=me, json=choice).json()
    without_id = [
        {k: v for k, v in subject.items() if k != "id"}
        for subject in (shown.json()["credentialSubject"], issued["claims"])
    ]
    assert without_id[0] == without_id[1]
    band = without_id[1]["scoreBand"]
    assert band["min"] % 50 == 0
    assert band["max"] in (band["min"] + 49, 950)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"disclose": "tier", "days": 31}, "days"),
        ({"disclose": "score", "days": 0}, "days"),
        ({"disclose": "tier", "subscores": True}, "a tier certificate holds none"),
        ({"disclose": "everything"}, "disclose"),
        ({"disclose": "tier", "resident_id": "x"}, "resident_id"),
    ],
)
def test_refused_requests(service: Service, body: dict[str, Any], message: str) -> None:
    answer = service.client.post(CERTIFICATES, headers=service.auth(service.citizen), json=body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert (error["status"], error["code"]) == (422, "invalid")
    assert message in error["message"]


def test_a_person_sees_and_revokes_only_their_own(service: Service) -> None:
    with service.workspace.store().session() as session, session.begin():
        stranger_key = service.workspace.keyer().key(parse(service.stranger_id).number)
        _, stranger = keys.create_key(session, "citizen", subject_key=stranger_key)
    theirs = service.client.post(
        CERTIFICATES, headers=service.auth(stranger), json={"disclose": "score"}
    ).json()
    me = service.auth(service.citizen)
    for method in ("GET", "DELETE"):
        answer = service.client.request(method, f"{CERTIFICATES}/{theirs['id']}", headers=me)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"
    assert service.client.get(CERTIFICATES, headers=me).json()["certificates"] == []
    assert _check(service, theirs["credential"]).valid


def test_keys_that_may_not(service: Service) -> None:
    assert service.client.get(CERTIFICATES).status_code == 401
    assert service.client.get(CERTIFICATES, headers=service.auth(service.bank)).status_code == 403


def test_printable_page(service: Service) -> None:
    me = service.auth(service.citizen)
    issued = service.client.post(CERTIFICATES, headers=me, json={"disclose": "score"}).json()
    page = service.client.get(f"{CERTIFICATES}/{issued['id']}/page?lang=zh", headers=me)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    assert "信用证明" in page.text
    assert "<svg" in page.text
    assert f"<td>{issued['claims']['score']} " in page.text


def test_status_lists(service: Service) -> None:
    listing = service.client.get("/v1/certificates/status/1")
    assert listing.status_code == 200
    assert listing.json()["credentialSubject"]["type"] == "BitstringStatusList"
    assert service.client.get("/v1/certificates/status/2").status_code == 404
    assert service.client.get("/v1/certificates/status/0").status_code == 422
    issuer = service.client.get("/v1/certificates/issuer").json()
    assert issuer["id"].endswith("/v1/certificates/issuer")
    assert issuer["assertionMethod"] == [m["id"] for m in issuer["verificationMethod"]]


@pytest.mark.parametrize("service", ["sqlite"], indirect=True)
def test_every_certificate_route_declares_its_answer(service: Service) -> None:
    paths = service.client.get("/openapi.json").json()["paths"]
    ours = {p: ops for p, ops in paths.items() if "certificates" in p}
    assert len(ours) == 6
    for path, operations in ours.items():
        for method, operation in operations.items():
            ok = [
                answer
                for status, answer in operation["responses"].items()
                if status.startswith("2")
            ]
            assert ok, f"{method} {path}"
            assert all(a.get("content", {}) for a in ok), f"{method} {path}"
            for answer in ok:
                for media in answer["content"].values():
                    assert media.get("schema"), f"{method} {path}"
