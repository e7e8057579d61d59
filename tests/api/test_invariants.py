"""Invariants under random histories (hypothesis stateful), against a small model of the precedence table.

Random sequences of exemptions created and revoked, representation changes and time steps, run
through the real store and decision service. After every step each requester's decision on
every item must equal the model's, and:
- no representative sees an item covered by an active exemption that applies to them;
- no item of a child of 18 or older is shown to a representative;
- revoking an exemption restores the decisions from before it was created;
- a default decision reveals nothing beyond its scope (no fact ids, no details).
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from access_policy.facts import (
    Author,
    ExemptionDraft,
    FactKind,
    Holder,
    Item,
    ItemKind,
    Representation,
    Responsibility,
    Scope,
)
from access_policy.identity import make_person_id
from access_policy.policy import load_policy
from access_policy.service.decisions import DecisionService
from access_policy.service.tokens import Caller
from access_policy.store import open_store

UTC = datetime.timezone.utc
T0 = datetime.datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
BIRTH = datetime.date(2019, 6, 1)  # 10 at T0, 18 in 2037
CHILD = make_person_id(BIRTH, 60)
MOTHER = make_person_id(datetime.date(1988, 3, 3), 61)
FATHER = make_person_id(datetime.date(1987, 4, 4), 62)
STRANGER = make_person_id(datetime.date(1980, 5, 5), 63)
PARENTS = (MOTHER, FATHER)
REQUESTERS = (MOTHER, FATHER, STRANGER)
PATHWAYS = ("pw-1", "pw-2", "pw-3")
ITEMS = [Item(id=f"d-{n}", kind=ItemKind.NOTE, pathway=PATHWAYS[n % 3]) for n in range(6)]
CLINICIAN = Author(hpr="1234567", org="974589095")
REGISTER = Author(system="register")
DEFAULT_CALLER = Caller(subject="journal", scopes=frozenset({"decisions"}))
POLICY = load_policy()


def _age(at: datetime.datetime) -> int:
    local = at.astimezone(datetime.timezone(datetime.timedelta(hours=1))).date()
    return relativedelta(local, BIRTH).years


class Histories(RuleBasedStateMachine):
    """The real store and service beside the model; compared after every step."""

    def __init__(self):
        super().__init__()
        self.directory = tempfile.TemporaryDirectory(prefix="access-policy-invariants-")
        self.store = open_store(data_dir=Path(self.directory.name), migrate=True)
        self.service = DecisionService(self.store, POLICY)
        self.at = T0
        self.holders: set[str] = set()
        self.exemptions: dict[str, tuple[str, str | None]] = {}  # id → (pathway, parent or None for all)

    def teardown(self):
        self.store.close()
        self.directory.cleanup()

    # -- the model

    def expected(self, requester: str, item: Item) -> str:
        if requester not in self.holders or _age(self.at) >= 16:
            return "deny"
        for pathway, parent in self.exemptions.values():
            if pathway == item.pathway and parent in (None, requester):
                return "deny"
        return "permit"

    def decisions(self) -> dict[tuple[str, str], str]:
        out = {}
        for requester in REQUESTERS:
            outcome = self.service.decide(DEFAULT_CALLER, requester, CHILD, ITEMS, self.at)
            assert outcome.available
            for item, decision in zip(ITEMS, outcome.decisions):
                # Nothing beyond the default scope: codes only, never a fact or its detail.
                assert all(reason.fact is None and reason.detail is None for reason in decision.reasons)
                assert not any(fact_id in repr(decision) for fact_id in self.exemptions)
                out[(requester, item.id)] = decision.effect.value
        return out

    def sync_register(self) -> None:
        holders = tuple(Holder(id=p, responsibility=Responsibility.FELLES) for p in PARENTS if p in self.holders)
        representation = Representation(birth_date=BIRTH, holders=holders, retrieved_at=self.at)
        self.store.put_representation(CHILD, representation, REGISTER, now=self.at)

    # -- the rules

    @initialize(holders=st.sets(st.sampled_from(PARENTS)))
    def start(self, holders):
        self.holders = set(holders)
        self.sync_register()

    @rule(holders=st.sets(st.sampled_from(PARENTS)))
    def representation_changes(self, holders):
        self.holders = set(holders)
        self.sync_register()

    @rule(days=st.integers(0, 3 * 365))
    def time_passes(self, days):
        self.at += datetime.timedelta(days=days, hours=days % 24)
        self.sync_register()  # the register is read again, so it is never stale

    @rule(pathway=st.sampled_from(PATHWAYS), parent=st.sampled_from((None, *PARENTS)))
    def exemption_created(self, pathway, parent):
        applies_to = "all" if parent is None else (parent,)
        draft = ExemptionDraft(scope=Scope(pathway=pathway), applies_to=applies_to, legal_basis="pbrl-3-4-3", reason="r")
        fact, _ = self.store.create_fact(CHILD, FactKind.EXEMPTIONS, draft, CLINICIAN, now=self.at)
        self.exemptions[fact.id] = (pathway, parent)

    @rule(data=st.data())
    def exemption_revoked(self, data):
        if not self.exemptions:
            return
        fact_id = data.draw(st.sampled_from(sorted(self.exemptions)))
        self.store.revoke_fact(CHILD, FactKind.EXEMPTIONS, fact_id, CLINICIAN, now=self.at)
        del self.exemptions[fact_id]

    @rule(pathway=st.sampled_from(PATHWAYS), parent=st.sampled_from((None, *PARENTS)))
    def revoking_restores_the_decisions_before(self, pathway, parent):
        before = self.decisions()
        applies_to = "all" if parent is None else (parent,)
        draft = ExemptionDraft(scope=Scope(pathway=pathway), applies_to=applies_to, legal_basis="pbrl-5-1-2", reason="r")
        fact, _ = self.store.create_fact(CHILD, FactKind.EXEMPTIONS, draft, CLINICIAN, now=self.at)
        self.exemptions[fact.id] = (pathway, parent)
        during = self.decisions()
        for (requester, item_id), effect in during.items():
            covered = item_id in {i.id for i in ITEMS if i.pathway == pathway} and parent in (None, requester)
            if covered:
                assert effect == "deny"
        self.store.revoke_fact(CHILD, FactKind.EXEMPTIONS, fact.id, CLINICIAN, now=self.at)
        del self.exemptions[fact.id]
        assert self.decisions() == before

    # -- after every step

    @invariant()
    def the_service_agrees_with_the_model_and_the_invariants_hold(self):
        if not hasattr(self, "store") or self.at is None:
            return
        decided = self.decisions()
        for requester in REQUESTERS:
            for item in ITEMS:
                effect = decided[(requester, item.id)]
                assert effect == self.expected(requester, item), (requester, item, self.at, self.holders, self.exemptions)
                if effect == "permit":
                    # No representative sees an item covered by an active exemption that applies to them.
                    assert not any(
                        pathway == item.pathway and parent in (None, requester) for pathway, parent in self.exemptions.values()
                    )
                    # Nothing of a child of 18 or older is shown to a representative.
                    assert _age(self.at) < 18
                    assert requester in self.holders


Histories.TestCase.settings = settings(
    # 25 histories in CI; the long variant (ACCESS_POLICY_LONG=1) runs 300.
    max_examples=int(os.environ.get("ACCESS_POLICY_STATEFUL_EXAMPLES") or (300 if os.environ.get("ACCESS_POLICY_LONG") == "1" else 25)),
    stateful_step_count=12,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
TestHistories = Histories.TestCase
