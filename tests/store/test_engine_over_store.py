"""The engine decides the same over facts read back from a store as over the facts as written."""

from __future__ import annotations

import datetime
import itertools

from access_policy.decisions import decide, decide_many
from access_policy.facts import FACT_KINDS, ChildFacts, FactKind, Item, ItemKind
from access_policy.synthetic import REGISTER_AUTHOR, children, demo_families, fact_time, load_demo_families

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)
STRANGER = "01817400169"


def _in_memory(child: str, representation, records) -> ChildFacts:
    grouped = {kind: [] for kind in FactKind}
    for kind, record in records:
        grouped[kind].append(record)
    return ChildFacts(
        child=child,
        representation=representation,
        **{spec.field: tuple(grouped[kind]) for kind, spec in FACT_KINDS.items()},
    )


def _items() -> list[Item]:
    items = [Item(id=f"i-{kind.value}", kind=kind) for kind in ItemKind]
    items += [Item(id=f"p-{n}", kind="note", pathway=f"pw-{n}") for n in range(20)]
    items += [Item(id=f"r-{n}", kind="test_result", referral=f"ref-{n}") for n in range(20)]
    return items


def test_demo_families_decide_alike_and_show_every_rule(store, national_policy):
    demo = demo_families(NOW)
    stored = load_demo_families(store, demo)
    rules_shown = set()
    for case in demo.cases:
        family = next(f for f in demo.families if f.child == case.child)
        representation = store.representation_history(family.child)[-1]
        kinds = [kind for kind, _, _ in family.facts]
        memory = _in_memory(family.child, representation, zip(kinds, stored[family.name]))
        from_store = store.child_facts(case.child)
        expected = decide(national_policy, memory, case.requester, case.item, case.at)
        actual = decide(national_policy, from_store, case.requester, case.item, case.at)
        assert actual == expected
        assert (actual.rule, actual.effect.value) == (case.rule, case.effect), case.description
        rules_shown.add(actual.rule)
    assert rules_shown == {rule.id for rule in national_policy.rules}


def test_synthetic_children_decide_alike(store, national_policy):
    items = _items()
    compared = 0
    for synthetic in children(150, seed=11, start=3_000):
        representation, _ = store.put_representation(
            synthetic.child, synthetic.representation, REGISTER_AUTHOR, now=fact_time()
        )
        records = [
            (kind, store.create_fact(synthetic.child, kind, draft, author, now=fact_time())[0])
            for kind, draft, author in synthetic.facts
        ]
        memory = _in_memory(synthetic.child, representation, records)
        from_store = store.child_facts(synthetic.child)
        parties = [h.party for h in representation.holders if h.party] + [synthetic.child, STRANGER]
        for requester, at in itertools.product(parties, (NOW, NOW + datetime.timedelta(days=400))):
            assert decide_many(national_policy, from_store, requester, items, at) == decide_many(
                national_policy, memory, requester, items, at
            )
            compared += 1
    assert compared > 400
