"""Pseudonymous subject keys: keyed HMAC-SHA256 of the resident identity number.

The raw number never reaches the lake. Keys are the first 128 bits (32 hex
characters) of HMAC-SHA256 (truncation as allowed by RFC 2104 section 5); at
1.4 billion subjects the chance of any collision is about n^2 / 2^129 = 3e-21.

The same key is computed two ways that must agree: :meth:`SubjectKeyer.key` in
Python for one subject, and :meth:`SubjectKeyer.sql` as an engine expression for
bulk input (HMAC written out from its definition, H(K^opad || H(K^ipad || m)),
with only SHA-256, hex and concatenation, which every engine has).
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["KEY_HEX_LENGTH", "SubjectKeyer"]

KEY_HEX_LENGTH = 32
_BLOCK = 64  # SHA-256 block size in bytes


class SubjectKeyer:
    """Turns resident identity numbers into subject keys with one secret.

    >>> len(SubjectKeyer("s3cret").key("11010519491231002X"))
    32
    """

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the subject key secret must not be empty")
        self._secret = secret.encode("utf-8")
        block_key = self._secret
        if len(block_key) > _BLOCK:
            block_key = hashlib.sha256(block_key).digest()
        block_key = block_key.ljust(_BLOCK, b"\0")
        self._ipad_hex = bytes(b ^ 0x36 for b in block_key).hex()
        self._opad_hex = bytes(b ^ 0x5C for b in block_key).hex()

    def key(self, resident_id: str) -> str:
        """Subject key of one (already normalised) resident identity number."""
        digest = hmac.new(self._secret, resident_id.encode("utf-8"), hashlib.sha256)
        return digest.hexdigest()[:KEY_HEX_LENGTH]

    def sql(self, column: str) -> str:
        """Engine expression computing :meth:`key` of a VARCHAR column."""
        inner = f"sha256(unhex('{self._ipad_hex}') || encode({column}))"
        outer = f"sha256(unhex('{self._opad_hex}') || unhex({inner}))"
        return f"substr({outer}, 1, {KEY_HEX_LENGTH})"

    def fingerprint(self) -> str:
        """A public value that identifies the secret without revealing it.

        Stored in the workspace so that a run with a different secret (which
        would silently split every person in two) is refused.
        """
        return self.key("socialcredit:fingerprint")
