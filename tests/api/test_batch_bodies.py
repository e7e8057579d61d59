"""Batch bodies: read in bulk (`items_json`) they give exactly what the `BatchRequest` model gives (the
same items, the same fields marked as sent, for invalid input the same errors); answers rendered
by splicing (`batch_json`) are the same JSON as `batch_body`."""

from __future__ import annotations

import datetime
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from access_policy.bench.service import _item
from access_policy.bench.timeline import build_timeline
from access_policy.facts import ItemKind
from access_policy.identity import make_person_id
from access_policy.items_json import NotFast, WireItem, items_from_wire
from api.decisions import BatchRequest, parse_batch

REQUESTER = make_person_id(datetime.date(1980, 2, 14), 11)
CHILD = make_person_id(datetime.date(2012, 5, 10), 3)
ORGANISATION = "974589095"

_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
_ids = st.one_of(st.sampled_from(["a", "doc-1", "x" * 200, "x" * 201, "", "ø-1", 'q"\\']), _text, st.integers())
_systems = st.sampled_from(["local", "urn:oid:2.16.578.1.12.4.1.2", ORGANISATION, "123456789", "", "not a uri", "x:y", 9, None])
_instants = st.one_of(
    st.sampled_from([
        "2024-02-13T12:00:00+01:00", "2024-02-13T12:00:00Z", "2024-02-13T12:00:00.123456789Z", "2024-02-13 12:00:00Z",
        "2024-02-13T12:00:00", "2024-02-13", "1900-01-01T00:30:00+01:00", "1900-01-01T00:30:00-01:00",
        "2199-12-31T23:30:00-01:00", "2199-12-31T23:30:00+01:00", "1899-12-31T23:00:00Z", "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-14:00", "2024-02-30T12:00:00Z", "2024-02-13T12:00:60Z", "2024-02-13T12:00:00+24:00",
        "2024-02-13t12:00:00z", "1700000000", "",
    ]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.datetimes(min_value=datetime.datetime(1850, 1, 1), max_value=datetime.datetime(2250, 1, 1),
                 timezones=st.sampled_from([datetime.timezone.utc, datetime.timezone(datetime.timedelta(hours=-11, minutes=-30))]))
    .map(lambda at: at.isoformat()),
    st.none(),
)
_references = st.one_of(
    _ids,
    st.fixed_dictionaries({"value": _ids}, optional={"system": _systems, "colour": st.just("red")}),
    st.none(),
)
_labels = st.one_of(st.lists(st.sampled_from(["a", "b" * 100, "c" * 101]), max_size=52), st.just("a"), st.just([1]))
_kinds = st.one_of(st.sampled_from([kind.value for kind in ItemKind]), st.sampled_from(["x-ray", "NOTE", 3]))
_organisations = st.sampled_from([ORGANISATION, "974 589 095", "123456789", "12345678", 974589095, None])

_items = st.fixed_dictionaries(
    {"id": _ids, "kind": _kinds},
    optional={
        "system": _systems, "pathway": _references, "referral": _references, "labels": _labels,
        "created": _instants, "organisation": _organisations, "colour": st.just("red"),
    },
)
_plain_items = st.fixed_dictionaries(
    {"id": st.sampled_from(["a", "b", "doc-7", "x" * 200, "ø"]), "kind": st.sampled_from([kind.value for kind in ItemKind])},
    optional={
        "pathway": st.sampled_from(["pw-1", {"value": "pw-1"}, {"system": "urn:x:y", "value": "pw-1"}, {"system": ORGANISATION, "value": "p"}]),
        "referral": st.sampled_from(["ref-1", None, "y" * 200]),
        "system": st.sampled_from(["local", "urn:x:y", ORGANISATION]),
        "created": st.sampled_from([
            "2024-02-13T12:00:00+01:00", "2024-02-13T12:00:00Z", "2024-02-13T12:00:00.5-03:30", None,
            "1900-01-01T00:30:00-01:00", "2199-12-31T23:30:00+01:00", "1900-01-01T00:00:00Z",
        ]),
        "organisation": st.sampled_from([ORGANISATION, None]),
        "labels": st.sampled_from([["a"], [], ["l" * 100] * 50]),
    },
)


def _errors(error: ValidationError) -> list[dict]:
    # A context may hold the exception raised: compared by its text.
    return [{**e, "ctx": {k: str(v) for k, v in e.get("ctx", {}).items()}} for e in error.errors(include_url=False)]


def _same(raw: bytes) -> None:
    """`parse_batch` answers as the model does: equal requests, or the same errors."""
    try:
        expected = BatchRequest.model_validate_json(raw)
    except ValidationError as error:
        with pytest.raises(ValidationError) as raised:
            parse_batch(raw)
        assert _errors(raised.value) == _errors(error)
        return
    parsed = parse_batch(raw)
    assert parsed == expected
    for mine, theirs in zip(parsed.items, expected.items, strict=True):
        assert mine.model_fields_set == theirs.model_fields_set
        assert mine.model_dump(mode="json") == theirs.model_dump(mode="json")
        for name in ("pathway", "referral"):
            reference, wanted = getattr(mine, name), getattr(theirs, name)
            assert (reference and reference.model_fields_set) == (wanted and wanted.model_fields_set)


def _body(items: list, **fields) -> bytes:
    return json.dumps({"requester": REQUESTER, "child": CHILD, "items": items, **fields}).encode()


def test_the_bench_timeline_is_read_in_bulk_and_equals_the_model():
    timeline = build_timeline(1000)
    raw = _body([_item(item) for item in timeline.items], at=timeline.at.isoformat())
    from api.decisions import _read_batch

    # The bulk path itself accepts it (not the model behind it) ...
    assert len(items_from_wire(_read_batch(raw).items)) == 1000
    # ... and gives what the model gives.
    _same(raw)
    assert parse_batch(raw).items == list(timeline.items)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_items, max_size=4))
def test_any_items_are_read_as_the_model_reads_them(items):
    _same(_body(items))


@settings(max_examples=150, deadline=None)
@given(st.lists(_plain_items, min_size=1, max_size=6), st.sampled_from([{}, {"at": "2026-11-30T12:00:00+01:00"}, {"at": None}]))
def test_valid_items_are_read_in_bulk(items, fields):
    raw = _body(items, **fields)
    from api.decisions import _read_batch

    items_from_wire(_read_batch(raw).items)  # does not fall back to the model
    _same(raw)


@pytest.mark.parametrize(
    "fields",
    [
        {"requester": "12345678901"}, {"child": "not-a-number"}, {"at": "2026-11-30T12:00:00"}, {"at": "2300-01-01T00:00:00Z"},
        {"at": 5}, {"extra": 1}, {"items": None}, {"requester": None},
    ],
)
def test_the_fields_besides_the_items_answer_as_the_model(fields):
    _same(json.dumps({"requester": REQUESTER, "child": CHILD, "items": [{"id": "a", "kind": "note"}]} | fields).encode())


@pytest.mark.parametrize(
    "raw",
    [b'{"requester": ', b"[]", b'{"items": []}', b"", b'{"requester": "1", "child": "2", "items": []} x', b"\xff"],
)
def test_malformed_bodies_answer_as_the_model(raw):
    _same(raw)


def test_a_duplicated_key_counts_as_the_model_counts_it():
    _same(b'{"requester": "%s", "child": "%s", "items": [{"id": "a", "id": "b", "kind": "note"}]}' % (REQUESTER.encode(), CHILD.encode()))


@pytest.mark.parametrize(
    "fields",
    [
        {"created": "2024-02-13T12:00:00"}, {"created": "1900-01-01T00:30:00+01:00"}, {"created": "2199-12-31T23:30:00-01:00"},
        {"id": ""}, {"id": "x" * 201}, {"organisation": "123456789"}, {"system": "not a uri"}, {"labels": ["l" * 101]},
        {"labels": ["a"] * 51}, {"pathway": ""},
    ],
)
def test_an_item_the_bulk_path_refuses_falls_back_to_the_model(fields):
    item = {"id": "a", "kind": "note"} | fields
    with pytest.raises(NotFast):
        items_from_wire([WireItem(**item)])
    with pytest.raises(ValidationError):
        parse_batch(_body([item]))


def _timeline_outcome(national_policy, ids=None):
    from access_policy.decisions import decide_many
    from access_policy.service.decisions import DecisionOutcome

    timeline = build_timeline(300)
    items = list(timeline.items)
    if ids is not None:
        items = [item.model_copy(update={"id": new}) for item, new in zip(items, ids)]
    decisions = decide_many(national_policy, timeline.facts, timeline.requester, items, timeline.at)
    return DecisionOutcome("d-1", decisions, items, national_policy.version, True)


def batch_body(outcome) -> dict:
    """The response body of a batch built plainly, item by item: the reference the spliced JSON must equal."""
    results = [
        {"item": item.id, "decision": decision.effect.value, "rule": decision.rule, "legal_basis": list(decision.legal_basis),
         "reasons": [reason.as_dict() for reason in decision.reasons]}
        for item, decision in zip(outcome.items, outcome.decisions)
    ]
    return {"results": results, "policy_version": outcome.policy_version, "decision_id": outcome.decision_id}


def test_a_batch_rendered_by_splicing_equals_its_body(national_policy):
    from access_policy.service.decisions import batch_json

    outcome = _timeline_outcome(national_policy, ids=['q"\\', "ø\n", "\u2028"])
    assert len({id(decision) for decision in outcome.decisions}) > 1  # several distinct answers, spliced
    assert json.loads(batch_json(outcome)) == batch_body(outcome)
    extra = {"type": "urn:x", "status": 503}
    assert json.loads(batch_json(outcome, extra)) == batch_body(outcome) | extra
