"""What a certificate says: the person's choice of disclosure, turned into a W3C
Verifiable Credential 2.0 (unsigned here; :mod:`.proof` signs it).

The person chooses:

- ``tier``: the tier only (``"good"``); no number about the score at all;
- ``band``: the score rounded down to a multiple of 50 (``{"min": 650, "max": 699}``),
  with the tier it implies (every tier boundary is a multiple of 50);
- ``score``: the exact score, with its tier;

and, with a band or a score, the subscores at the same precision; a display name
they type; and how many days it is valid (at most :data:`MAX_DAYS`, as portable
tenant screening reports are). Nothing else about the person is in it: the
subject's ``id`` is a pseudonym made for this one certificate (two verifiers
cannot link two certificates of the same person through it), never the
person's resident ID or subject key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from socialcredit.scorecard.scaling import MAX_SCORE, MIN_SCORE

__all__ = [
    "BAND_WIDTH",
    "CONTEXT",
    "CREDENTIAL_TYPE",
    "MAX_DAYS",
    "CertificateRequest",
    "Disclosure",
    "Standing",
    "band",
    "claims",
    "holder_id",
    "moment_of",
    "stamp",
    "unsigned",
]

MAX_DAYS = 30
BAND_WIDTH = 50
CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "CreditCertificate"

Disclosure = Literal["tier", "band", "score"]


def stamp(moment: dt.datetime) -> str:
    """A moment as credentials write it: UTC to the second, with ``Z`` (a moment
    without a time zone is UTC, as the platform keeps every time).

    >>> stamp(dt.datetime(2026, 3, 1, 9, 30, 15, 999))
    '2026-03-01T09:30:15Z'
    """
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def moment_of(text: str) -> dt.datetime:
    """The moment a credential's date-time stands for, in UTC without a time zone;
    ``ValueError`` when it is not an ISO 8601 date-time with a time zone."""
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return parsed.astimezone(dt.UTC).replace(tzinfo=None)


class CertificateRequest(BaseModel):
    """What the person asks their certificate to show."""

    model_config = ConfigDict(extra="forbid")

    disclose: Disclosure = Field(
        description="tier: the tier only, no number; band: the score rounded down to 50; "
        "score: the exact score"
    )
    subscores: bool = Field(
        default=False,
        description="Also the subscores, at the precision of the score (band or score only)",
    )
    display_name: str | None = Field(
        default=None,
        max_length=80,
        description="The name printed on the certificate, as the person types it (optional)",
    )
    days: int = Field(
        default=MAX_DAYS, ge=1, le=MAX_DAYS, description=f"Days valid, 1 to {MAX_DAYS}"
    )

    @field_validator("display_name")
    @classmethod
    def _clean_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000 for c in value):
            raise ValueError(
                "the display name may not hold control characters or unpaired surrogates"
            )
        return value.strip() or None

    @model_validator(mode="after")
    def _tier_has_no_numbers(self) -> CertificateRequest:
        if self.disclose == "tier" and self.subscores:
            raise ValueError(
                "subscores are numbers and a tier certificate holds none: "
                "disclose band or score to add them"
            )
        return self


@dataclass(frozen=True)
class Standing:
    """The published score a certificate is made from."""

    score: int
    tier: str
    subscores: dict[str, int]
    as_of: str


def band(score: int) -> dict[str, int]:
    """The band of ``score``: rounded down to a multiple of :data:`BAND_WIDTH`.

    >>> band(672), band(950)
    ({'min': 650, 'max': 699}, {'min': 950, 'max': 950})
    """
    low = score // BAND_WIDTH * BAND_WIDTH
    return {"min": low, "max": min(low + BAND_WIDTH - 1, MAX_SCORE)}


def holder_id(subject_key: str, certificate_id: str) -> str:
    """The subject's pseudonym in one certificate: keyed by the subject key, so only
    the platform can tell whose it is, and different in every certificate."""
    digest = hmac.new(subject_key.encode(), certificate_id.encode(), hashlib.sha256).hexdigest()
    return f"urn:socialcredit:holder:{digest[:32]}"


def claims(request: CertificateRequest, standing: Standing, holder: str) -> dict[str, Any]:
    """The ``credentialSubject``: exactly what the person chose to disclose."""
    subject: dict[str, Any] = {"id": holder}
    if request.display_name is not None:
        subject["name"] = request.display_name
    subject["tier"] = standing.tier
    if request.disclose == "band":
        subject["scoreBand"] = band(standing.score)
    elif request.disclose == "score":
        subject["score"] = standing.score
    if request.disclose != "tier":
        subject["scoreRange"] = {"min": MIN_SCORE, "max": MAX_SCORE}
        if request.subscores:
            subject["subscores"] = {
                dimension: band(value) if request.disclose == "band" else value
                for dimension, value in standing.subscores.items()
            }
    subject["scoreAsOf"] = standing.as_of
    return subject


def unsigned(
    *,
    certificate_id: str,
    issuer: str,
    subject: dict[str, Any],
    status: dict[str, Any],
    valid_from: str,
    valid_until: str,
) -> dict[str, Any]:
    """The certificate as a Verifiable Credential, before it is signed."""
    return {
        "@context": [CONTEXT],
        "id": f"urn:uuid:{certificate_id}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": subject,
        "credentialStatus": status,
    }
