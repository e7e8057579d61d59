"""Request examples for the API page, made of the demo's synthetic people.

`serve --dev --demo` loads the same families on start, so each example succeeds in "Try it out"
on the day the service started. The people's ids follow their ages, so they are made here from
today's demo set rather than written down.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

Example = tuple[str, dict[str, Any]]  # a summary and a request body


@lru_cache(maxsize=1)
def _cases() -> dict[str, Any]:
    from access_policy.synthetic import demo_families

    demo = demo_families()
    return {case.description: case for case in demo.cases}


def _case(description: str) -> Any:
    return _cases()[description]


def _resource(case: Any, child: bool = True) -> dict[str, Any]:
    properties: dict[str, Any] = {"child": case.child} if child else {}
    if case.item.pathway:
        properties["pathway"] = case.item.pathway
    if case.item.referral:
        properties["referral"] = case.item.referral
    out = {"type": case.item.kind.value, "id": case.item.id}
    if properties:
        out["properties"] = properties
    return out


def _subject(case: Any) -> dict[str, str]:
    return {"type": "organization" if len(case.requester) == 9 else "person", "id": case.requester}


def _authzen() -> dict[str, dict[str, Example]]:
    mother = _case("the mother sees an appointment")
    father = _case("the father does not see the withheld pathway")
    evaluation = {
        "mother": ("The mother may read an appointment (permit)", {
            "subject": _subject(mother), "action": {"name": "can_read"}, "resource": _resource(mother),
        }),
        "father": ("The father may not read a note of the withheld pathway (deny)", {
            "subject": _subject(father), "action": {"name": "can_read"}, "resource": _resource(father),
        }),
    }
    evaluations = {
        "defaults": ("The father, two items: top-level defaults, stop at the first deny", {
            "subject": _subject(father),
            "action": {"name": "can_read"},
            "options": {"evaluations_semantic": "deny_on_first_deny"},
            "evaluations": [{"resource": _resource(mother)}, {"resource": _resource(father)}],
        }),
    }
    search = {
        "father": ("Which of these items may the father read?", {
            "subject": _subject(father),
            "action": {"name": "can_read"},
            "resource": {"type": "item", "properties": {"child": father.child}},
            "context": {"candidates": [_resource(mother, child=False), _resource(father, child=False)]},
            "page": {"limit": 10},
        }),
    }
    return {"evaluation": evaluation, "evaluations": evaluations, "search": search}


class _Examples(dict):  # type: ignore[type-arg]
    """Built on first use: importing the API does not build the demo families."""

    def __missing__(self, key: str) -> dict[str, Example]:
        self.update(_authzen())
        return dict.__getitem__(self, key)


EXAMPLES: dict[str, dict[str, Example]] = _Examples()
