"""Signed checkpoints of the decision log's head, after RFC 9162's signed tree heads.

A checkpoint says "the log held `tree_size` entries and the last one's hash was `root_hash`
at `timestamp`", signed with an Ed25519 key that is kept outside the database. Someone who can
write to the database can rewrite the chain and recompute every later hash, but cannot sign a
checkpoint: any checkpoint held elsewhere then disagrees with the rewritten log.

The signed message is the RFC 8785 form of
`{"log_id", "root_hash", "timestamp", "tree_size", "type": "access-policy-checkpoint/v1"}`;
`log_id` is the sha256 of the public key's DER SubjectPublicKeyInfo, `timestamp` is in
milliseconds since the epoch, and `root_hash` is the chain's head hash (the hash of entry
`tree_size`, not a Merkle root). One checkpoint is one JSON line.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from access_policy.auditlog.chain import canonical_json
from access_policy.errors import CheckpointError

CHECKPOINT_TYPE = "access-policy-checkpoint/v1"
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement of the log's size and head hash at a time (an RFC 9162 signed tree head)."""

    log_id: str
    tree_size: int
    timestamp: int  # milliseconds since 1970-01-01T00:00:00Z
    root_hash: str
    signature: str  # base64 of the Ed25519 signature over `signed_message()`

    def signed_message(self) -> bytes:
        """The bytes the signature covers."""
        return _message(self.log_id, self.tree_size, self.timestamp, self.root_hash)

    def as_dict(self) -> dict[str, Any]:
        """The checkpoint as one JSON object (the line format of a checkpoint file)."""
        return {"type": CHECKPOINT_TYPE, **asdict(self)}

    def to_line(self) -> str:
        """The checkpoint as one line of JSON (RFC 8785), without the newline."""
        return canonical_json(self.as_dict()).decode("utf-8")

    @property
    def time(self) -> datetime.datetime:
        """`timestamp` as an instant."""
        return datetime.datetime.fromtimestamp(self.timestamp / 1000, datetime.timezone.utc)


def _message(log_id: str, tree_size: int, timestamp: int, root_hash: str) -> bytes:
    return canonical_json(
        {"log_id": log_id, "root_hash": root_hash, "timestamp": timestamp, "tree_size": tree_size, "type": CHECKPOINT_TYPE}
    )


def log_id(public_key: Ed25519PublicKey) -> str:
    """The log's id: sha256 of the public key's DER SubjectPublicKeyInfo, in hex."""
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def sign(key: Ed25519PrivateKey, tree_size: int, root_hash: str, at: datetime.datetime) -> Checkpoint:
    """A checkpoint of the head (`tree_size`, `root_hash`) at `at`, signed with `key`."""
    identity = log_id(key.public_key())
    timestamp = int(at.timestamp() * 1000)
    signature = key.sign(_message(identity, tree_size, timestamp, root_hash))
    return Checkpoint(identity, tree_size, timestamp, root_hash, base64.b64encode(signature).decode("ascii"))


def check(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> None:
    """Raise `CheckpointError` unless the checkpoint was signed by the key's holder for this log."""
    if checkpoint.log_id != log_id(public_key):
        raise CheckpointError(f"the checkpoint at entry {checkpoint.tree_size} is for another log or key")
    try:
        signature = base64.b64decode(checkpoint.signature, validate=True)
        public_key.verify(signature, checkpoint.signed_message())
    except (InvalidSignature, binascii.Error, ValueError):
        raise CheckpointError(f"the checkpoint at entry {checkpoint.tree_size} has a bad signature") from None


def from_dict(data: Any) -> Checkpoint:
    """A checkpoint from its JSON object; raises `CheckpointError` naming what is wrong."""
    if not isinstance(data, dict):
        raise CheckpointError("a checkpoint must be a JSON object")
    if data.get("type", CHECKPOINT_TYPE) != CHECKPOINT_TYPE:
        raise CheckpointError(f"unknown checkpoint type `{data.get('type')}`")
    try:
        checkpoint = Checkpoint(
            log_id=data["log_id"],
            tree_size=data["tree_size"],
            timestamp=data["timestamp"],
            root_hash=data["root_hash"],
            signature=data["signature"],
        )
    except KeyError as error:
        raise CheckpointError(f"a checkpoint needs `{error.args[0]}`") from None
    ints = (checkpoint.tree_size, checkpoint.timestamp)
    if any(not isinstance(value, int) or isinstance(value, bool) or value < 0 for value in ints):
        raise CheckpointError("`tree_size` and `timestamp` must be whole numbers ≥ 0")
    for name in ("log_id", "root_hash"):
        value = getattr(checkpoint, name)
        if not isinstance(value, str) or len(value) != 64 or not set(value) <= _HEX:
            raise CheckpointError(f"`{name}` must be 64 lowercase hex digits")
    if not isinstance(checkpoint.signature, str):
        raise CheckpointError("`signature` must be base64 text")
    return checkpoint


def read_lines(lines: Iterable[str], source: str = "checkpoints") -> Iterator[Checkpoint]:
    """Checkpoints from JSON lines (blank lines skipped); raises `CheckpointError` with the line number."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield from_dict(json.loads(line))
        except ValueError as error:  # JSONDecodeError and CheckpointError
            first = str(error).splitlines()[0] if str(error) else type(error).__name__
            raise CheckpointError(f"{source} line {number}: {first}") from None


# ----------------------------------------------------------------------------- keys


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key in a PEM file, created (readable by its owner only) when missing."""
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return load_private_key(path)  # another process created it first
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        return key
    return load_private_key(path)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key in a PEM file; raises `CheckpointError`."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise CheckpointError(f"cannot read the checkpoint signing key `{path}`: {_first(error)}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"`{path}` is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file (a private key file gives its public half); raises `CheckpointError`."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CheckpointError(f"cannot read the public key `{path}`: {_first(error)}") from None
    try:
        key: Any = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        try:
            key = serialization.load_pem_private_key(data, password=None).public_key()
        except (ValueError, TypeError) as error:
            raise CheckpointError(f"`{path}` is not a PEM key: {_first(error)}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"`{path}` is not an Ed25519 key")
    return key


def public_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """The public key in PEM (SubjectPublicKeyInfo), to hand to whoever verifies checkpoints."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def _first(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
