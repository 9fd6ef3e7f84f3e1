"""Certificate routes: a person issues, lists, prints and revokes their credit
certificates (``/v1/me/certificates``, citizen key); anyone fetches the issuer's
public keys and whole status lists (``/v1/certificates/...``, no key), which is
all a verifier needs: no route answers anything about one certificate or one
person without the person's own key.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from socialcredit.api.auth import Citizen
from socialcredit.api.errors import error_responses, json_error_responses
from socialcredit.api.models.base import absent
from socialcredit.api.routes.common import service_state
from socialcredit.errors import NotFoundError
from socialcredit.features import DIMENSIONS
from socialcredit.rights.certificates import CertificateRequest, Issuer, issuer_for, registry
from socialcredit.rights.certificates.page import page_html

__all__ = ["me_router", "public_router"]

NO_STORE = {"Cache-Control": "no-store"}
#: Verifiers must see a revocation or a new key at once: caches revalidate every time.
REVALIDATE = {"Cache-Control": "no-cache"}


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


me_router = APIRouter(
    prefix="/v1/me/certificates",
    tags=["certificates"],
    dependencies=[Depends(_no_store)],
    responses=error_responses(401, 403, 422, 429),
)
public_router = APIRouter(
    prefix="/v1/certificates", tags=["certificates"], responses=error_responses(422)
)


# -- the shapes answered --------------------------------------------------------------------


class _Document(BaseModel):
    """A JSON-LD document: names as the W3C specifications spell them, absent members
    left out (never ``null``: each optional member is declared ``exclude_if=absent``), unknown
    members kept, so that a signed document is
    answered exactly as it was signed."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True, extra="allow")


class Bounds(_Document):
    min: int
    max: int


class CertificateSubject(_Document):
    """What the certificate says about the person: what they chose to disclose."""

    id: str = Field(description="A pseudonym made for this one certificate")
    name: str | None = Field(
        default=None, exclude_if=absent, description="The name the person typed"
    )
    tier: str
    score: int | None = Field(
        default=None, exclude_if=absent, description="With disclose=score only"
    )
    score_band: Bounds | None = Field(
        default=None, exclude_if=absent, alias="scoreBand", description="With disclose=band only"
    )
    score_range: Bounds | None = Field(
        default=None,
        exclude_if=absent,
        alias="scoreRange",
        description="The scale (band or score only)",
    )
    subscores: dict[str, int | Bounds] | None = Field(
        default=None, exclude_if=absent, description="Per dimension, at the precision of the score"
    )
    score_as_of: str = Field(alias="scoreAsOf", description="The date the score was computed")


class StatusEntry(_Document):
    id: str
    type: Literal["BitstringStatusListEntry"]
    status_purpose: str = Field(alias="statusPurpose")
    status_list_index: str = Field(alias="statusListIndex")
    status_list_credential: str = Field(alias="statusListCredential")


class Proof(_Document):
    """A Data Integrity proof, cryptosuite eddsa-jcs-2022."""

    type: Literal["DataIntegrityProof"]
    cryptosuite: str
    created: str
    verification_method: str = Field(alias="verificationMethod")
    proof_purpose: str = Field(alias="proofPurpose")
    context: list[str] | None = Field(default=None, exclude_if=absent, alias="@context")
    proof_value: str = Field(alias="proofValue")


class CreditCertificate(_Document):
    """The signed certificate: a W3C Verifiable Credential 2.0."""

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: str
    valid_from: str = Field(alias="validFrom")
    valid_until: str = Field(alias="validUntil")
    credential_subject: CertificateSubject = Field(alias="credentialSubject")
    credential_status: StatusEntry = Field(alias="credentialStatus")
    proof: Proof


class CertificateSummary(BaseModel):
    id: str
    disclose: Literal["tier", "band", "score"]
    claims: CertificateSubject
    issued_at: str
    expires_at: str
    revoked_at: str | None
    state: Literal["active", "expired", "revoked"]
    status_list: int
    status_index: int


class CertificateOut(CertificateSummary):
    credential: CreditCertificate


class CertificateList(BaseModel):
    certificates: list[CertificateSummary]


class DimensionName(BaseModel):
    en: str
    zh: str


class Preview(_Document):
    """What a certificate issued now would say, and how long it would be valid."""

    credential_subject: CertificateSubject = Field(alias="credentialSubject")
    valid_from: str = Field(alias="validFrom")
    valid_until: str = Field(alias="validUntil")
    dimension_names: dict[str, DimensionName] = Field(
        description="The name of each dimension a subscore may name"
    )


class VerificationMethod(_Document):
    id: str
    type: Literal["Multikey"]
    controller: str
    public_key_multibase: str = Field(alias="publicKeyMultibase")
    expires: str | None = Field(
        default=None, exclude_if=absent, description="Retired keys: when they stop verifying"
    )


class IssuerDocument(_Document):
    """The issuer's controller document: every key that still verifies, current first."""

    context: list[str] = Field(alias="@context")
    id: str
    verification_method: list[VerificationMethod] = Field(alias="verificationMethod")
    assertion_method: list[str] = Field(alias="assertionMethod")


class StatusListSubject(_Document):
    id: str
    type: Literal["BitstringStatusList"]
    status_purpose: str = Field(alias="statusPurpose")
    encoded_list: str = Field(
        alias="encodedList", description="GZIP-compressed bitstring, base64url, multibase u"
    )


class StatusListCredential(_Document):
    """A whole status list, signed: bit i is 1 when the certificate at i is revoked."""

    context: list[str] = Field(alias="@context")
    id: str
    type: list[str]
    issuer: str
    valid_from: str = Field(alias="validFrom")
    credential_subject: StatusListSubject = Field(alias="credentialSubject")
    proof: Proof


# -- the routes -----------------------------------------------------------------------------


def _issuer(request: Request) -> Issuer:
    state = service_state(request)
    return issuer_for(state.workspace.root, state.settings.public_url)


def _subject(caller: Citizen) -> str:
    return caller.subject_key


CertificateId = Annotated[str, Path(max_length=36, description="The certificate's id")]


@me_router.post(
    "", status_code=201, summary="Ask for a certificate", responses=error_responses(404)
)
def issue(body: CertificateRequest, request: Request, caller: Citizen) -> CertificateOut:
    """Signs a certificate of my published score disclosing what I choose: the tier only,
    the score rounded down to 50, or the exact score; optionally the subscores and a
    display name; valid for at most 30 days. It is written to my file's access log."""
    row = registry.issue(
        service_state(request).store,
        _issuer(request),
        _subject(caller),
        body,
        actor=caller.credential_id,
        actor_kind="citizen",
    )
    return CertificateOut.model_validate(registry.certificate_json(row, with_credential=True))


@me_router.post("/preview", summary="What a certificate would show", responses=error_responses(404))
def preview(body: CertificateRequest, request: Request, caller: Citizen) -> Preview:
    """Exactly the claims a certificate issued now with these choices would carry;
    nothing is signed, kept or logged."""
    names = {d.id: {"en": d.name_en, "zh": d.name_zh} for d in DIMENSIONS.values()}
    shown = registry.preview(service_state(request).store, _subject(caller), body)
    return Preview.model_validate(shown | {"dimension_names": names})


@me_router.get("", summary="My certificates")
def mine(request: Request, caller: Citizen) -> CertificateList:
    """Every certificate I asked for, the newest first, with what it discloses and
    whether it is active, expired or revoked."""
    rows = registry.list_for(service_state(request).store, _subject(caller))
    return CertificateList.model_validate(
        {"certificates": [registry.certificate_json(row) for row in rows]}
    )


@me_router.get(
    "/{certificate_id}", summary="One of my certificates", responses=error_responses(404)
)
def one(certificate_id: CertificateId, request: Request, caller: Citizen) -> CertificateOut:
    """The certificate with the signed credential, to download and show."""
    row = registry.find(service_state(request).store, certificate_id, _subject(caller))
    return CertificateOut.model_validate(registry.certificate_json(row, with_credential=True))


@me_router.get(
    "/{certificate_id}/page",
    summary="One of my certificates, to print",
    response_class=HTMLResponse,
    responses={
        200: {"description": "The printable page, with a QR code of the credential (HTML)"},
        # router-level errors would take the page's media type: declared here as JSON
        **json_error_responses(401, 403, 404, 422, 429),
    },
)
def page(
    certificate_id: CertificateId,
    request: Request,
    caller: Citizen,
    lang: Annotated[Literal["en", "zh"], Query(description="en or zh")] = "en",
) -> HTMLResponse:
    """A printable page in English or Chinese with a QR code holding the credential."""
    row = registry.find(service_state(request).store, certificate_id, _subject(caller))
    if row.credential is None:  # only an erased person's certificates lose it
        raise NotFoundError(f"certificate {certificate_id} holds no credential any more")
    return HTMLResponse(page_html(row.credential, lang), headers=NO_STORE)


@me_router.delete(
    "/{certificate_id}", summary="Revoke one of my certificates", responses=error_responses(404)
)
def revoke(certificate_id: CertificateId, request: Request, caller: Citizen) -> CertificateOut:
    """Revoked at once: from now on the status list says so to everyone who checks it."""
    row = registry.revoke(
        service_state(request).store,
        certificate_id,
        subject_key=_subject(caller),
        actor=caller.credential_id,
        actor_kind="citizen",
    )
    return CertificateOut.model_validate(registry.certificate_json(row, with_credential=True))


@public_router.get("/issuer", summary="The issuer's public keys")
def issuer_document(request: Request, response: Response) -> IssuerDocument:
    """The controller document (W3C Controlled Identifiers) with every key that still
    verifies: the current one first, and retired ones until the certificates they signed
    have expired. Verifiers check certificates' signatures with it."""
    response.headers.update(REVALIDATE)
    return IssuerDocument.model_validate(_issuer(request).document())


@public_router.get(
    "/status/{number}", summary="A whole status list", responses=error_responses(404)
)
def status_list(
    number: Annotated[int, Path(ge=1, le=1_000_000, description="The list's number")],
    request: Request,
    response: Response,
) -> StatusListCredential:
    """A Bitstring Status List (131,072 entries), whole and signed: a certificate is
    revoked when its bit is 1. Fetched whole, it never tells the platform which
    certificate is being checked."""
    response.headers.update(REVALIDATE)
    return StatusListCredential.model_validate(
        registry.status_list(service_state(request).store, _issuer(request), number)
    )
