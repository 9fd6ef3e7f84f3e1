"""Credit certificates on a real SQLite store: what each disclosure holds, signing and
verifying, tampering, expiry, revocation through the status list, key rotation,
another issuer's key, the audit log and erasure."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from socialcredit.errors import InputError, NotFoundError
from socialcredit.rights.certificates import CertificateRequest, Issuer, issuer_for, registry
from socialcredit.rights.certificates import status as status_list
from socialcredit.rights.certificates.credential import moment_of
from socialcredit.rights.certificates.keys import public_key_of
from socialcredit.rights.certificates.page import page_html
from socialcredit.rights.certificates.proof import sign
from socialcredit.rights.certificates.verify import parse_document, verify
from socialcredit.store import Store, audit, open_store
from socialcredit.store.erasure import erase_person_from_store
from socialcredit.store.models import AuditEntry, Certificate, PublishedScore

URL = "https://credit.example"
SUBJECT = "ab" * 32
SCORE = 687
SUBSCORES = {"credit_history": 731, "fulfilment": 664, "characteristics": 612}


@dataclass
class Platform:
    root: Path
    store: Store
    issuer: Issuer

    def issue(self, **choices: Any) -> Certificate:
        return registry.issue(
            self.store,
            self.issuer,
            SUBJECT,
            CertificateRequest(**choices),
            actor="citizen-key",
            actor_kind="citizen",
        )

    def check(self, credential: dict[str, Any], at: dt.datetime | None = None) -> Any:
        """Verify as a verifier would: the issuer document and the whole list only."""
        number = int(credential["credentialStatus"]["statusListCredential"].rsplit("/", 1)[1])
        listing = registry.status_list(self.store, self.issuer, number)
        return verify(credential, self.issuer.document(), listing, at=at)


@pytest.fixture
def platform(tmp_path: Path) -> Platform:
    store = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    with store.session() as session, session.begin():
        session.add(
            PublishedScore(
                subject_key=SUBJECT,
                score=SCORE,
                tier="very_good",
                subscores=SUBSCORES,
                reasons=[],
                as_of="2026-03-31",
                scorecard_version="expert-1",
                run_id="r" * 32,
                published_at=dt.datetime(2026, 4, 1),
            )
        )
    yield Platform(tmp_path, store, issuer_for(tmp_path, URL))
    store.dispose()


def _numbers(value: Any) -> list[Any]:
    """Every JSON number anywhere in ``value``."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _numbers(item)]
    if isinstance(value, list):
        return [n for item in value for n in _numbers(item)]
    return []


def test_a_tier_certificate_holds_no_score_number(platform: Platform) -> None:
    credential = platform.issue(disclose="tier", display_name="Li Xiaoming").credential
    assert credential is not None
    assert _numbers(credential) == []  # not one number in the whole document
    subject = credential["credentialSubject"]
    assert set(subject) == {"id", "name", "tier", "scoreAsOf"}
    assert subject["tier"] == "very_good"
    # The only digits about the person are the score's date and the pseudonym.
    assert not any(re.search(r"\d", str(subject[k])) for k in ("name", "tier"))
    for number in (SCORE, *SUBSCORES.values()):
        assert not re.search(rf"\b{number}\b", json.dumps(subject))
    # Nor on the printed page (outside the QR code's drawing).
    text = re.sub(r"<svg.*?</svg>", "", page_html(credential, "en"), flags=re.S)
    assert not re.search(rf"\b{SCORE}\b", text)
    assert platform.check(credential).valid


@pytest.mark.parametrize(
    ("choices", "expected"),
    [
        ({"disclose": "band"}, {"scoreBand": {"min": 650, "max": 699}}),
        ({"disclose": "score"}, {"score": SCORE}),
        (
            {"disclose": "band", "subscores": True},
            {
                "scoreBand": {"min": 650, "max": 699},
                "subscores": {
                    "credit_history": {"min": 700, "max": 749},
                    "fulfilment": {"min": 650, "max": 699},
                    "characteristics": {"min": 600, "max": 649},
                },
            },
        ),
        ({"disclose": "score", "subscores": True}, {"score": SCORE, "subscores": SUBSCORES}),
    ],
)
def test_each_disclosure_holds_what_was_chosen(
    platform: Platform, choices: dict[str, Any], expected: dict[str, Any]
) -> None:
    credential = platform.issue(**choices).credential
    assert credential is not None
    subject = credential["credentialSubject"]
    assert {k: subject[k] for k in expected} == expected
    assert subject["scoreRange"] == {"min": 350, "max": 950}
    assert ("score" in subject) == (choices["disclose"] == "score")
    assert ("scoreBand" in subject) == (choices["disclose"] == "band")
    assert ("subscores" in subject) == bool(choices.get("subscores"))
    assert "name" not in subject
    assert platform.check(credential).valid


def test_the_credential_is_a_w3c_vc_2_with_a_status_entry(platform: Platform) -> None:
    row = platform.issue(disclose="tier", days=7)
    credential = row.credential
    assert credential is not None
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "CreditCertificate"]
    assert credential["id"] == f"urn:uuid:{row.certificate_id}"
    assert credential["issuer"] == f"{URL}/v1/certificates/issuer"
    starts, ends = moment_of(credential["validFrom"]), moment_of(credential["validUntil"])
    assert ends - starts == dt.timedelta(days=7)
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{URL}/v1/certificates/status/1"
    assert int(entry["statusListIndex"]) == row.status_index
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    # The subject is a pseudonym of this certificate, never the subject key.
    assert SUBJECT not in json.dumps(credential)
    other = platform.issue(disclose="tier").credential
    assert other is not None
    assert other["credentialSubject"]["id"] != credential["credentialSubject"]["id"]


def _altered(character: str) -> str:
    if character.isdigit():
        return str((int(character) + 1) % 10)
    if "a" <= character <= "y" or "A" <= character <= "Y":
        return chr(ord(character) + 1)
    return "a" if character in "zZ" else "x"


def test_changing_any_one_character_makes_it_invalid(platform: Platform) -> None:
    credential = platform.issue(disclose="band", subscores=True, display_name="李小明").credential
    assert credential is not None
    issuer = platform.issuer.document()
    listing = registry.status_list(platform.store, platform.issuer, 1)
    text = json.dumps(credential, ensure_ascii=False, indent=2)
    assert verify(parse_document(text, "file"), issuer, listing).valid
    positions = [i for i, c in enumerate(text) if not c.isspace()]
    assert len(positions) > 1000
    for i in positions:
        tampered = text[:i] + _altered(text[i]) + text[i + 1 :]
        try:
            document = parse_document(tampered, "file")
        except InputError:
            continue  # no longer JSON: refused outright
        found = verify(document, issuer, listing)
        assert not found.valid, f"still valid with character {i} ({text[i]!r}) changed"


def test_a_duplicated_name_is_refused() -> None:
    with pytest.raises(InputError, match="twice"):
        parse_document('{"score": 600, "score": 900}', "file")


def test_expiry(platform: Platform) -> None:
    credential = platform.issue(disclose="tier", days=1).credential
    assert credential is not None
    until = moment_of(credential["validUntil"])
    before = platform.check(credential, at=until - dt.timedelta(seconds=1))
    assert (before.valid, before.expired) == (True, False)
    after = platform.check(credential, at=until + dt.timedelta(seconds=1))
    assert (after.valid, after.expired, after.signature) == (False, True, True)
    assert any("expired" in p for p in after.problems)


def test_revocation_shows_in_the_status_list_at_once(platform: Platform) -> None:
    kept = platform.issue(disclose="tier")
    gone = platform.issue(disclose="score")
    assert kept.credential is not None
    assert gone.credential is not None
    assert platform.check(gone.credential).revoked is False
    registry.revoke(
        platform.store,
        gone.certificate_id,
        subject_key=SUBJECT,
        actor="citizen-key",
        actor_kind="citizen",
    )
    found = platform.check(gone.credential)
    assert (found.valid, found.revoked, found.signature) == (False, True, True)
    assert platform.check(kept.credential).revoked is False
    bits = status_list.decode(
        registry.status_list(platform.store, platform.issuer, 1)["credentialSubject"]["encodedList"]
    )
    set_bits = [i for i in range(len(bits) * 8) if status_list.is_set(bits, i)]
    assert set_bits == [gone.status_index]
    assert registry.state_of(registry.find(platform.store, gone.certificate_id)) == "revoked"


def test_only_the_holder_revokes(platform: Platform) -> None:
    row = platform.issue(disclose="tier")
    with pytest.raises(NotFoundError, match="of yours"):
        registry.revoke(
            platform.store,
            row.certificate_id,
            subject_key="cd" * 32,
            actor="another-key",
            actor_kind="citizen",
        )
    assert registry.find(platform.store, row.certificate_id).revoked_at is None


def test_a_rotated_key_verifies_old_certificates_until_they_expire(platform: Platform) -> None:
    old = platform.issue(disclose="tier", days=30).credential
    assert old is not None
    first_key = old["proof"]["verificationMethod"]
    new_key = platform.issuer.keys.rotate()
    new = platform.issue(disclose="tier").credential
    assert new is not None
    assert new["proof"]["verificationMethod"] == platform.issuer.key_id(new_key)
    assert new["proof"]["verificationMethod"] != first_key
    document = platform.issuer.document()
    assert [m["id"] for m in document["verificationMethod"]] == [
        platform.issuer.key_id(new_key),
        first_key,
    ]
    assert "expires" in document["verificationMethod"][1]
    assert platform.check(old).valid
    assert platform.check(new).valid
    # The retired private key is gone: only the new one can sign.
    assert [p.name for p in (platform.root / "issuer").glob("*.pem")] == ["signing-2.pem"]
    # Once the old key expires, so has everything it signed.
    expires = moment_of(document["verificationMethod"][1]["expires"])
    assert expires >= moment_of(old["validUntil"])
    later = expires + dt.timedelta(seconds=1)
    assert not platform.check(old, at=later).valid
    assert platform.issuer.keys.published(later) == [new_key]


def test_a_certificate_from_another_issuer_key_is_invalid(
    platform: Platform, tmp_path: Path
) -> None:
    # Another platform that calls itself by the same address: its own keys.
    impostor = issuer_for(tmp_path / "elsewhere", URL)
    genuine = platform.issue(disclose="score").credential
    assert genuine is not None
    unsigned = {k: v for k, v in genuine.items() if k != "proof"} | {
        "credentialSubject": genuine["credentialSubject"] | {"score": 950}
    }
    _, key = impostor.keys.signing_key()
    # Signed by another key, under the name of the platform's own key...
    forged = sign(unsigned, key, genuine["proof"]["verificationMethod"], dt.datetime.now(dt.UTC))
    found = platform.check(forged)
    assert (found.valid, found.signature) == (False, False)
    assert any("signature does not match" in p for p in found.problems)
    # ...or under its own key's name, which the platform does not publish.
    own = impostor.sign(unsigned, dt.datetime.now(dt.UTC))
    found = platform.check(own)
    assert (found.valid, found.signature) == (False, False)
    assert any("does not publish" in p for p in found.problems)


def test_a_status_list_must_be_the_one_named_and_signed(platform: Platform) -> None:
    credential = platform.issue(disclose="tier").credential
    assert credential is not None
    listing = registry.status_list(platform.store, platform.issuer, 1)
    doctored = listing | {
        "credentialSubject": listing["credentialSubject"]
        | {"encodedList": status_list.encode(range(status_list.LIST_SIZE))}
    }
    found = verify(credential, platform.issuer.document(), doctored)
    assert not found.valid
    assert found.revoked is None
    assert any("status list's proof fails" in p for p in found.problems)
    wrong = listing | {"id": f"{URL}/v1/certificates/status/2"}
    assert not verify(credential, platform.issuer.document(), wrong).valid


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ({"disclose": "tier", "days": 31}, "less than or equal to 30"),
        ({"disclose": "tier", "days": 0}, "greater than or equal to 1"),
        ({"disclose": "tier", "subscores": True}, "a tier certificate holds none"),
        ({"disclose": "address"}, "'tier', 'band' or 'score'"),
        ({"disclose": "tier", "display_name": "a\x00b"}, "control characters"),
        ({"disclose": "tier", "birthday": "1990-01-01"}, "Extra inputs are not permitted"),
    ],
)
def test_refused_choices(choices: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        CertificateRequest(**choices)


def test_no_published_score_no_certificate(platform: Platform) -> None:
    with pytest.raises(NotFoundError, match="no published score"):
        registry.issue(
            platform.store,
            platform.issuer,
            "ef" * 32,
            CertificateRequest(disclose="tier"),
            actor="cli",
            actor_kind="operator",
        )


def test_issuing_and_revoking_are_in_the_audit_log(platform: Platform) -> None:
    row = platform.issue(disclose="band", days=10)
    registry.revoke(
        platform.store, row.certificate_id, subject_key=None, actor="cli", actor_kind="operator"
    )
    with platform.store.session() as session:
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.subject_key == SUBJECT).order_by(AuditEntry.seq)
        ).scalars()
        logged = [(e.action, e.purpose, e.actor_kind, e.detail) for e in entries]
        assert audit.verify(session).ok
    assert logged == [
        (
            "certificate_issued",
            "certificate",
            "citizen",
            {
                "certificate_id": row.certificate_id,
                "disclose": "band",
                "subscores": False,
                "days": 10,
            },
        ),
        ("certificate_revoked", "certificate", "operator", {"certificate_id": row.certificate_id}),
    ]


def test_erasure_revokes_and_forgets(platform: Platform) -> None:
    row = platform.issue(disclose="score")
    assert row.credential is not None
    removed = erase_person_from_store(platform.store, SUBJECT, actor="cli")
    assert removed["certificates"] == 1
    with platform.store.session() as session:
        kept = session.get(Certificate, row.certificate_id)
        assert kept is not None
        assert (kept.subject_key, kept.claims, kept.credential) == (None, None, None)
        assert kept.revoked_at is not None
    # A copy in someone's hands no longer verifies...
    assert platform.check(row.credential).revoked is True
    # ...and the platform no longer answers anything about it.
    with pytest.raises(NotFoundError):
        registry.find(platform.store, row.certificate_id)


def test_positions_are_random_and_distinct(platform: Platform) -> None:
    rows = [platform.issue(disclose="tier") for _ in range(12)]
    indices = [r.status_index for r in rows]
    assert len(set(indices)) == len(indices)
    assert all(0 <= i < status_list.LIST_SIZE for i in indices)
    assert indices != sorted(indices)  # not handed out in order (1 in 12! by chance)


def test_the_issuer_key_is_kept_private(platform: Platform) -> None:
    platform.issue(disclose="tier")
    (pem,) = (platform.root / "issuer").glob("*.pem")
    assert pem.stat().st_mode & 0o077 == 0
    document = platform.issuer.document()
    (method,) = document["verificationMethod"]
    public_key_of(method["publicKeyMultibase"])  # an Ed25519 Multikey
    assert method["id"] == f"{URL}/v1/certificates/issuer#{method['publicKeyMultibase']}"


@settings(max_examples=60, deadline=None)
@given(st.sets(st.integers(min_value=0, max_value=status_list.LIST_SIZE - 1), max_size=50))
def test_status_lists_round_trip(revoked: set[int]) -> None:
    bits = status_list.decode(status_list.encode(revoked))
    assert len(bits) * 8 == status_list.LIST_SIZE
    assert {i for i in revoked if status_list.is_set(bits, i)} == revoked
    assert sum(bin(b).count("1") for b in bits) == len(revoked)


def test_a_short_or_inflated_status_list_is_refused() -> None:
    with pytest.raises(InputError, match="fewer than"):
        status_list.decode(status_list.encode([], size=8 * 1024))
    with pytest.raises(InputError, match="beyond"):
        status_list.decode(status_list.encode([], size=status_list.LIST_SIZE * 32))
