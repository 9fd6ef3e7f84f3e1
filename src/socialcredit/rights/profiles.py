"""Jurisdiction profiles: the rules a person's rights follow, by where the
platform runs. A profile sets defaults; any single setting can still be given.

=================  ======================  ======================  =====================
rule               cn                      eu                      us
=================  ======================  ======================  =====================
to read a score    the person's consent    a recorded legal        a permissible
or ask a decision  for that partner and    basis (GDPR Art. 6);    purpose (FCRA 604)
                   purpose (征信业管理条例   consent when that is
                   Art. 18; PIPL Art. 13)  the basis
dispute answered   20 days (条例 Art. 25)   30 days (GDPR          30 days (FCRA 611)
within                                     Art. 12(3))
notice before a    7 working days          none (the person is     none (furnisher
negative record                            told at once)           notice, FCRA 623)
counts
human review of    15 days                 30 days (GDPR Art. 22,  30 days (platform
an adverse                                 Art. 12(3))             rule; ECOA asks
decision                                                           reasons, not review)
records shared     30 days                 30 days                 30 days
with consent kept
after it is
withdrawn
=================  ======================  ======================  =====================

No profile switches on anything the platform does not build (relationship
scores, behaviour scores, cross-domain lists): those are absent everywhere.

>>> PROFILES["us"].consent_required, PROFILES["eu"].legal_basis_required
(False, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["LEGAL_BASES", "PROFILES", "Lawful", "Profile", "ProfileName", "lawful_basis"]

ProfileName = Literal["cn", "eu", "us"]

#: GDPR Art. 6(1) bases a partner may state for reading a credit file.
LEGAL_BASES = ("consent", "contract", "legal_obligation", "legitimate_interests")


@dataclass(frozen=True, kw_only=True)
class Profile:
    name: str
    consent_required: bool
    legal_basis_required: bool
    dispute_deadline_days: int
    notice_working_days: int
    review_deadline_days: int
    #: days records shared with consent (cash flow) are kept after the consent is
    #: withdrawn or expires, before they are erased (they stop counting at once)
    withdrawn_retention_days: int = 30

    def defaults(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("name")
        return values


PROFILES: dict[str, Profile] = {
    "cn": Profile(
        name="cn",
        consent_required=True,
        legal_basis_required=False,
        dispute_deadline_days=20,
        notice_working_days=7,
        review_deadline_days=15,
    ),
    "eu": Profile(
        name="eu",
        consent_required=False,
        legal_basis_required=True,
        dispute_deadline_days=30,
        notice_working_days=0,
        review_deadline_days=30,
    ),
    "us": Profile(
        name="us",
        consent_required=False,
        legal_basis_required=False,
        dispute_deadline_days=30,
        notice_working_days=0,
        review_deadline_days=30,
    ),
}


@dataclass(frozen=True, kw_only=True)
class Lawful:
    """Whether a partner's query may go ahead, and if not, what was missing."""

    ok: bool
    status: int = 200
    code: str = ""
    message: str = ""
    legal_basis: str | None = None


def lawful_basis(
    *,
    consent_required: bool,
    legal_basis_required: bool,
    legal_basis: str | None,
    has_consent: bool,
    partner: str,
    purpose: str,
) -> Lawful:
    """The profile's rule for one query (the purpose is already checked)."""
    if legal_basis is not None and legal_basis not in LEGAL_BASES:
        return Lawful(
            ok=False,
            status=422,
            code="invalid",
            message=f"legal_basis must be one of {', '.join(LEGAL_BASES)}",
        )
    if legal_basis_required and legal_basis is None:
        return Lawful(
            ok=False,
            status=400,
            code="no_legal_basis",
            message="state the legal basis of the query (legal_basis), one of "
            + ", ".join(LEGAL_BASES),
        )
    if (consent_required or legal_basis == "consent") and not has_consent:
        return Lawful(
            ok=False,
            status=403,
            code="no_consent",
            message=f"no consent from this person for {partner} and {purpose}; the person "
            "grants it with POST /v1/me/consents",
        )
    return Lawful(ok=True, legal_basis=legal_basis)
