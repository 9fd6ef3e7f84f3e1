"""Revocation by Bitstring Status List (W3C Bitstring Status List v1.0).

Each certificate points at one bit of a published list (``credentialStatus``);
the bit is 1 once the certificate is revoked. A verifier fetches the whole list,
so the platform never learns which certificate is being checked; the list has
:data:`LIST_SIZE` entries (16 KB, the specification's minimum for herd privacy)
and certificates get a random free position in it, so the position says nothing
about when or for whom a certificate was issued.

The list travels as ``encodedList``: the bitstring, GZIP-compressed, base64url
without padding, with the multibase prefix ``u``. Index 0 is the left-most bit of
the first byte.

>>> bits = decode(encode({3}))
>>> len(bits) * 8, is_set(bits, 3), is_set(bits, 4)
(131072, True, False)
"""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from typing import Any

from socialcredit.errors import InputError

__all__ = [
    "LIST_SIZE",
    "STATUS_PURPOSE",
    "decode",
    "encode",
    "entry",
    "is_set",
    "list_credential",
]

#: Entries per list: 131,072 bits (16 KB), the specification's minimum.
LIST_SIZE = 131_072
STATUS_PURPOSE = "revocation"
#: The largest bitstring a verifier will inflate (a defence against GZIP bombs).
_MAX_BYTES = 16 * LIST_SIZE // 8


def encode(revoked: Iterable[int], size: int = LIST_SIZE) -> str:
    """The ``encodedList`` of a list of ``size`` bits with the bits ``revoked`` set."""
    bits = bytearray(size // 8)
    for index in revoked:
        if not 0 <= index < size:
            raise InputError(f"status index {index} is outside the list (0-{size - 1})")
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an ``encodedList``; ``InputError`` if it is not one."""
    if not encoded.startswith("u"):
        raise InputError("encodedList is not base64url multibase (it must start with u)")
    text = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # GZIP framing
        bits = inflater.decompress(compressed, _MAX_BYTES + 1)
    except (ValueError, zlib.error) as exc:
        raise InputError(f"encodedList is not GZIP-compressed base64url ({exc})") from exc
    if len(bits) > _MAX_BYTES or not inflater.eof:
        raise InputError("encodedList inflates beyond any status list this platform publishes")
    if len(bits) * 8 < LIST_SIZE:
        raise InputError(
            f"the status list has {len(bits) * 8} entries, fewer than the {LIST_SIZE} "
            "the specification requires"
        )
    return bits


def is_set(bits: bytes, index: int) -> bool:
    """Whether bit ``index`` of ``bits`` is 1."""
    if not 0 <= index < len(bits) * 8:
        raise InputError(f"status index {index} is outside the list (0-{len(bits) * 8 - 1})")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, index: int) -> dict[str, Any]:
    """A certificate's ``credentialStatus``: bit ``index`` of the list at ``list_url``."""
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": STATUS_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(issuer: str, list_url: str, valid_from: str, encoded: str) -> dict[str, Any]:
    """The status list as an unsigned ``BitstringStatusListCredential``."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": STATUS_PURPOSE,
            "encodedList": encoded,
        },
    }
