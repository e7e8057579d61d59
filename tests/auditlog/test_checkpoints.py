"""Signed checkpoints: RFC 9162-style signed heads that verify offline with the public key, and nothing else does."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import json
import stat

import pytest
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from access_policy.auditlog import checkpoints
from access_policy.auditlog.checkpoints import CheckpointError

AT = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc)


def test_a_checkpoint_verifies_with_the_public_key_from_its_own_line():
    key = Ed25519PrivateKey.generate()
    signed = checkpoints.sign(key, 42, "ab" * 32, AT)
    line = signed.to_line()
    read = next(checkpoints.read_lines([line]))
    assert read == signed and read.time == AT
    checkpoints.check(read, key.public_key())
    # The signature covers the documented message: RFC 8785 of these five fields.
    message = rfc8785.dumps({
        "log_id": signed.log_id, "root_hash": "ab" * 32, "timestamp": int(AT.timestamp() * 1000), "tree_size": 42,
        "type": "access-policy-checkpoint/v1",
    })
    key.public_key().verify(base64.b64decode(signed.signature), message)
    assert set(json.loads(line)) == {"type", "log_id", "tree_size", "timestamp", "root_hash", "signature"}


@pytest.mark.parametrize("change", [{"tree_size": 41}, {"root_hash": "cd" * 32}, {"timestamp": 1}, {"signature": "AAAA"}])
def test_a_changed_checkpoint_does_not_verify(change):
    key = Ed25519PrivateKey.generate()
    forged = dataclasses.replace(checkpoints.sign(key, 42, "ab" * 32, AT), **change)
    with pytest.raises(CheckpointError, match="bad signature"):
        checkpoints.check(forged, key.public_key())


def test_a_checkpoint_of_another_key_does_not_verify():
    signed = checkpoints.sign(Ed25519PrivateKey.generate(), 1, "ab" * 32, AT)
    with pytest.raises(CheckpointError, match="another log or key"):
        checkpoints.check(signed, Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    "line, problem",
    [
        ("{nope", "line 2: Expecting property name"),
        ('{"log_id": "x"}', "line 2: a checkpoint needs `tree_size`"),
        ('{"log_id": "x", "tree_size": -1, "timestamp": 1, "root_hash": "", "signature": ""}', "whole numbers"),
        ('[1]', "must be a JSON object"),
    ],
)
def test_an_unreadable_checkpoint_line_is_one_line_naming_it(line, problem):
    good = checkpoints.sign(Ed25519PrivateKey.generate(), 1, "ab" * 32, AT).to_line()
    with pytest.raises(CheckpointError) as raised:
        list(checkpoints.read_lines([good, line]))
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_the_key_is_created_once_owner_readable_and_its_public_half_loads(tmp_path):
    path = tmp_path / "keys" / "audit.pem"
    key = checkpoints.load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert checkpoints.load_or_create_key(path).public_key() == key.public_key()
    public = tmp_path / "audit.pub"
    public.write_text(checkpoints.public_pem(key))
    assert checkpoints.load_public_key(public) == key.public_key()
    assert checkpoints.load_public_key(path) == key.public_key()  # a private key file gives its public half
    (tmp_path / "junk.pem").write_text("junk")
    with pytest.raises(CheckpointError, match="is not a PEM key"):
        checkpoints.load_public_key(tmp_path / "junk.pem")
