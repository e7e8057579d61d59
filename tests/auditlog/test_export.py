"""Export: pseudonyms instead of person numbers by default, and an exported file whose chain still checks."""

from __future__ import annotations

import json

import pytest

from access_policy.auditlog import chain
from access_policy.auditlog.chain import GENESIS_HASH, AuditEntry, verify
from access_policy.auditlog.export import ExportError, Pseudonymiser, export_lines, read_export
from tests.auditlog.test_chain import T, v2_entries

KEY = bytes(range(32))
CHILD, REQUESTER = "13031300012", "01010112345"


def _round_trip(entries, pseudonym):
    lines = list(export_lines(entries, pseudonym))
    return lines, list(read_export(lines))


def test_a_pseudonymised_export_holds_no_person_number_and_its_chain_checks():
    entries = v2_entries(5)
    lines, read = _round_trip(entries, Pseudonymiser(KEY))
    text = "".join(lines)
    assert CHILD not in text and REQUESTER not in text and "salt" not in text
    first = json.loads(lines[0])
    assert first["pseudonymised"] is True and first["child"] == first["entry"]["child"] == Pseudonymiser(KEY)(CHILD)
    assert first["entry"]["requester"] == Pseudonymiser(KEY)(REQUESTER) != Pseudonymiser(b"k" * 32)(REQUESTER)
    assert first["entry"]["items"] == ["a", "b"]
    result = verify(read)
    assert result.ok and result.checked == 5 and result.linked_only == 0


def test_an_export_with_identities_recomputes_every_hash_from_the_entries():
    lines, read = _round_trip(v2_entries(3), None)
    assert CHILD in lines[0] and json.loads(lines[0])["salt"]
    assert verify(read).ok
    changed = json.loads(lines[1])
    changed["entry"]["requester"] = "02020212345"
    tampered = list(read_export([lines[0], json.dumps(changed), lines[2]]))
    assert verify(tampered).first_bad_position == 2


def test_a_changed_body_digest_in_a_pseudonymised_export_is_caught():
    lines, _ = _round_trip(v2_entries(3), Pseudonymiser(KEY))
    changed = json.loads(lines[1])
    changed["body_digest"] = "0" * 64
    result = verify(read_export([lines[0], json.dumps(changed), lines[2]]))
    assert not result.ok and result.first_bad_position == 2 and "changed" in result.problem


def test_old_entries_in_a_pseudonymised_export_are_checked_by_their_links():
    old = chain.hash_v1(GENESIS_HASH, 1, "d-old", T, CHILD, {"child": CHILD})
    legacy = AuditEntry(1, "d-old", T, CHILD, {"child": CHILD}, GENESIS_HASH, old, chain.HASH_V1)
    entries = [legacy, *v2_entries(2, start=(2, old))]
    _, read = _round_trip(entries, Pseudonymiser(KEY))
    result = verify(read)
    assert result.ok and result.linked_only == 1 and result.checked == 3
    _, with_identities = _round_trip(entries, None)
    assert verify(with_identities).linked_only == 0


@pytest.mark.parametrize(
    "line, problem",
    [
        ("not json", "line 1: Expecting value"),
        ('{"position": 1}', "line 1: an exported entry needs `hash_version`"),
        ('{"position": 1, "hash_version": 2, "decision_id": "d", "child": "c", "previous_hash": "p", "hash": "h", '
         '"recorded_at": "yesterday", "entry": {}}', "line 1: Invalid isoformat"),
    ],
)
def test_an_unreadable_export_line_is_one_error_naming_the_line(line, problem):
    with pytest.raises(ExportError) as raised:
        list(read_export([line]))
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def test_a_pseudonym_key_must_be_long_enough():
    with pytest.raises(ExportError):
        Pseudonymiser(b"short")
