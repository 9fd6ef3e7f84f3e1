"""Credit certificates: a W3C Verifiable Credential 2.0 a person asks for, disclosing
what they choose (tier, band or score), signed by the platform, and checked by
whoever they show it to without asking the platform about them.

::

    credential.py   what the person chose -> the credential's claims (unsigned)
    proof.py        Data Integrity proof, cryptosuite eddsa-jcs-2022 (JCS + Ed25519)
    keys.py         the issuer's Ed25519 keys in the workspace, and their rotation
    issuer.py       the issuer's URLs, its published key document, signing
    status.py       revocation by Bitstring Status List (16 KB lists, random positions)
    registry.py     issuing, listing and revoking in the store; status lists; the audit log
    verify.py       offline verification from the issuer document and the whole list
    page.py         the printable page (Chinese or English) with the credential as a QR code
"""

from __future__ import annotations

from pathlib import Path

from socialcredit.rights.certificates.credential import MAX_DAYS, CertificateRequest
from socialcredit.rights.certificates.issuer import Issuer
from socialcredit.rights.certificates.keys import IssuerKeys
from socialcredit.rights.certificates.verify import Verification, verify

__all__ = [
    "MAX_DAYS",
    "CertificateRequest",
    "Issuer",
    "IssuerKeys",
    "Verification",
    "issuer_for",
    "verify",
]


def issuer_for(workspace_root: Path, public_url: str) -> Issuer:
    """The issuer of the workspace at ``workspace_root``, reached at ``public_url``."""
    return Issuer(public_url, IssuerKeys(workspace_root / "issuer"))
