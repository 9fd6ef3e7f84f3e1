"""The issuer's Ed25519 keys, kept in the workspace, and their rotation.

::

    issuer/keys.json          every key's public half (Multikey), when it was made
                              and retired, and which file holds the current private key
    issuer/signing-<n>.pem    the current private key (PKCS #8, readable by the owner only)

Only the current key signs. Rotating makes a new key current and deletes the old
private key; the old public key stays published (:meth:`IssuerKeys.published`)
until every certificate it could have signed has expired (retired + the longest
validity, :data:`~socialcredit.rights.certificates.credential.MAX_DAYS`), so
rotation never invalidates a certificate early. ``keys.json`` is written by
replacing the file, after the new private key is on disk: a crash half way
leaves the old key current, never a key without its private half. Creation and
rotation hold an exclusive lock on ``issuer/.lock``, so the service and the
command line never make two keys at once.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import base58
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from socialcredit.errors import ConfigurationError, InputError
from socialcredit.rights.certificates.credential import MAX_DAYS, moment_of, stamp
from socialcredit.settings import utc_now

__all__ = [
    "KEY_LIFETIME_AFTER_RETIREMENT",
    "IssuerKeys",
    "PublicKey",
    "multikey",
    "public_key_of",
]

#: How long a retired key keeps verifying: the longest a certificate is valid.
KEY_LIFETIME_AFTER_RETIREMENT = dt.timedelta(days=MAX_DAYS)

#: The multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
_ED25519_PUB = b"\xed\x01"


def multikey(public_key: Ed25519PublicKey) -> str:
    """The key as a Multikey ``publicKeyMultibase``: ``z`` + base58btc(0xed01 + 32 bytes)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58.b58encode(_ED25519_PUB + raw).decode("ascii")


def public_key_of(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 key of a Multikey ``publicKeyMultibase``; ``InputError`` if it is not one."""
    if not multibase.startswith("z"):
        raise InputError(f"public key {multibase!r} is not base58btc multibase (starts with z)")
    try:
        decoded = base58.b58decode(multibase[1:])
    except ValueError as exc:
        raise InputError(f"public key {multibase!r} is not valid base58btc") from exc
    if len(decoded) != 34 or not decoded.startswith(_ED25519_PUB):
        raise InputError(f"public key {multibase!r} is not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


@dataclass(frozen=True)
class PublicKey:
    """One issuer key as published: its Multikey, when it was made, when it stopped
    signing (None for the current key) and until when it verifies (UTC)."""

    multibase: str
    created: dt.datetime
    retired: dt.datetime | None

    @property
    def expires(self) -> dt.datetime | None:
        return None if self.retired is None else self.retired + KEY_LIFETIME_AFTER_RETIREMENT

    def as_json(self) -> dict[str, Any]:
        return {
            "public_key_multibase": self.multibase,
            "created": stamp(self.created),
            "retired": None if self.retired is None else stamp(self.retired),
        }


class IssuerKeys:
    """The keys in ``folder`` (``<workspace>/issuer``); the first use makes one."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @property
    def index_path(self) -> Path:
        return self.folder / "keys.json"

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any] | None:
        try:
            index: dict[str, Any] = json.loads(self.index_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise ConfigurationError(
                f"{self.index_path}: unreadable issuer key file ({exc})"
            ) from exc
        return index

    def _write(self, index: dict[str, Any]) -> None:
        staged = self.index_path.with_suffix(".json.new")
        staged.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
        os.replace(staged, self.index_path)

    def _new_private(self, number: int) -> tuple[str, Ed25519PrivateKey]:
        key = Ed25519PrivateKey.generate()
        name = f"signing-{number}.pem"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(self.folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        return name, key

    def _index(self) -> dict[str, Any]:
        """The index, making the first key if there is none."""
        index = self._read()
        if index is not None:
            return index
        with self._locked():
            index = self._read()  # another process may have made it meanwhile
            if index is None:
                name, key = self._new_private(1)
                entry = PublicKey(multikey(key.public_key()), utc_now(whole_seconds=True), None)
                index = {"next": 2, "current_file": name, "keys": [entry.as_json()]}
                self._write(index)
        return index

    def keys(self) -> list[PublicKey]:
        """Every key ever made, the current one first."""
        return [
            PublicKey(
                k["public_key_multibase"],
                moment_of(k["created"]),
                None if k["retired"] is None else moment_of(k["retired"]),
            )
            for k in reversed(self._index()["keys"])
        ]

    def published(self, now: dt.datetime | None = None) -> list[PublicKey]:
        """The keys that still verify at ``now``: the current one and those retired
        less than :data:`KEY_LIFETIME_AFTER_RETIREMENT` ago."""
        moment = now or utc_now()
        return [k for k in self.keys() if k.expires is None or k.expires > moment]

    def signing_key(self) -> tuple[PublicKey, Ed25519PrivateKey]:
        """The current key, public and private."""
        index = self._index()
        path = self.folder / index["current_file"]
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"{path}: unreadable issuer signing key ({exc})") from exc
        if not isinstance(loaded, Ed25519PrivateKey):
            raise ConfigurationError(f"{path}: the issuer signing key is not an Ed25519 key")
        current = self.keys()[0]
        if multikey(loaded.public_key()) != current.multibase:
            raise ConfigurationError(
                f"{path} does not match the current key in {self.index_path}; restore the "
                "issuer folder from a backup, or make a new key: socialcredit certificate "
                "rotate-key"
            )
        return current, loaded

    def rotate(self) -> PublicKey:
        """Make a new current key; the old one stops signing and keeps verifying until
        the certificates it signed have expired. Return the new key."""
        self._index()
        with self._locked():
            index = self._read()
            assert index is not None
            old_file = index["current_file"]
            name, key = self._new_private(int(index["next"]))
            now = utc_now(whole_seconds=True)
            index["keys"][-1]["retired"] = stamp(now)
            entry = PublicKey(multikey(key.public_key()), now, None)
            index["keys"].append(entry.as_json())
            index["next"] = int(index["next"]) + 1
            index["current_file"] = name
            self._write(index)
            # Nothing may sign with the retired key again.
            (self.folder / old_file).unlink(missing_ok=True)
        return entry
