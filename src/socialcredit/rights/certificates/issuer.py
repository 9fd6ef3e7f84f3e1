"""The platform as the issuer of certificates: where it is reached, the document
that publishes its public keys, and signing with its current key.

Everything a verifier needs hangs off the public URL (setting ``public_url``):

- ``{public_url}/v1/certificates/issuer``: the issuer's id, and the controller
  document (W3C Controlled Identifiers) listing every key that still verifies as
  a ``Multikey``; the current key first, retired ones with their ``expires``;
- ``{public_url}/v1/certificates/status/{n}``: status list ``n``, signed.

A key's id is ``{issuer}#{publicKeyMultibase}``, so a proof names the exact key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from socialcredit.rights.certificates import proof
from socialcredit.rights.certificates.credential import stamp
from socialcredit.rights.certificates.keys import IssuerKeys, PublicKey

__all__ = ["CONTROLLER_CONTEXT", "Issuer"]

CONTROLLER_CONTEXT = "https://www.w3.org/ns/cid/v1"


@dataclass(frozen=True)
class Issuer:
    """The issuer at ``public_url`` with the keys in ``keys``."""

    public_url: str
    keys: IssuerKeys

    @property
    def id(self) -> str:
        return f"{self.public_url.rstrip('/')}/v1/certificates/issuer"

    def key_id(self, key: PublicKey) -> str:
        return f"{self.id}#{key.multibase}"

    def status_url(self, number: int) -> str:
        return f"{self.public_url.rstrip('/')}/v1/certificates/status/{number}"

    def document(self, now: dt.datetime | None = None) -> dict[str, Any]:
        """The controller document: every key that verifies at ``now``, current first."""
        methods = []
        for key in self.keys.published(now):
            method = {
                "id": self.key_id(key),
                "type": "Multikey",
                "controller": self.id,
                "publicKeyMultibase": key.multibase,
            }
            if key.expires is not None:
                method["expires"] = stamp(key.expires)
            methods.append(method)
        return {
            "@context": [CONTROLLER_CONTEXT],
            "id": self.id,
            "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
        }

    def sign(self, document: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
        """``document`` with a proof by the current key."""
        current, private = self.keys.signing_key()
        return proof.sign(document, private, self.key_id(current), now)
