"""Items read from JSON in bulk: `facts.Item`'s rules applied without a pydantic model per item.

Validating a batch of 1,000 items with the `Item` model costs about 5 µs an item (a Python
validator per item for its references, its instant and its organisation). Here msgspec reads the
JSON into plain structures (unknown fields refused), each of `Item`'s rules is checked with the
validators `facts` defines, every distinct system, organisation and reference once per batch,
and the `Item`s are built directly from the checked values.

This path only ever accepts. Whatever it does not recognise as exactly valid (a number where a
string is expected, an instant given as a number, any value a rule refuses) raises `NotFast`,
and the caller validates the same bytes with the model, whose answer and errors are the ones of
record. So a request is accepted here only if the model accepts it, with equal items
(tests/api/test_batch_bodies.py holds the two to that on generated input).
"""

from __future__ import annotations

from typing import Any, Iterable, TypeVar

import msgspec
from pydantic import AwareDatetime, BaseModel, TypeAdapter, ValidationError
from pydantic_core import PydanticCustomError

from access_policy.facts import (
    LOCAL_SYSTEM,
    MAX_IDENTIFIER,
    MAX_LABEL,
    MAX_LABELS,
    Item,
    ItemKind,
    Reference,
    _org_number,
    _plausible_instant,
    _source_system,
)

_Model = TypeVar("_Model", bound=BaseModel)


class NotFast(Exception):
    """The input is not recognised as valid here: validate it with the model instead."""


class WireReference(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """A reference as sent in the `{system, value}` form."""

    value: str
    system: str | msgspec.UnsetType = msgspec.UNSET


class WireItem(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """An item as sent, before `Item`'s rules are checked (UNSET: the field was not given)."""

    id: str
    kind: ItemKind
    system: str | msgspec.UnsetType = msgspec.UNSET
    pathway: str | WireReference | None | msgspec.UnsetType = msgspec.UNSET
    referral: str | WireReference | None | msgspec.UnsetType = msgspec.UNSET
    labels: list[str] | msgspec.UnsetType = msgspec.UNSET
    created: str | None | msgspec.UnsetType = msgspec.UNSET
    organisation: str | None | msgspec.UnsetType = msgspec.UNSET


# The instants of a batch parsed in one call, by the same parser as the model's (`AwareDatetime`).
_INSTANTS = TypeAdapter(list[AwareDatetime])
_UNSET = msgspec.UNSET
_new = object.__new__
_set_dict = object.__setattr__
# A pydantic model's own slots, set as `model_construct` sets them.
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def _trusted(model: type[_Model], fields: dict[str, Any], given: set[str]) -> _Model:
    """A model instance from values already checked against its rules (as `model_construct` does, at an eighth of its cost)."""
    instance = _new(model)
    _set_dict(instance, "__dict__", fields)
    _set_fields_set(instance, given)
    _set_extra(instance, None)
    _set_private(instance, None)
    return instance


def _identifier(value: str) -> str:
    if not 0 < len(value) <= MAX_IDENTIFIER:
        raise NotFast
    return value


class _Checked:
    """The distinct values of one batch, each checked once: systems, organisations and references."""

    def __init__(self) -> None:
        self.systems: dict[str, str] = {LOCAL_SYSTEM: LOCAL_SYSTEM}
        self.organisations: dict[str, str] = {}
        # A bare string belongs to the item's system (`facts._qualify_references`), and the model
        # then sees both of the reference's fields given: keyed by (system, value).
        self.bare: dict[tuple[str, str], Reference] = {}
        # `{system, value}` keyed by the system as sent (UNSET when left out) and the value.
        self.qualified: dict[tuple[Any, str], Reference] = {}

    def system(self, value: str) -> str:
        checked = self.systems.get(value)
        if checked is None:
            try:
                checked = self.systems[value] = _source_system(_identifier(value))
            except PydanticCustomError:
                raise NotFast from None
        return checked

    def organisation(self, value: str) -> str:
        try:
            checked = self.organisations[value] = _org_number(value)
        except PydanticCustomError:
            raise NotFast from None
        return checked

    def reference(self, sent: str | WireReference, item_system: str) -> Reference:
        if type(sent) is str:
            key = (item_system, sent)
            reference = self.bare.get(key)
            if reference is None:
                fields = {"system": item_system, "value": _identifier(sent)}
                reference = self.bare[key] = _trusted(Reference, fields, {"system", "value"})
            return reference
        assert isinstance(sent, WireReference)
        qualified = (sent.system, sent.value)
        reference = self.qualified.get(qualified)
        if reference is None:
            if isinstance(sent.system, str):
                fields, given = {"system": self.system(sent.system), "value": _identifier(sent.value)}, {"system", "value"}
            else:
                fields, given = {"system": LOCAL_SYSTEM, "value": _identifier(sent.value)}, {"value"}
            reference = self.qualified[qualified] = _trusted(Reference, fields, given)
        return reference


_OPTIONAL = ("system", "pathway", "referral", "labels", "created", "organisation")
# The fields an item was sent with, per combination of the optional ones (bit n: _OPTIONAL[n]).
# Items share these sets: a frozen model never changes its own, and pydantic copies it on `model_copy`.
_GIVEN = [
    {"id", "kind", *(name for bit, name in enumerate(_OPTIONAL) if mask >> bit & 1)} for mask in range(1 << len(_OPTIONAL))
]


def items_from_wire(sent: Iterable[WireItem]) -> list[Item]:
    """The `Item`s the model would build from these items as sent; raises `NotFast` unless every one is valid."""
    checked = _Checked()
    systems, organisations, bare, qualified = checked.systems, checked.organisations, checked.bare, checked.qualified
    items: list[Item] = []
    # Items sent with an instant, and their instants as sent: parsed together after the loop.
    dated: list[dict[str, Any]] = []
    instants_sent: list[str] = []
    for wire in sent:
        # The common case of each field inline (a cache hit); the rest in `_Checked`. `given`
        # has a bit per optional field sent.
        given = 0
        ident = wire.id
        if not 0 < len(ident) <= MAX_IDENTIFIER:
            raise NotFast
        system: Any = wire.system
        if system is _UNSET:
            system = LOCAL_SYSTEM
        else:
            given |= 1
            system = systems.get(system) or checked.system(system)
        pathway: Any = wire.pathway
        if pathway is _UNSET:
            pathway = None
        else:
            given |= 2
            if pathway is not None:
                pathway = (
                    bare.get((system, pathway)) if type(pathway) is str else qualified.get((pathway.system, pathway.value))
                ) or checked.reference(pathway, system)
        referral: Any = wire.referral
        if referral is _UNSET:
            referral = None
        else:
            given |= 4
            if referral is not None:
                referral = (
                    bare.get((system, referral)) if type(referral) is str else qualified.get((referral.system, referral.value))
                ) or checked.reference(referral, system)
        labels: Any = wire.labels
        if labels is _UNSET:
            labels = ()
        else:
            given |= 8
            if len(labels) > MAX_LABELS or any(len(label) > MAX_LABEL for label in labels):
                raise NotFast
            labels = tuple(labels)
        organisation: Any = wire.organisation
        if organisation is _UNSET:
            organisation = None
        else:
            given |= 32
            if organisation is not None:
                organisation = organisations.get(organisation) or checked.organisation(organisation)
        fields = {
            "id": ident,
            "system": system,
            "kind": wire.kind,
            "pathway": pathway,
            "referral": referral,
            "labels": labels,
            "created": None,
            "organisation": organisation,
        }
        created = wire.created
        if created is not _UNSET:
            given |= 16
            if created is not None:
                dated.append(fields)
                instants_sent.append(created)
        # `_trusted`, inline: this loop runs once per item of every batch.
        item = _new(Item)
        _set_dict(item, "__dict__", fields)
        _set_fields_set(item, _GIVEN[given])
        _set_extra(item, None)
        _set_private(item, None)
        items.append(item)
    if dated:
        try:
            instants = _INSTANTS.validate_python(instants_sent)
        except ValidationError:
            raise NotFast from None
        for fields, instant in zip(dated, instants):
            # Years well inside 1900–2199 are plausible whatever the offset (under a day): only
            # the edge years need `facts`' own check.
            if not 1900 < instant.year < 2199:
                try:
                    _plausible_instant(instant)
                except PydanticCustomError:
                    raise NotFast from None
            fields["created"] = instant
    return items
