"""Anchors of the audit chain: signed checkpoints of its head, kept outside the store.

The hash chain (:mod:`socialcredit.store.audit`) detects an entry altered,
inserted or deleted by someone who does not recompute the hashes after it. Whoever
can write to the store can recompute them: delete the last entries and move the
head back, or edit an entry and rehash everything after it, and the chain still
verifies. An anchor pins the head at one moment::

    {"seq": 1042, "head": "<entry_hash of entry 1042>", "at": "2026-12-01T10:00:00Z",
     "key_id": "<16 hex>", "prev": "<SHA-256 of the previous line>", "signature": "<hex>"}

signed with the operator's Ed25519 key, which is never kept in the store or the
workspace, and appended as one JSON line to an anchors file that should live
elsewhere (append-only storage). Verifying against the anchors then fails when
the log ends before an anchored entry (truncation), when an anchored entry's hash
differs (a rewrite of it or of anything before it), and when a line is not
signed by the operator's key or the lines do not follow one another (a forged,
edited, removed or reordered anchor).

What anchors cannot see: a change after the last anchor that keeps the chain
consistent (everything after it recomputed); and such a change made before the
next anchor is taken is vouched for by that anchor. How often anchors are taken
bounds the window; docs/audit.md says it precisely.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from socialcredit.errors import ConfigurationError, InputError
from socialcredit.store.audit import GENESIS
from socialcredit.store.models import AuditEntry, AuditHead

__all__ = [
    "Anchor",
    "AnchorCheck",
    "chain_head",
    "check_anchors",
    "generate_key",
    "key_id",
    "load_private_key",
    "load_public_key",
    "read_anchors",
    "write_anchor",
]

#: Signed before the body, so that an anchor's signature is good for nothing else.
_DOMAIN = b"socialcredit audit anchor v1\n"


@dataclass(frozen=True)
class Anchor:
    """One line of the anchors file."""

    seq: int
    head: str
    at: str
    key_id: str
    prev: str
    signature: str

    def body(self) -> bytes:
        """What the signature covers: every field but the signature, canonical JSON."""
        fields = asdict(self)
        fields.pop("signature")
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


def _line_hash(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


def key_id(public: Ed25519PublicKey) -> str:
    """The first 16 hex characters of SHA-256 of the raw public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def generate_key(path: Path) -> Ed25519PublicKey:
    """Write a new Ed25519 private key to ``path`` (PEM, PKCS#8, mode 0600) and its
    public key next to it (``path`` + ``.pub``); refuse to overwrite either."""
    public_path = path.with_name(path.name + ".pub")
    for target in (path, public_path):
        if target.exists():
            raise InputError(f"{target} exists; choose another path (keys are never overwritten)")
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = private.public_key()
    public_path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return public


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"{what} {path}: no such file") from None
    except OSError as exc:
        raise ConfigurationError(f"{what} {path}: cannot be read ({exc.strerror})") from None


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The operator's signing key: an unencrypted PEM Ed25519 private key."""
    try:
        key = serialization.load_pem_private_key(_read(path, "audit key"), password=None)
    except (ValueError, TypeError) as exc:
        raise ConfigurationError(
            f"audit key {path}: not an unencrypted PEM private key ({exc}); make one with "
            "`socialcredit audit keygen`"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigurationError(f"audit key {path}: an Ed25519 key is needed")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A PEM Ed25519 public key, or the public half of a PEM private key."""
    data = _read(path, "public key")
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise ConfigurationError(f"public key {path}: not a PEM public key ({exc})") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigurationError(f"public key {path}: an Ed25519 key is needed")
    return key


@dataclass(frozen=True)
class _Line:
    number: int
    text: str
    anchor: Anchor | None
    problem: str | None


def _parse(number: int, text: str) -> _Line:
    try:
        fields = json.loads(text)
        anchor = Anchor(
            seq=int(fields["seq"]),
            head=str(fields["head"]),
            at=str(fields["at"]),
            key_id=str(fields["key_id"]),
            prev=str(fields["prev"]),
            signature=str(fields["signature"]),
        )
    except (ValueError, KeyError, TypeError):
        return _Line(number, text, None, "not an anchor (unreadable JSON or missing fields)")
    return _Line(number, text, anchor, None)


def _lines(path: Path) -> list[_Line]:
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"anchors file {path}: cannot be read ({exc})") from None
    return [_parse(n, text) for n, text in enumerate(content.splitlines(), start=1) if text]


def read_anchors(path: Path) -> list[Anchor]:
    """Every well-formed anchor of the file, in order (a missing file has none)."""
    return [line.anchor for line in _lines(path) if line.anchor is not None]


@contextmanager
def _locked(path: Path) -> Iterator[Any]:
    """The anchors file opened for appending, locked against a concurrent writer."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover (not POSIX: no advisory lock)
            yield handle
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def chain_head(session: Session) -> tuple[int, str]:
    """The chain's head: the last entry's seq and hash (0 and the genesis hash when empty)."""
    head = session.get(AuditHead, 1)
    return (head.seq, head.entry_hash) if head is not None else (0, GENESIS)


def write_anchor(path: Path, key: Ed25519PrivateKey, seq: int, entry_hash: str) -> Anchor:
    """Sign the head (``seq``, ``entry_hash``) and append it to the anchors file ``path``.

    The caller reads the head with :func:`chain_head` and then verifies the chain (and
    the anchors already written): an anchor vouches for everything up to the head it
    signs. Appends new entries meanwhile only move the head past it.
    """
    with _locked(path) as handle:
        handle.seek(0)
        previous = [line for line in handle.read().splitlines() if line]
        unsigned = Anchor(
            seq=seq,
            head=entry_hash,
            at=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            key_id=key_id(key.public_key()),
            prev=_line_hash(previous[-1]) if previous else GENESIS,
            signature="",
        )
        anchor = Anchor(
            **asdict(unsigned) | {"signature": key.sign(_DOMAIN + unsigned.body()).hex()}
        )
        handle.seek(0, os.SEEK_END)
        handle.write(anchor.line() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return anchor


@dataclass(frozen=True)
class AnchorCheck:
    """The log held against its anchors: ``problems`` is empty when they agree."""

    anchors: int
    latest_seq: int | None
    latest_at: str | None
    problems: list[dict[str, Any]]

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return asdict(self) | {"ok": self.ok}


def _signed_by(anchor: Anchor, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(bytes.fromhex(anchor.signature), _DOMAIN + anchor.body())
    except (InvalidSignature, ValueError):
        return False
    return True


def check_anchors(session: Session, path: Path, public: Ed25519PublicKey) -> AnchorCheck:
    """Hold the store's audit log against every anchor in ``path``.

    Each problem names the anchors file's line: a line not signed by ``public``
    (forged or edited), a line that does not follow the one before it (removed or
    reordered lines), an anchored entry missing from the log (truncation) or with
    another hash (rewrite).
    """
    lines = _lines(path)
    if not lines:
        raise ConfigurationError(
            f"anchors file {path} has no anchors; write one with `socialcredit audit anchor`"
        )
    expected_id = key_id(public)
    head = session.get(AuditHead, 1)
    head_seq = head.seq if head is not None else 0
    problems: list[dict[str, Any]] = []
    previous: _Line | None = None
    last_seq = 0
    good: Anchor | None = None
    for line in lines:
        where = {"line": line.number}
        anchor = line.anchor
        if anchor is None:
            problems.append(where | {"problem": line.problem})
            previous = line
            continue
        where["seq"] = anchor.seq
        prev = _line_hash(previous.text) if previous is not None else GENESIS
        if anchor.key_id != expected_id or not _signed_by(anchor, public):
            problems.append(
                where
                | {"problem": f"not signed by the operator's key {expected_id}: forged or edited"}
            )
            previous = line
            continue
        if anchor.prev != prev:
            problems.append(
                where
                | {
                    "problem": "does not follow the line before it: anchors were "
                    "removed, inserted or reordered"
                }
            )
        if anchor.seq < last_seq:
            problems.append(
                where
                | {
                    "problem": f"anchors entry {anchor.seq} after an anchor of entry "
                    f"{last_seq}: the log's head was moved back in between"
                }
            )
        last_seq = max(last_seq, anchor.seq)
        good = anchor
        previous = line
        if anchor.seq == 0:
            continue
        if anchor.seq > head_seq:
            problems.append(
                where
                | {
                    "problem": f"the log ends at entry {head_seq} but entry {anchor.seq} "
                    f"was anchored at {anchor.at}: entries were deleted (truncation)"
                }
            )
            continue
        stored = session.execute(
            select(AuditEntry.entry_hash).where(AuditEntry.seq == anchor.seq)
        ).scalar_one_or_none()
        if stored is None:
            problems.append(
                where | {"problem": f"entry {anchor.seq}, anchored at {anchor.at}, is missing"}
            )
        elif stored != anchor.head:
            problems.append(
                where
                | {
                    "problem": f"entry {anchor.seq} differs from the one anchored at "
                    f"{anchor.at}: it or an entry before it was rewritten"
                }
            )
    return AnchorCheck(
        anchors=sum(1 for line in lines if line.anchor is not None),
        latest_seq=good.seq if good is not None else None,
        latest_at=good.at if good is not None else None,
        problems=problems,
    )
