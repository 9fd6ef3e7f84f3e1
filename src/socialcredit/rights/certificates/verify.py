"""Checking a certificate with nothing but public documents: the issuer's
controller document (its keys) and the whole status list the certificate points
at. Both can be files exported earlier or fetched from the issuer's public URLs;
neither request names the certificate or the person, so the platform cannot
learn who checked whose certificate.

A certificate is ``valid`` when all of these hold:

1. it is a W3C Verifiable Credential of type ``CreditCertificate`` issued by the
   issuer whose document is given;
2. its proof (``eddsa-jcs-2022``) verifies with a key that document publishes for
   assertions and that has not expired;
3. the moment of checking lies between ``validFrom`` and ``validUntil``;
4. the status list it points at is that issuer's, signed by it, and the
   certificate's bit in it is 0 (not revoked).

Any change to the file's content (a claim, a date, the status pointer, the
proof) breaks 2.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from socialcredit.errors import InputError
from socialcredit.rights.certificates import proof, status
from socialcredit.rights.certificates.credential import CONTEXT, CREDENTIAL_TYPE, moment_of
from socialcredit.rights.certificates.keys import public_key_of
from socialcredit.settings import utc_now

__all__ = ["Verification", "parse_document", "read_document", "verify"]

#: The largest document read from a file or URL (a status list is a few hundred bytes).
_MAX_DOCUMENT = 1 << 20


@dataclass
class Verification:
    """What checking a certificate found; ``problems`` says why it is not valid."""

    valid: bool
    signature: bool
    revoked: bool | None
    expired: bool | None
    disclosed: dict[str, Any] | None
    issuer: str | None
    key: str | None
    valid_from: str | None
    valid_until: str | None
    status_list: str | None
    status_as_of: str | None
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            # Two values for one name read differently by different parsers: refuse.
            raise InputError(f"the document names {name!r} twice")
        seen[name] = value
    return seen


def parse_document(text: str, what: str) -> dict[str, Any]:
    """A JSON object from ``text``, refusing duplicate names; ``what`` names it in errors."""
    try:
        parsed = json.loads(text, object_pairs_hook=_no_duplicates)
    except ValueError as exc:
        raise InputError(f"{what} is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise InputError(f"{what} is not a JSON object")
    return parsed


def read_document(source: str, what: str) -> dict[str, Any]:
    """The JSON document at ``source``: an ``http(s)://`` URL fetched whole, or a file."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                body: bytes = answer.read(_MAX_DOCUMENT + 1)
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(
                f"{what}: could not fetch {source} ({exc}); give a file exported earlier instead"
            ) from exc
    else:
        try:
            with open(Path(source), "rb") as handle:
                body = handle.read(_MAX_DOCUMENT + 1)
        except OSError as exc:
            raise InputError(f"{what}: cannot read {source} ({exc.strerror})") from exc
    if len(body) > _MAX_DOCUMENT:
        raise InputError(f"{what}: {source} is larger than any such document (1 MB)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what}: {source} is not UTF-8 text") from exc
    return parse_document(text, f"{what} {source}")


def _moment(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise InputError(f"{name} is missing")
    try:
        return moment_of(value)
    except ValueError as exc:
        raise InputError(f"{name} {value!r} is not a date and time with a time zone") from exc


def _types(document: dict[str, Any]) -> list[Any]:
    kinds = document.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def _issuer_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _check_proof(document: dict[str, Any], issuer: dict[str, Any], at: dt.datetime) -> str:
    """Verify ``document``'s proof with a key ``issuer`` publishes; return the key's id.
    Raise ``InputError`` or :class:`~.proof.ProofError` saying what is wrong."""
    proof_value = document.get("proof")
    method_id = proof_value.get("verificationMethod") if isinstance(proof_value, dict) else None
    if not isinstance(method_id, str):
        raise InputError("it names no verification method")
    assertion = issuer.get("assertionMethod")
    listed = issuer.get("verificationMethod")
    methods = [m for m in listed if isinstance(m, dict)] if isinstance(listed, list) else []
    method = next((m for m in methods if m.get("id") == method_id), None)
    if method is None or not isinstance(assertion, list) or method_id not in assertion:
        raise InputError(f"it is signed with {method_id}, which the issuer does not publish")
    if method.get("controller") != issuer.get("id") or method.get("type") != "Multikey":
        raise InputError(f"the issuer's key {method_id} is not its own Multikey")
    for limit in ("expires", "revoked"):
        if limit in method and _moment(method[limit], f"key {limit}") <= at:
            raise InputError(f"the issuer's key {method_id} {limit} at {method[limit]}")
    proof.verify(document, public_key_of(str(method.get("publicKeyMultibase"))))
    return method_id


def _revoked(
    credential: dict[str, Any], issuer: dict[str, Any], listing: dict[str, Any], at: dt.datetime
) -> tuple[bool, str | None]:
    """Whether the certificate's bit in ``listing`` is set, and the list's date."""
    pointer = credential.get("credentialStatus")
    if not isinstance(pointer, dict) or pointer.get("type") != "BitstringStatusListEntry":
        raise InputError("the certificate has no Bitstring Status List entry")
    if pointer.get("statusPurpose") != status.STATUS_PURPOSE:
        raise InputError(f"its status entry is for {pointer.get('statusPurpose')!r}")
    if listing.get("id") != pointer.get("statusListCredential"):
        raise InputError(
            f"the status list given is {listing.get('id')!r}; the certificate's is "
            f"{pointer.get('statusListCredential')!r}"
        )
    if _issuer_of(listing) != issuer.get("id"):
        raise InputError("the status list is not the issuer's")
    if "BitstringStatusListCredential" not in _types(listing):
        raise InputError("the status list is not a BitstringStatusListCredential")
    try:
        _check_proof(listing, issuer, at)
    except proof.ProofError as exc:
        raise InputError(f"the status list's proof fails: {exc}") from exc
    subject = listing.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("statusPurpose") != status.STATUS_PURPOSE:
        raise InputError("the status list is not a revocation list")
    raw_index = pointer.get("statusListIndex")
    if not isinstance(raw_index, str) or not raw_index.isdigit():
        raise InputError(f"the status index {raw_index!r} is not a number")
    bits = status.decode(str(subject.get("encodedList")))
    as_of = listing.get("validFrom")
    return status.is_set(bits, int(raw_index)), as_of if isinstance(as_of, str) else None


def verify(
    credential: dict[str, Any],
    issuer: dict[str, Any],
    status_list: dict[str, Any],
    *,
    at: dt.datetime | None = None,
) -> Verification:
    """Check ``credential`` against the ``issuer``'s document and the whole
    ``status_list`` it points at, at the moment ``at`` (UTC; default: now)."""
    moment = utc_now() if at is None else at
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    problems: list[str] = []
    subject = credential.get("credentialSubject")
    pointer = credential.get("credentialStatus")
    found = Verification(
        valid=False,
        signature=False,
        revoked=None,
        expired=None,
        disclosed=subject if isinstance(subject, dict) else None,
        issuer=_issuer_of(credential),
        key=None,
        valid_from=credential.get("validFrom"),
        valid_until=credential.get("validUntil"),
        status_list=pointer.get("statusListCredential") if isinstance(pointer, dict) else None,
        status_as_of=None,
        problems=problems,
    )
    context = credential.get("@context")
    if not isinstance(context, list) or not context or context[0] != CONTEXT:
        problems.append(f"not a W3C Verifiable Credential 2.0 (@context must start {CONTEXT})")
    if CREDENTIAL_TYPE not in _types(credential):
        problems.append(f"not a {CREDENTIAL_TYPE}")
    if found.issuer != issuer.get("id"):
        problems.append(
            f"issued by {found.issuer!r}, but the issuer document given is {issuer.get('id')!r}'s"
        )
    else:
        try:
            found.key = _check_proof(credential, issuer, moment)
            found.signature = True
        except (InputError, proof.ProofError) as exc:
            problems.append(f"the signature does not verify: {exc}")
    try:
        starts = _moment(credential.get("validFrom"), "validFrom")
        ends = _moment(credential.get("validUntil"), "validUntil")
        found.expired = moment > ends
        if moment < starts:
            problems.append(f"not valid before {found.valid_from}")
        if found.expired:
            problems.append(f"expired at {found.valid_until}")
    except InputError as exc:
        problems.append(str(exc))
    try:
        found.revoked, found.status_as_of = _revoked(credential, issuer, status_list, moment)
        if found.revoked:
            problems.append("revoked by its holder")
    except (InputError, proof.ProofError) as exc:
        problems.append(f"revocation could not be checked: {exc}")
    found.valid = not problems
    return found
