"""The step library cannot pass a scenario by accident: what a scenario leaves out or misspells fails it."""

from __future__ import annotations

import datetime

import pytest

from access_policy.facts import Responsibility
from access_policy.policy import Policy
from access_policy.scenarios import steps
from access_policy.scenarios.steps import PERSONER, Verden

AT = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=steps.OSLO)


def _decided(policy: Policy) -> Verden:
    """A ten-year-old with both parents, an exemption `U1` on `D1`, and mor's decision on it."""
    verden = Verden()
    steps.barnet_er_ar(verden, "10")
    steps.felles_foreldreansvar(verden)
    steps.journalen_har(verden, "dokument", "D1", None, None, None, None)
    steps.unntak(verden, "U1", 'dokumentet "D1"', "alle foreldre", "pbrl-3-4-3")
    steps.ser_pa(policy, verden, "mor", "D1", None, None)
    return verden


def test_a_scenario_without_the_childs_age_fails() -> None:
    """No age, birth date or «ukjent» step: the scenario stops instead of inventing a child."""
    verden = Verden()
    steps.felles_foreldreansvar(verden)
    with pytest.raises(AssertionError, match="does not say how old the child is"):
        verden.child_facts(AT)


@pytest.mark.parametrize("step", [steps.begrunnelsen_nevner, steps.begrunnelsen_nevner_ikke])
def test_a_reason_step_refuses_a_fact_the_scenario_does_not_have(national_policy: Policy, step) -> None:
    """«begrunnelsen nevner ikke "T2"» in a scenario without `T2` is a typo, not a passing check."""
    verden = _decided(national_policy)
    with pytest.raises(AssertionError, match="no fact `T2`"):
        step(verden, "T2")


def test_the_reason_steps_work_on_known_facts(national_policy: Policy) -> None:
    """The counterpart: a known fact is checked, both ways."""
    verden = _decided(national_policy)
    steps.begrunnelsen_nevner(verden, "U1")
    with pytest.raises(AssertionError):
        steps.begrunnelsen_nevner_ikke(verden, "U1")


@pytest.mark.parametrize(
    ("step", "argument"),
    [
        (steps.begrunnelsen_nevner, "U1"),
        (steps.begrunnelsen_nevner_ikke, "U1"),
        (steps.begrunnelsen_har_koden, "exemption"),
        (steps.hjemmelen_omfatter, "pbrl-3-4-3"),
    ],
)
def test_a_reason_step_fails_when_no_decision_was_made(step, argument: str) -> None:
    """Without a «Når … ser på …» step there is nothing to check: the step fails, it does not pass vacuously."""
    verden = Verden()
    steps.barnet_er_ar(verden, "10")
    steps.unntak(verden, "U1", 'dokumentet "D1"', "alle foreldre", "pbrl-3-4-3")
    with pytest.raises(AssertionError, match="no decision was made"):
        step(verden, argument)


def test_a_reason_step_fails_when_the_facts_were_rejected(national_policy: Policy) -> None:
    """Rejected facts mean no decision: a reason step must not read that as «nothing mentioned»."""
    verden = _decided(national_policy)
    verden.error = ValueError("rejected")
    with pytest.raises(AssertionError, match="rejected"):
        steps.begrunnelsen_nevner_ikke(verden, "U1")


def test_an_outcome_step_checks_the_rules_norwegian_name(national_policy: Policy) -> None:
    """The name beside the id must be the policy's own name for that rule."""
    verden = _decided(national_policy)
    name = steps.regelnavn(national_policy, "exemption")
    steps.far_svar(national_policy, verden, "mor", "ikke innsyn", "exemption", name)
    with pytest.raises(AssertionError, match="is called"):
        steps.far_svar(national_policy, verden, "mor", "ikke innsyn", "exemption", "hovedregelen")


def test_a_parent_registered_with_ansvar_ukjent_is_in_the_register(national_policy: Policy) -> None:
    """The «ukjent» scenario registers mor herself with ansvar ukjent (not merely leaves her out)."""
    verden = Verden()
    steps.barnet_er_ar(verden, "9")
    steps.star_med_ansvar(verden, "mor", "ukjent")
    holders = verden.child_facts(AT).representation.holders
    assert [(h.id, h.responsibility) for h in holders] == [(PERSONER["mor"], Responsibility.UKJENT)]


def test_an_unknown_person_or_entry_fails(national_policy: Policy) -> None:
    """A misspelt name is an error in the scenario, never someone without access."""
    verden = _decided(national_policy)
    with pytest.raises(AssertionError, match="unknown person `onkel`"):
        steps.unntak(verden, "U2", 'dokumentet "D1"', "onkel", "pbrl-3-4-3")
    with pytest.raises(AssertionError, match="no entry"):
        steps.ser_pa(national_policy, verden, "mor", "D2", None, None)


def test_a_fact_recorded_before_an_id_change_names_the_old_id(national_policy: Policy) -> None:
    """The id-change scenarios really put the D-number into the fact, and the fødselsnummer in the register."""
    verden = Verden()
    steps.barnet_er_ar(verden, "13")
    steps.felles_foreldreansvar(verden)
    steps.fikk_fodselsnummer(verden, "far", "01.10.2026 kl. 00:00", None)
    steps.unntak(verden, "U1", 'forløpet "BUP"', "far", "pbrl-3-4-3")
    steps.registrert(verden, "15.09.2026 kl. 10:00", fakta2="U1")
    facts = verden.child_facts(AT)
    assert facts.exemptions[0].applies_to == (steps.D_NUMRE["far"],)
    far = next(h for h in facts.representation.holders if h.id == PERSONER["far"])
    assert far.former_ids == (steps.D_NUMRE["far"],)
    assert [(link.former, link.current) for link in facts.id_links] == [(steps.D_NUMRE["far"], PERSONER["far"])]
