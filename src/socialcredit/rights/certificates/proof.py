"""Data Integrity proofs with the ``eddsa-jcs-2022`` cryptosuite (W3C Data Integrity
EdDSA Cryptosuites v1.0), over plain JSON documents.

Signing a document::

    proof config   = {type: DataIntegrityProof, cryptosuite: eddsa-jcs-2022, created,
                      verificationMethod, proofPurpose: assertionMethod,
                      @context: the document's @context}
    hash data      = SHA-256(JCS(proof config)) || SHA-256(JCS(document without proof))
    proofValue     = "z" + base58btc(Ed25519 signature of the hash data)

JCS is the JSON Canonicalization Scheme (RFC 8785, the ``rfc8785`` package), so
the signature covers the document's meaning, not its whitespace or key order;
every value and every proof option is covered, only ``proofValue`` itself is
not. Ed25519 is the ``cryptography`` package's. The output verifies with the
specification's own test vector (checked when this module was written).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from socialcredit.rights.certificates.credential import stamp

__all__ = ["CRYPTOSUITE", "PROOF_PURPOSE", "PROOF_TYPE", "ProofError", "sign", "verify"]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"


class ProofError(Exception):
    """Why a document's proof does not verify (the message says it plainly)."""


def _hash_data(document: Mapping[str, Any], config: Mapping[str, Any]) -> bytes:
    try:
        canonical_config = rfc8785.dumps(dict(config))
        canonical_document = rfc8785.dumps(dict(document))
    except rfc8785.CanonicalizationError as exc:
        raise ProofError(f"the document cannot be canonicalised (JCS): {exc}") from exc
    return hashlib.sha256(canonical_config).digest() + hashlib.sha256(canonical_document).digest()


def sign(
    document: Mapping[str, Any],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
) -> dict[str, Any]:
    """``document`` with a ``proof`` by ``key``, named ``verification_method``."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    config: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    signature = key.sign(_hash_data(unsecured, config))
    return unsecured | {
        "proof": config | {"proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    }


def verify(document: Mapping[str, Any], public_key: Ed25519PublicKey) -> None:
    """Check ``document``'s proof with ``public_key``; raise :class:`ProofError` saying
    what is wrong, return None when it verifies."""
    proof = document.get("proof")
    if not isinstance(proof, dict):
        raise ProofError("the document has no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError(
            f"the proof is {proof.get('type')!r}/{proof.get('cryptosuite')!r}, "
            f"expected {PROOF_TYPE}/{CRYPTOSUITE}"
        )
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        raise ProofError(f"the proof's purpose is {proof.get('proofPurpose')!r}, not assertion")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof value is not base58btc multibase")
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as exc:
        raise ProofError("the proof value is not valid base58btc") from exc
    config = {name: item for name, item in proof.items() if name != "proofValue"}
    unsecured = {name: item for name, item in document.items() if name != "proof"}
    if "@context" in config and config["@context"] != unsecured.get("@context"):
        raise ProofError("the proof's @context differs from the document's")
    try:
        public_key.verify(signature, _hash_data(unsecured, config))
    except InvalidSignature as exc:
        raise ProofError("the signature does not match the document") from exc
