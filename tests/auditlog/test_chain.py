"""The hash chain: hashes a third party can recompute, old entries that still verify, and the one verifier."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from access_policy.auditlog import chain
from access_policy.auditlog.chain import GENESIS_HASH, AuditEntry, Unreadable, verify

UTC = datetime.timezone.utc
T = datetime.datetime(2026, 12, 1, 9, 30, 0, 250_000, tzinfo=UTC)


def v2_entries(count: int, start: tuple[int, str] = (1, GENESIS_HASH)) -> list[AuditEntry]:
    """A chain of version-2 entries built with the module."""
    position, previous = start
    built = []
    for n in range(count):
        entry = {"n": n, "requester": "01010112345", "child": "13031300012", "items": ["a", "b"]}
        salt = f"{n:032x}"
        digest = chain.hash_v2(previous, position, f"d-{n}", T, chain.body_digest("13031300012", entry, salt))
        built.append(AuditEntry(position, f"d-{n}", T, "13031300012", entry, previous, digest, 2, salt))
        previous, position = digest, position + 1
    return built


def test_a_version_2_hash_is_recomputed_from_the_documented_recipe_alone():
    # Written from docs/decision-log.md, not from the module: any RFC 8785 library gives the same.
    entry = v2_entries(1)[0]
    body = {"child": entry.child, "entry": entry.entry, "salt": entry.salt}
    body_digest = hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    header = {
        "hash_version": 2,
        "position": 1,
        "decision_id": "d-0",
        "recorded_at": "2026-12-01T09:30:00.250000Z",
        "previous_hash": "0" * 64,
        "body_digest": body_digest,
    }
    assert hashlib.sha256(rfc8785.dumps(header)).hexdigest() == entry.hash


def test_a_version_1_hash_is_the_old_sorted_keys_form_and_still_verifies():
    entry = {"decisions": ["permit"], "å": "ø", "n": 1}
    document = {
        "position": 1, "decision_id": "d-1", "recorded_at": T.isoformat(), "child": "c", "entry": entry,
        "previous_hash": GENESIS_HASH,
    }
    old = hashlib.sha256(
        json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    stored = AuditEntry(1, "d-1", T, "c", entry, GENESIS_HASH, old, chain.HASH_V1)
    assert verify([stored]).ok
    # A version-2 entry may follow a version-1 one: the link is the stored hash either way.
    following = v2_entries(2, start=(2, old))
    assert verify([stored, *following]).ok


def test_the_old_canonical_form_is_not_rfc_8785_so_old_entries_need_their_own_version():
    # Why the hash scheme is versioned: the two forms differ for numbers and some keys.
    for value in ({"x": 1.0}, {"x": 1e-7}, {"x": 1e16}, {"x": -0.0}, {"\U0001f600": 1, "\ufb01": 2}):
        assert chain.legacy_canonical_json(value).encode("utf-8") != rfc8785.dumps(value)


def test_a_time_is_hashed_in_a_fixed_form():
    whole = datetime.datetime(2026, 12, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    assert chain.time_text(whole, 2) == "2026-12-01T08:30:00.000000Z"
    assert chain.time_text(whole, 1) == "2026-12-01T08:30:00+00:00"
    assert chain.parse_time(chain.time_text(T, 2)) == T == chain.parse_time(chain.time_text(T, 1))


@pytest.mark.parametrize(
    "tamper, position, problem",
    [
        (lambda es: [es[0], *es[2:]], 2, "entry 2 is missing"),
        (lambda es: [es[0], es[2], es[1], *es[3:]], 2, "entry 2 is missing"),
        (lambda es: [*es[:2], AuditEntry(**{**_fields(es[2]), "entry": {"n": 99}}), *es[3:]], 3, "changed"),
        (lambda es: [*es[:2], AuditEntry(**{**_fields(es[2]), "entry": Unreadable("{", "bad")}), *es[3:]], 3, "not JSON"),
        (lambda es: [*es[:3], AuditEntry(**{**_fields(es[3]), "hash_version": 7})], 4, "unknown hash version"),
        (lambda es: [*es[:1], AuditEntry(**{**_fields(es[1]), "previous_hash": "1" * 64}), *es[2:]], 2, "link"),
    ],
    ids=["removed", "reordered", "changed", "not JSON", "unknown version", "relinked"],
)
def test_the_verifier_names_the_first_bad_position(tamper, position, problem):
    entries = v2_entries(4)
    assert verify(entries).ok
    result = verify(tamper(entries))
    assert not result.ok and result.first_bad_position == position and problem in result.problem


def _fields(entry: AuditEntry) -> dict:
    return {name: getattr(entry, name) for name in AuditEntry.__slots__}


def test_the_head_catches_a_removed_last_entry_and_checkpoints_catch_a_rewritten_head():
    entries = v2_entries(4)
    assert verify(entries, head=(4, entries[-1].hash)).ok
    cut = verify(entries[:3], head=(4, entries[-1].hash))
    assert not cut.ok and cut.first_bad_position == 4
    # Cut and the head rewritten to match: only a checkpoint beyond the new end tells.
    assert verify(entries[:3], head=(3, entries[2].hash)).ok
    truncated = verify(entries[:3], head=(3, entries[2].hash), anchors=[(4, entries[3].hash)])
    assert not truncated.ok and "truncated" in truncated.problem
    matched = verify(entries, anchors=[(2, entries[1].hash), (4, entries[3].hash)])
    assert matched.ok and matched.anchored == 2
    other = verify(entries, anchors=[(2, "f" * 64)])
    assert not other.ok and other.first_bad_position == 2 and "rewritten" in other.problem


def test_a_slice_starts_where_it_says_and_ignores_checkpoints_outside_it():
    entries = v2_entries(6)
    tail = entries[3:]
    assert verify(tail, start=(4, tail[0].previous_hash), anchors=[(2, entries[1].hash), (9, "a" * 64)]).ok
    assert not verify(tail).ok  # without a start it must begin at the genesis


@given(st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
))
def test_any_json_entry_read_back_from_its_stored_text_hashes_the_same(value):
    stored = chain.entry_text(value)
    assert chain.parse_entry(stored) == json.loads(stored)
    assert chain.entry_text(chain.parse_entry(stored)) == stored


def test_an_entry_text_that_is_not_json_reads_as_unreadable():
    read = chain.parse_entry("{not json")
    assert isinstance(read, Unreadable) and read.text == "{not json" and "\n" not in read.problem


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=4),
    max_leaves=16,
)


@given(_ANY_JSON)
def test_canonical_json_is_rfc_8785_whichever_encoder_writes_it(value):
    try:
        expected = rfc8785.dumps(value)
    except ValueError:
        with pytest.raises(ValueError):
            chain.canonical_json(value)
        return
    assert chain.canonical_json(value) == expected


@given(st.text(max_size=11), _ANY_JSON, st.text(min_size=1, max_size=32))
def test_the_body_digest_from_the_stored_text_is_the_documented_one(child, entry, salt):
    try:
        text = chain.entry_text(entry)
    except ValueError:
        return
    expected = hashlib.sha256(rfc8785.dumps({"child": child, "entry": entry, "salt": salt})).hexdigest()
    assert chain.body_digest_of_text(child, text, salt) == expected == chain.body_digest(child, entry, salt)


def test_strings_with_control_characters_and_ascii_keys_take_the_fast_encoder_correctly():
    value = {"b": "\x00\x1f\x7f\b\f\n\r\t\"\\/\u2028\U0001f600ø", "a": [True, None, 2**53 - 1, -(2**53 - 1)]}
    assert chain._same_as_sorted_json(value)
    assert chain.canonical_json(value) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        {"results": list(range(1000)), "items": [f"item-{n}" for n in range(1000)]},
        {"results": [0] * 999 + [2**53]},
        {"results": [0] * 999 + [-(2**53)]},
        {"items": ["a"] * 999 + [1.5]},
        {"items": [True, None, "x", False]},
        {"items": [[1, "a"], [2, "b"]]},
    ],
)
def test_long_lists_of_one_type_are_written_as_rfc_8785(value):
    try:
        expected = rfc8785.dumps(value)
    except ValueError:
        with pytest.raises(ValueError):
            chain.canonical_json(value)
        return
    assert chain.canonical_json(value) == expected
