"""Step definitions for the Norwegian scenarios in `features/`, run against the real engine.

One library for both runners: pytest-bdd (`tests/scenarios`) registers every entry of `STEPS`,
and `access_policy.scenarios.runner` (the `access-policy scenarios` command and the workbench)
matches them itself, so the scenarios run against any policy directory without a source checkout.
A step function asks for what it needs by parameter name: `verden` (the scenario's world),
`policy` (the policy under test), `datatable` (the step's table) and the pattern's named groups.

The steps only collect what a scenario says (the child, the register, clinicians' and the
adolescent's facts, the record's items) in a `Verden`; the facts are built when someone looks at
an item, because the decision time decides some of them (how old the register extract is, how
old the child is, which id a person had when a fact was recorded). Every step that names
something the scenario has not introduced (a person, a fact, an item) fails the scenario: a
misspelt id must never make a check pass.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Callable

from dateutil.relativedelta import relativedelta
from pydantic import ValidationError
from stdnum.no import fodselsnummer

from access_policy.age import OSLO
from access_policy.decisions import Decision, Effect, decide, decide_many
from access_policy.facts import (
    AccessProfile,
    AddressProtection,
    Assessment,
    Author,
    CareOrder,
    ChildFacts,
    Exemption,
    Holder,
    IdLink,
    Item,
    ItemKind,
    NecessaryInformation,
    RegisterStatus,
    Representation,
    Responsibility,
    Scope,
    SharingGrant,
)
from access_policy.identity import make_person_id
from access_policy.policy import Policy

# --- The registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepDefinition:
    """One step: its type (given, when, then), its full-match pattern and the function that runs it."""

    type: str
    pattern: re.Pattern[str]
    func: Callable[..., Any]


STEPS: list[StepDefinition] = []


class Regex(str):
    """A step pattern that is a regular expression; a plain string pattern matches itself literally."""


# Spelt as pytest-bdd spells it, so the step definitions read as pytest-bdd users expect.
parsers = SimpleNamespace(re=Regex)


def _step(type_: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    regex = re.compile(pattern if isinstance(pattern, Regex) else re.escape(pattern))

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        STEPS.append(StepDefinition(type_, regex, func))
        return func

    return register


def given(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Gitt step."""
    return _step("given", pattern)


def when(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Når step."""
    return _step("when", pattern)


def then(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Så step."""
    return _step("then", pattern)


# Numbers that pass the organisation-number check and belong to no real service (real ones start with 8 or 9).
BARNEVERNSTJENESTEN = "123456785"
NABOKOMMUNENS_BARNEVERNSTJENESTE = "123456793"

# The people of the scenarios: birth date and serial of their synthetic test numbers (month + 80).
# Each also has a D-number (day + 40) for the scenarios where the register replaces it.
_FODT: dict[str, tuple[datetime.date, int]] = {
    "mor": (datetime.date(1984, 3, 10), 1),
    "far": (datetime.date(1982, 7, 21), 2),
    "medmor": (datetime.date(1986, 1, 5), 3),
    "bestefar": (datetime.date(1950, 9, 9), 4),
}
PERSONER: dict[str, str] = {navn: make_person_id(fodt, serial) for navn, (fodt, serial) in _FODT.items()}
D_NUMRE: dict[str, str] = {navn: make_person_id(fodt, serial, d_number=True) for navn, (fodt, serial) in _FODT.items()}
ORGANISASJONER: dict[str, str] = {
    "barnevernstjenesten": BARNEVERNSTJENESTEN,
    "nabokommunens barnevernstjeneste": NABOKOMMUNENS_BARNEVERNSTJENESTE,
}
ANSVAR_ALENE = {"mor": Responsibility.MOR, "far": Responsibility.FAR, "medmor": Responsibility.MEDMOR}

# Folkeregisteret's gradings and statuses in the words a reader uses (the register's codes beside).
GRADERINGER: dict[str, AddressProtection] = {
    "ugradert": AddressProtection.UGRADERT,
    "klientadresse": AddressProtection.KLIENTADRESSE,
    "fortrolig": AddressProtection.FORTROLIG,
    "strengt fortrolig": AddressProtection.STRENGT_FORTROLIG,
}
STATUSER: dict[str, RegisterStatus] = {
    "bosatt": RegisterStatus.BOSATT,
    "fødselsregistrert": RegisterStatus.FOEDSELSREGISTRERT,
    "midlertidig": RegisterStatus.MIDLERTIDIG,
    "ikke bosatt": RegisterStatus.IKKE_BOSATT,
    "utflyttet": RegisterStatus.UTFLYTTET,
    "forsvunnet": RegisterStatus.FORSVUNNET,
    "opphørt": RegisterStatus.OPPHOERT,
    "inaktiv": RegisterStatus.INAKTIV,
}


def _ord(ordbok: dict, tekst: str, hva: str):
    """Look a scenario's word up, failing with the words that are known."""
    assert tekst in ordbok, f"unknown {hva} `{tekst}` (known: {', '.join(ordbok)})"
    return ordbok[tekst]


# The kinds of journal entry, as a scenario names one entry, several, and all of a scope's.
ARTER: dict[str, ItemKind] = {
    "timeavtale": ItemKind.APPOINTMENT,
    "prøvesvar": ItemKind.TEST_RESULT,
    "dokument": ItemKind.DOCUMENT,
    "notat": ItemKind.NOTE,
    "henvisningsbrev": ItemKind.REFERRAL,
    "legemiddel": ItemKind.MEDICATION,
    "vaksinasjon": ItemKind.VACCINATION,
    "melding": ItemKind.MESSAGE,
}
ARTER_FLERTALL: dict[str, ItemKind] = {
    "timeavtaler": ItemKind.APPOINTMENT,
    "prøvesvar": ItemKind.TEST_RESULT,
    "dokumenter": ItemKind.DOCUMENT,
    "notater": ItemKind.NOTE,
    "henvisningsbrev": ItemKind.REFERRAL,
    "legemidler": ItemKind.MEDICATION,
    "vaksinasjoner": ItemKind.VACCINATION,
    "meldinger": ItemKind.MESSAGE,
}
ARTER_BESTEMT: dict[str, ItemKind] = {
    "timeavtalene": ItemKind.APPOINTMENT,
    "prøvesvarene": ItemKind.TEST_RESULT,
    "dokumentene": ItemKind.DOCUMENT,
    "notatene": ItemKind.NOTE,
    "henvisningsbrevene": ItemKind.REFERRAL,
    "legemidlene": ItemKind.MEDICATION,
    "vaksinasjonene": ItemKind.VACCINATION,
    "meldingene": ItemKind.MESSAGE,
}
# How a scenario names one journal entry when it is the target of a fact.
OPPLYSNING_ORD = ("journalopplysningen", "timeavtalen", "prøvesvaret", "dokumentet", "notatet",
                  "henvisningsbrevet", "legemidlet", "vaksinasjonen", "meldingen")

# Two journal systems that may use the same ids for different things; an id without a system
# is the deployment's own (`local`).
SYSTEMER: dict[str, str] = {
    "sykehuset": "https://sykehus.example/journal",
    "fastlegen": "https://fastlege.example/journal",
}
SYSTEM_GENITIV = {"sykehusets": "sykehuset", "fastlegens": "fastlegen"}

# The rules whose decision rests on a recorded fact: its id must be among the reasons.
REGLER_MED_FAKTUM = frozenset(
    {
        "exemption", "necessary-information", "adolescent-wish", "access-profile", "own-record-consent",
        "shared-by-adolescent", "care-order", "withheld-from-patient",
    }
)

# The time forms a scenario may use: Oslo local time, or ISO 8601 with its own UTC offset.
TID = r"(?:den )?(?:\d{2}\.\d{2}\.\d{4} kl\. \d{2}:\d{2}|\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))"
_ARTLISTE = "(?:" + "|".join(ARTER_BESTEMT) + ")"
_SYSTEM = r'(?: i (?:' + "|".join(SYSTEM_GENITIV) + r') system)?'
OMFANG = (
    rf'(?P<omfang>(?:{_ARTLISTE}(?:(?:, | og ){_ARTLISTE})* i )?'
    rf'(?:hele journalen|(?:{"|".join(OPPLYSNING_ORD)}|forløpet|henvisningen) "[^"]+"{_SYSTEM}))'
)
# Who: one word, or a name of several words from the list of persons and organisations.
_NAVN = "(?:" + "|".join(n for n in ORGANISASJONER if " " in n) + r"|\S+)"
HVEM = rf"(?P<hvem>{_NAVN})"
HVEM_FORELDRE = rf"(?P<hvem>alle foreldre|{_NAVN})"
FAKTA_ORD = r"(?:unntaket|vurderingen|tilgangen|merkingen|delingen|vedtaket)"
DEFAULT_TODAY = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
REGISTER_EXTRACT = "folkeregisteret"  # the id of the representation fact


def tidspunkt(tekst: str) -> datetime.datetime:
    """Read `13.06.2026 kl. 23:59` as Oslo local time, or an ISO time with its own UTC offset."""
    tekst = tekst.strip().removeprefix("den ").strip()
    lokal = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4}) kl\. (\d{2}):(\d{2})", tekst)
    if lokal:
        day, month, year, hour, minute = map(int, lokal.groups())
        return datetime.datetime(year, month, day, hour, minute, tzinfo=OSLO)
    at = datetime.datetime.fromisoformat(tekst)
    if at.tzinfo is None:
        raise AssertionError(f"the time `{tekst}` needs a UTC offset or the form `dd.mm.åååå kl. tt:mm`")
    return at


def dato(tekst: str) -> datetime.date:
    """Read `dd.mm.åååå`."""
    return datetime.datetime.strptime(tekst.strip(), "%d.%m.%Y").date()


_VARIGHET_ENHETER = {
    "dag": "days", "dager": "days", "time": "hours", "timer": "hours", "minutt": "minutes", "minutter": "minutes",
}


def varighet(tekst: str) -> datetime.timedelta:
    """Read `7 dager og 1 minutt`, `4 minutter` and the like."""
    total = datetime.timedelta()
    for del_ in re.split(r",\s*|\s+og\s+", tekst.strip()):
        antall, enhet = del_.split()
        total += datetime.timedelta(**{_VARIGHET_ENHETER[enhet]: int(antall)})
    return total


def les_arter(tekst: str, ordbok: dict[str, ItemKind]) -> tuple[ItemKind, ...]:
    """Read `timeavtaler, prøvesvar og meldinger` with the given word list."""
    ord_ = re.split(r",\s*|\s+og\s+", tekst.strip())
    unknown = [o for o in ord_ if o not in ordbok]
    assert not unknown, f"unknown kinds {unknown} (known: {', '.join(ordbok)})"
    return tuple(ordbok[o] for o in ord_)


def les_omfang(tekst: str) -> Scope:
    """Read `dokumentet "D1"`, `notatene i forløpet "BUP"`, `forløpet "BUP" i sykehusets system`, `hele journalen`."""
    kinds = None
    arter = re.match(rf"({_ARTLISTE}(?:(?:, | og ){_ARTLISTE})*) i ", tekst)
    if arter:
        kinds = les_arter(arter.group(1), ARTER_BESTEMT)
        tekst = tekst[arter.end():]
    if tekst == "hele journalen":
        return Scope(all=True, kinds=kinds)
    found = re.fullmatch(r'(\S+) "([^"]+)"(?: i (\S+) system)?', tekst)
    assert found is not None, f'unknown scope `{tekst}` (e.g. `dokumentet "D1"` or `hele journalen`)'
    ord_, navn, system = found.groups()
    values: dict[str, Any] = {"kinds": kinds}
    if system is not None:
        values["system"] = SYSTEMER[SYSTEM_GENITIV[system]]
    if ord_ == "forløpet":
        return Scope(pathway=navn, **values)
    if ord_ == "henvisningen":
        return Scope(referral=navn, **values)
    return Scope(item=navn, **values)


def person_id_2032() -> str:
    """A valid number in the format used from 2032: no birth date can be read from it."""
    for serial in range(1000):
        base = f"{150000000 + serial:09d}"
        weighted = sum(w * int(d) for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), base))
        check1 = (1 - weighted) % 11  # the sum including the digit leaves remainder 1
        if check1 > 9:
            continue
        check2 = fodselsnummer.calc_check_digit2(base + str(check1))
        if len(check2) == 1:
            return base + str(check1) + check2
    raise AssertionError("no 2032-format number found")


def regelnavn(policy: Policy, regel: str) -> str:
    """The rule's Norwegian name, from the policy's own rule table (one home for the names)."""
    rule = policy.rule(regel)
    assert rule is not None, f"the policy has no rule `{regel}`"
    return rule.name_no


@dataclass
class Innehaver:
    """One parental-responsibility record as a scenario describes it (a name, not yet an id)."""

    navn: str | None
    ansvar: Responsibility
    fra: datetime.datetime | None = None
    til: datetime.datetime | None = None
    adressebeskyttelse: AddressProtection = AddressProtection.UGRADERT


@dataclass
class Faktum:
    """A recorded fact as a scenario describes it: persons stay names until the fact is built."""

    kind: type
    values: dict[str, Any]
    # Fields naming persons: the ids are those the persons had when the fact was recorded.
    navn: dict[str, str | tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Verden:
    """What a scenario has said so far: the child, the register, the recorded facts and the record."""

    today: datetime.datetime = DEFAULT_TODAY
    birth_date: datetime.date | None = None
    age_years: int | None = None
    birth_date_unknown: bool = False
    representation_missing: bool = False
    holders: list[Innehaver] = field(default_factory=list)
    protection: AddressProtection = AddressProtection.UGRADERT
    status: RegisterStatus = RegisterStatus.BOSATT
    death_date: datetime.date | None = None
    # When a person (or "barnet") got a fødselsnummer in place of a D-number, and where the
    # change is known: in the register's current extract, in the store's id history, or both.
    id_changes: dict[str, datetime.datetime] = field(default_factory=dict)
    id_change_known: dict[str, str] = field(default_factory=dict)
    retrieved_offset: datetime.timedelta = datetime.timedelta(hours=1)
    facts: dict[str, Faktum] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    requester: str | None = None
    decisions: dict[str, Decision] = field(default_factory=dict)
    decided_at: datetime.datetime | None = None
    requester_id: str | None = None
    error: Exception | None = None

    # --- the child and the persons

    def child_birth_date(self) -> datetime.date | None:
        """The child's birth date as the scenario gave it (directly or as an age today)."""
        if self.birth_date_unknown:
            return None
        if self.birth_date is not None:
            return self.birth_date
        if self.age_years is None:
            raise AssertionError(
                "the scenario does not say how old the child is: add «Gitt barnet er N år», "
                "«Gitt barnet er født dd.mm.åååå» or «Gitt barnets fødselsdato er ukjent»"
            )
        # Three months past the birthday keeps the child well inside the stated age.
        return self.today.astimezone(OSLO).date() - relativedelta(years=self.age_years, months=3)

    def _child_numbers(self) -> tuple[str, str | None]:
        """The child's fødselsnummer (2032 format when the birth date is unknown) and D-number."""
        birth_date = self.child_birth_date()
        if birth_date is None:
            return person_id_2032(), None
        return make_person_id(birth_date, 0), make_person_id(birth_date, 0, d_number=True)

    def _numbers(self, navn: str) -> tuple[str, str | None]:
        if navn == "barnet":
            return self._child_numbers()
        if navn in PERSONER:
            return PERSONER[navn], D_NUMRE[navn]
        if navn in ORGANISASJONER:
            return ORGANISASJONER[navn], None
        known = ", ".join(["barnet", *PERSONER, *ORGANISASJONER])
        raise AssertionError(f"unknown person `{navn}` in the scenario (known: {known})")

    def id_of(self, navn: str, at: datetime.datetime) -> str:
        """The id a person had at `at`: the D-number before a change the scenario gave, else the fødselsnummer."""
        nummer, d_nummer = self._numbers(navn)
        change = self.id_changes.get(navn)
        if change is not None and at < change:
            assert d_nummer is not None, f"`{navn}` has no D-number"
            return d_nummer
        return nummer

    def former_id(self, navn: str) -> str:
        """The D-number a person had before the change the scenario gave."""
        assert navn in self.id_changes, f"the scenario does not say that `{navn}` had a D-number"
        d_nummer = self._numbers(navn)[1]
        assert d_nummer is not None, f"`{navn}` has no D-number"
        return d_nummer

    def _former_ids(self, navn: str, at: datetime.datetime) -> tuple[str, ...]:
        """What the register's extract read at `at` lists as the person's former ids."""
        change = self.id_changes.get(navn)
        if change is None or at < change or self.id_change_known.get(navn) == "historikk":
            return ()
        return (self.former_id(navn),)

    def _id_links(self, at: datetime.datetime) -> tuple[IdLink, ...]:
        """The id changes the store has seen by `at` (from this and earlier register extracts)."""
        links = []
        for navn, change in self.id_changes.items():
            if at >= change and self.id_change_known.get(navn) != "uttrekk":
                nummer, d_nummer = self._numbers(navn)
                links.append(IdLink(former=d_nummer, current=nummer))
        return tuple(links)

    # --- facts

    def add_fact(self, fact_id: str, kind: type, navn: dict[str, Any] | None = None, **values: Any) -> None:
        """Remember a recorded fact; later steps may limit or revoke it."""
        assert fact_id not in self.facts, f"the fact `{fact_id}` is named twice in the scenario"
        self.facts[fact_id] = Faktum(kind, {"id": fact_id, **values}, dict(navn or {}))

    def fact(self, fact_id: str, *kinds: type) -> Faktum:
        """A fact the scenario has introduced (of one of these kinds, when given)."""
        assert fact_id in self.facts, f"the scenario has no fact `{fact_id}` (known: {', '.join(self.facts) or 'none'})"
        faktum = self.facts[fact_id]
        if kinds:
            assert faktum.kind in kinds, f"`{fact_id}` is a {faktum.kind.__name__}, not a {' or '.join(k.__name__ for k in kinds)}"
        return faktum

    def parties(self, hvem: str) -> str | tuple[str, ...]:
        """`alle foreldre` as "all", else the named person (kept as a name until the fact is built)."""
        if hvem == "alle foreldre":
            return "all"
        self._numbers(hvem)  # an unknown name fails here, at the step that uses it
        return (hvem,)

    def _build_fact(self, faktum: Faktum, at: datetime.datetime):
        values = dict(faktum.values)
        recorded = values.get("recorded_at") or at
        for name, who in faktum.navn.items():
            if who == "all":
                values[name] = "all"
            elif isinstance(who, tuple):
                values[name] = tuple(self.id_of(navn, recorded) for navn in who)
            else:
                values[name] = self.id_of(who, recorded)
        if faktum.kind is SharingGrant:
            # The adolescent records a sharing grant on their own initiative, under their id then.
            values["author"] = Author(person=self.id_of("barnet", recorded))
        return faktum.kind(**values)

    # --- what the engine receives

    def child_facts(self, at: datetime.datetime) -> ChildFacts:
        """Build the child's facts as the engine receives them at the decision time."""
        representation = None
        if not self.representation_missing:
            # The register is read shortly before the decision unless the scenario says otherwise.
            retrieved_at = at - self.retrieved_offset
            representation = Representation(
                id=REGISTER_EXTRACT,
                birth_date=self.child_birth_date(),
                address_protection=self.protection,
                status=self.status,
                death_date=self.death_date,
                former_ids=self._former_ids("barnet", retrieved_at),
                holders=tuple(self._holder(spec, retrieved_at) for spec in self.holders),
                retrieved_at=retrieved_at,
            )
        built: dict[type, list] = {
            kind: [] for kind in (Exemption, Assessment, AccessProfile, NecessaryInformation, SharingGrant, CareOrder)
        }
        for faktum in self.facts.values():
            built[faktum.kind].append(self._build_fact(faktum, at))
        return ChildFacts(
            child=self.id_of("barnet", at),
            representation=representation,
            exemptions=tuple(built[Exemption]),
            assessments=tuple(built[Assessment]),
            access_profiles=tuple(built[AccessProfile]),
            necessary_information=tuple(built[NecessaryInformation]),
            sharing_grants=tuple(built[SharingGrant]),
            care_orders=tuple(built[CareOrder]),
            id_links=self._id_links(at),
        )

    def _holder(self, spec: Innehaver, at: datetime.datetime) -> Holder:
        validity = {"valid_from": spec.fra, "valid_until": spec.til, "address_protection": spec.adressebeskyttelse}
        if spec.navn is None:
            return Holder(responsibility=spec.ansvar, **validity)
        if spec.navn in ORGANISASJONER:
            return Holder(organisation=ORGANISASJONER[spec.navn], responsibility=spec.ansvar, **validity)
        return Holder(
            id=self.id_of(spec.navn, at), former_ids=self._former_ids(spec.navn, at), responsibility=spec.ansvar,
            **validity,
        )

    def holder_records(self, hvem: str) -> list[Innehaver]:
        """The register's records naming this person (at least one: else the step is wrong)."""
        found = [spec for spec in self.holders if spec.navn == hvem]
        assert found, f"`{hvem}` is not registered with parental responsibility in the scenario"
        return found

    def decided(self) -> dict[str, Decision]:
        """The decisions just made; a step about decisions fails when none were made."""
        assert self.error is None, f"the facts were rejected: {self.error}"
        assert self.decisions, "no decision was made: the scenario needs a «Når … ser på …» step first"
        return self.decisions




# --- Gitt: time and the child -------------------------------------------------------------------


@given(parsers.re(rf"i dag er (?P<nar>{TID})"))
def i_dag_er(verden: Verden, nar: str) -> None:
    """Set the time a decision is asked at when the scenario does not say otherwise."""
    verden.today = tidspunkt(nar)


@given(parsers.re(r"barnet er født (?P<fodt>\d{2}\.\d{2}\.\d{4})"))
def barnet_er_fodt(verden: Verden, fodt: str) -> None:
    """Give the child's birth date (as in the register and in the child's number)."""
    verden.birth_date = dato(fodt)


@given(parsers.re(r"barnet er (?P<alder>\d+) år"))
def barnet_er_ar(verden: Verden, alder: str) -> None:
    """Give the child's age today."""
    verden.age_years = int(alder)


@given("barnets fødselsdato er ukjent")
def barnets_fodselsdato_er_ukjent(verden: Verden) -> None:
    """The child has a number without a birth date and the register has none either."""
    verden.birth_date_unknown = True


# --- Gitt: Folkeregisteret ----------------------------------------------------------------------


@given("mor og far har felles foreldreansvar")
def felles_foreldreansvar(verden: Verden) -> None:
    """Both parents hold parental responsibility together."""
    verden.holders += [Innehaver("mor", Responsibility.FELLES), Innehaver("far", Responsibility.FELLES)]


@given(parsers.re(r"(?P<hvem>\S+) har foreldreansvaret alene"))
def foreldreansvar_alene(verden: Verden, hvem: str) -> None:
    """One person or the child welfare service holds parental responsibility alone."""
    assert hvem in PERSONER or hvem in ORGANISASJONER, f"unknown holder `{hvem}`"
    verden.holders.append(Innehaver(hvem, ANSVAR_ALENE.get(hvem, Responsibility.ANDRE)))


@given(parsers.re(r'(?P<hvem>\S+) står i Folkeregisteret med ansvar "(?P<ansvar>[^"]+)"'))
def star_med_ansvar(verden: Verden, hvem: str, ansvar: str) -> None:
    """A holder record with the register's own `ansvar` value."""
    assert hvem in PERSONER or hvem in ORGANISASJONER, f"unknown holder `{hvem}`"
    verden.holders.append(Innehaver(hvem, Responsibility(ansvar)))


@given('Folkeregisteret har en foreldreansvarsrelasjon med ansvar "ukjent" uten noen ansvarlig')
def foreldreansvar_ukjent_uten_ansvarlig(verden: Verden) -> None:
    """The register has a responsibility record without a holder: it knows of no holder."""
    verden.holders.append(Innehaver(None, Responsibility.UKJENT))


GENITIV = {"mors": "mor", "fars": "far", "medmors": "medmor", "barnevernstjenestens": "barnevernstjenesten"}


@given(parsers.re(rf"(?P<hvem>{'|'.join(GENITIV)}) foreldreansvar gjelder (?P<grense>fra|til) (?P<nar>{TID})"))
def foreldreansvar_gyldighet(verden: Verden, hvem: str, grense: str, nar: str) -> None:
    """The register's from (inclusive) or to (exclusive) of a holder's record."""
    for spec in verden.holder_records(GENITIV[hvem]):
        setattr(spec, grense, tidspunkt(nar))


@given(parsers.re(r'(?P<hvem>\S+) har selv adressebeskyttelse "(?P<grad>[^"]+)"'))
def egen_adressebeskyttelse(verden: Verden, hvem: str, grad: str) -> None:
    """The holder's own address protection grading, as the register gives it on the holder's record."""
    for spec in verden.holder_records(hvem):
        spec.adressebeskyttelse = _ord(GRADERINGER, grad, "address protection")


@given(parsers.re(r'barnet har adressebeskyttelse "(?P<grad>[^"]+)"'))
def adressebeskyttelse(verden: Verden, grad: str) -> None:
    """The child's address protection grading."""
    verden.protection = _ord(GRADERINGER, grad, "address protection")


@given(parsers.re(r'barnet har status "(?P<status>[^"]+)" i Folkeregisteret'))
def barnets_status(verden: Verden, status: str) -> None:
    """The child's register status (`folkeregisterpersonstatus`)."""
    verden.status = _ord(STATUSER, status, "register status")


@given(parsers.re(r"barnet døde (?P<dodsdato>\d{2}\.\d{2}\.\d{4})"))
def barnet_dode(verden: Verden, dodsdato: str) -> None:
    """The register has the child as dead (`doed`) with this date of death."""
    verden.status = RegisterStatus.DOED
    verden.death_date = dato(dodsdato)


@given("barnet står som død i Folkeregisteret uten dødsdato")
def barnet_dod_uten_dato(verden: Verden) -> None:
    """The register has the child as dead but gives no date of death."""
    verden.status = RegisterStatus.DOED
    verden.death_date = None


_KJENT = {
    "dagens og tidligere uttrekk": None,
    "bare dagens uttrekk": "uttrekk",
    "bare et tidligere uttrekk": "historikk",
}


@given(
    parsers.re(
        rf"(?P<hvem>\S+) fikk fødselsnummer i stedet for D-nummer (?P<nar>{TID})"
        rf"(?:, kjent fra (?P<kjent>{'|'.join(_KJENT)}))?"
    )
)
def fikk_fodselsnummer(verden: Verden, hvem: str, nar: str, kjent: str | None) -> None:
    """A person (or the child) had a D-number until this time and a fødselsnummer from then on.

    By default the change is known both from the register's current extract (the person's former
    ids) and from the store's id history (links seen in earlier extracts); `kjent fra bare …`
    keeps it to one of them.
    """
    verden._numbers(hvem)
    verden.id_changes[hvem] = tidspunkt(nar)
    known = _KJENT[kjent] if kjent is not None else None
    if known is not None:
        verden.id_change_known[hvem] = known


@given("opplysningene fra Folkeregisteret mangler")
def folkeregisteret_mangler(verden: Verden) -> None:
    """No representation has been read for the child."""
    verden.representation_missing = True


@given(parsers.re(r"opplysningene fra Folkeregisteret ble hentet (?P<lengde>.+) (?P<retning>før|etter) oppslaget"))
def hentet_relativt(verden: Verden, lengde: str, retning: str) -> None:
    """The register extract is this much older (før) or newer (etter) than the decision time."""
    offset = varighet(lengde)
    verden.retrieved_offset = offset if retning == "før" else -offset


# --- Gitt: the record ---------------------------------------------------------------------------


def _item(
    verden: Verden, navn: str, art: str, forlop: str | None, henvisning: str | None,
    system: str | None, opprettet: str | None,
) -> None:
    assert art in ARTER, f"unknown kind `{art}` (known: {', '.join(ARTER)})"
    assert navn not in verden.items, f"the journal entry `{navn}` is named twice in the scenario"
    values: dict[str, Any] = {"id": navn, "kind": ARTER[art], "pathway": forlop, "referral": henvisning}
    if system:
        values["system"] = _ord(SYSTEMER, system, "journal system")
    if opprettet:
        values["created"] = tidspunkt(opprettet)
    verden.items[navn] = Item(**values)


@given(
    parsers.re(
        r'journalen har (?:en|et) (?P<art>\S+) "(?P<element>[^"]+)"'
        r'(?: i forløpet "(?P<forlop>[^"]+)")?(?: fra henvisningen "(?P<henvisning>[^"]+)")?'
        rf"(?: i (?P<system>{'|'.join(SYSTEM_GENITIV)}) system)?(?:, skrevet (?P<opprettet>{TID}))?"
    )
)
def journalen_har(
    verden: Verden, art: str, element: str, forlop: str | None, henvisning: str | None,
    system: str | None, opprettet: str | None,
) -> None:
    """One journal entry, optionally in a care pathway, from a referral, in a named system, with its date."""
    _item(verden, element, art, forlop, henvisning, SYSTEM_GENITIV.get(system) if system else None, opprettet)


@given("journalen har:")
def journalen_har_tabell(verden: Verden, datatable: list[list[str]]) -> None:
    """Several entries: columns opplysning, type, and optionally forløp, henvisning, kilde (the system), skrevet."""
    header, *rows = datatable
    header = [cell.strip() for cell in header]
    unknown = set(header) - {"opplysning", "type", "forløp", "henvisning", "kilde", "skrevet"}
    assert not unknown, f"unknown columns {sorted(unknown)}"
    for row in rows:
        values = dict(zip(header, (cell.strip() for cell in row)))
        _item(
            verden, values["opplysning"], values["type"], values.get("forløp") or None,
            values.get("henvisning") or None, values.get("kilde") or None, values.get("skrevet") or None,
        )


# --- Gitt: what clinicians and the adolescent have recorded -------------------------------------


@given(
    parsers.re(
        rf'unntaket "(?P<fakta>[^"]+)" holder {OMFANG} tilbake overfor {HVEM_FORELDRE} etter "(?P<hjemmel>[^"]+)"'
    )
)
def unntak(verden: Verden, fakta: str, omfang: str, hvem: str, hjemmel: str) -> None:
    """An exemption: a clinician withholds an entry, pathway or referral from all parents, one parent, or the child."""
    verden.add_fact(
        fakta, Exemption, navn={"applies_to": verden.parties(hvem)}, scope=les_omfang(omfang),
        legal_basis=hjemmel, reason="Samtale med barnet",
    )


_VURDERING_LEDD: dict[str, tuple[str, bool]] = {
    "kan samtykke selv": ("adolescent_can_consent", True),
    "ikke kan samtykke selv": ("adolescent_can_consent", False),
    "av grunner som bør respekteres ikke vil at foreldrene informeres": ("parents_informed", False),
    "ikke har noe imot at foreldrene informeres": ("parents_informed", True),
}


@given(parsers.re(rf'vurderingen "(?P<fakta>[^"]+)" for {OMFANG} sier at barnet (?P<innhold>.+)'))
def vurdering(verden: Verden, fakta: str, omfang: str, innhold: str) -> None:
    """A grey-zone assessment: the adolescent's competence, wish, or both (joined by «og»).

    «kan samtykke selv» / «ikke kan samtykke selv» is competence (pbrl § 4-3 b); «av grunner som
    bør respekteres ikke vil at foreldrene informeres» / «ikke har noe imot at foreldrene informeres» is the wish
    (§ 3-4 second paragraph).
    """
    values: dict[str, bool] = {}
    for ledd in re.split(r",? og (?=kan |ikke kan |av grunner |ikke har )", innhold.strip()):
        assert ledd in _VURDERING_LEDD, f"unknown part of an assessment `{ledd}` (known: {list(_VURDERING_LEDD)})"
        name, value = _VURDERING_LEDD[ledd]
        assert name not in values, f"the assessment says `{name}` twice"
        values[name] = value
    verden.add_fact(fakta, Assessment, navn=None, scope=les_omfang(omfang), **values)


@given(parsers.re(r'tilgangen "(?P<fakta>[^"]+)" gir (?P<hvem>\S+) bare innsyn i (?P<arter>.+)'))
def tilgang(verden: Verden, fakta: str, hvem: str, arter: str) -> None:
    """A per-parent access profile: this parent sees only these kinds of entry."""
    verden.add_fact(
        fakta, AccessProfile, navn={"representative": verden.parties(hvem)[0]}, kinds=les_arter(arter, ARTER_FLERTALL)
    )


@given(parsers.re(r'tilgangen "(?P<fakta>[^"]+)" gir (?P<hvem>\S+) ikke innsyn i noe'))
def ingen_tilgang(verden: Verden, fakta: str, hvem: str) -> None:
    """A per-parent access profile that shows this parent nothing."""
    verden.add_fact(fakta, AccessProfile, navn={"representative": verden.parties(hvem)[0]}, kinds=())


@given(
    parsers.re(
        rf'merkingen "(?P<fakta>[^"]+)" viser {OMFANG} til {HVEM_FORELDRE} '
        r"som nødvendig for å ivareta foreldreansvaret"
    )
)
def merking(verden: Verden, fakta: str, omfang: str, hvem: str) -> None:
    """A necessary-information mark: shown to the parents until the child is 18."""
    verden.add_fact(
        fakta, NecessaryInformation, navn={"applies_to": verden.parties(hvem)}, scope=les_omfang(omfang),
        reason="Foreldrene må følge opp behandlingen",
    )


@given(parsers.re(rf'delingen "(?P<fakta>[^"]+)" gir (?P<hvem>\S+) innsyn i {OMFANG}'))
def deling(verden: Verden, fakta: str, hvem: str, omfang: str) -> None:
    """A sharing grant: the adolescent (16–17) lets a parent see a scope; the adolescent is its author."""
    verden.parties(hvem)
    verden.add_fact(
        fakta, SharingGrant, navn={"grantee": hvem}, scope=les_omfang(omfang),
    )


@given(
    parsers.re(
        rf'vedtaket "(?P<fakta>[^"]+)" om omsorgsovertakelse gir (?P<hvem>\S+) omsorgen for barnet fra (?P<nar>{TID})'
    )
)
def omsorgsovertakelse(verden: Verden, fakta: str, hvem: str, nar: str) -> None:
    """A care order: the child welfare service (an organisation) has taken over care from this time."""
    assert hvem in ORGANISASJONER, f"a care order names a child welfare service, not `{hvem}`"
    verden.add_fact(fakta, CareOrder, organisation=ORGANISASJONER[hvem], valid_from=tidspunkt(nar))


@given(parsers.re(rf'{FAKTA_ORD} "(?P<fakta>[^"]+)" gjelder (?P<grense>fra|til) (?P<nar>{TID})'))
def gjelder_fra_til(verden: Verden, fakta: str, grense: str, nar: str) -> None:
    """Limit a fact in time: from (inclusive) or until (exclusive)."""
    verden.fact(fakta).values["valid_from" if grense == "fra" else "valid_until"] = tidspunkt(nar)


@given(
    parsers.re(
        rf'{FAKTA_ORD} "(?P<fakta>[^"]+)" ble trukket tilbake (?P<nar>{TID})'
        r"(?P<frigitt>, og det barnet betrodde mens den gjaldt, ble frigitt for foreldrene)?"
    )
)
def trukket_tilbake(verden: Verden, fakta: str, nar: str, frigitt: str | None) -> None:
    """Revoke (withdraw) a fact from a time on; for an assessment, optionally releasing what was confided."""
    faktum = verden.fact(fakta)
    faktum.values["revoked_at"] = tidspunkt(nar)
    if frigitt:
        assert faktum.kind is Assessment, "only a grey-zone assessment releases what was confided"
        faktum.values["release_confided"] = True


@given(parsers.re(rf'(?:vurderingen "(?P<fakta>[^"]+)" ble gjort|{FAKTA_ORD} "(?P<fakta2>[^"]+)" ble registrert) (?P<nar>{TID})'))
def registrert(verden: Verden, nar: str, fakta: str | None = None, fakta2: str | None = None) -> None:
    """When a fact was recorded: the ids it names are those the persons had then (and an assessment's age check)."""
    fact_id = fakta or fakta2
    assert fact_id is not None, "the step names no fact"  # the pattern matches one of the two
    verden.fact(fact_id).values["recorded_at"] = tidspunkt(nar)


# --- Når ----------------------------------------------------------------------------------------


def _decide_all(
    policy: Policy, verden: Verden, hvem: str, elementer: list[str], nar: str | None, nummer: str | None
) -> None:
    at = tidspunkt(nar) if nar else verden.today
    verden.requester, verden.decided_at = hvem, at
    missing = [element for element in elementer if element not in verden.items]
    assert not missing, f"the journal has no entry {missing} (known: {', '.join(verden.items)})"
    assert elementer, "the journal has no entries to look at"
    requester = verden.former_id(hvem) if nummer == "D-nummeret" else verden.id_of(hvem, at)
    verden.requester_id = requester
    try:
        facts = verden.child_facts(at)
    except ValidationError as error:
        verden.error = error
        return
    items = [verden.items[element] for element in elementer]
    decisions = decide_many(policy, facts, requester, items, at)
    verden.decisions = dict(zip(elementer, decisions))
    # One entry through `decide` too, so both entry points answer each scenario alike.
    single = decide(policy, facts, requester, items[0], at)
    assert single == decisions[0]


_SOM = r"(?: med (?P<nummer>D-nummeret|fødselsnummeret) sitt)?"


@when(parsers.re(rf'{HVEM} ser på "(?P<element>[^"]+)"{_SOM}(?: (?P<nar>{TID}))?'))
def ser_pa(policy: Policy, verden: Verden, hvem: str, element: str, nummer: str | None, nar: str | None) -> None:
    """A person looks at one journal entry, now or at the given time, optionally with their former D-number."""
    _decide_all(policy, verden, hvem, [element], nar, nummer)


@when(parsers.re(rf"{HVEM} ser på tidslinjen{_SOM}(?: (?P<nar>{TID}))?"))
def ser_tidslinjen(policy: Policy, verden: Verden, hvem: str, nummer: str | None, nar: str | None) -> None:
    """A person looks at the whole record, entry by entry in its order."""
    _decide_all(policy, verden, hvem, list(verden.items), nar, nummer)


# --- Så -----------------------------------------------------------------------------------------


def _known_fact(verden: Verden, fakta: str) -> None:
    """A reason step may only name a fact the scenario has (else «nevner ikke» would pass by a typo)."""
    known = [*verden.facts, REGISTER_EXTRACT]
    assert fakta in known, f"the scenario has no fact `{fakta}` (known: {', '.join(known)})"


def _check(policy: Policy, verden: Verden, element: str, svar: str, regel: str, navn: str) -> Decision:
    expected_name = regelnavn(policy, regel)
    assert navn == expected_name, f"rule `{regel}` is called «{expected_name}» in the policy, not «{navn}»"
    decision = verden.decided()[element]
    expected = Effect.PERMIT if svar == "innsyn" else Effect.DENY
    assert (decision.effect, decision.rule) == (expected, regel), f"`{element}`: {decision.as_dict()}"
    fact_ids = {reason.fact for reason in decision.reasons}
    if regel in REGLER_MED_FAKTUM:
        assert fact_ids & set(verden.facts), f"`{element}`: rule `{regel}` decided but no fact is among the reasons: {decision.as_dict()}"
    if regel == "no-current-representation" and not verden.representation_missing:
        # A stale or future extract is itself the fact that decided.
        assert REGISTER_EXTRACT in fact_ids, f"`{element}`: the register extract is not among the reasons: {decision.as_dict()}"
    return decision


_SVAR = r'(?P<svar>innsyn|ikke innsyn) etter regel "(?P<regel>[^"]+)" \((?P<navn>[^)]+)\)'


@then(parsers.re(rf"får {HVEM} {_SVAR}"))
def far_svar(policy: Policy, verden: Verden, hvem: str, svar: str, regel: str, navn: str) -> None:
    """The effect and the deciding rule (by id and Norwegian name) of the entry looked at."""
    assert verden.requester == hvem, f"the scenario asked for `{verden.requester}`, not `{hvem}`"
    decisions = verden.decided()
    assert len(decisions) == 1, "use «Så er svarene for …:» for the timeline"
    (element,) = decisions
    _check(policy, verden, element, svar, regel, navn)


@then(parsers.re(rf"er svarene for {HVEM}:"))
def svarene_er(policy: Policy, verden: Verden, hvem: str, datatable: list[list[str]]) -> None:
    """The timeline's answers, entry by entry: columns opplysning, svar, regel, regelnavn."""
    assert verden.requester == hvem, f"the scenario asked for `{verden.requester}`, not `{hvem}`"
    header, *rows = datatable
    expected = [dict(zip((cell.strip() for cell in header), (cell.strip() for cell in row))) for row in rows]
    assert [row["opplysning"] for row in expected] == list(verden.decided()), "the table must list every entry in order"
    for row in expected:
        _check(policy, verden, row["opplysning"], row["svar"], row["regel"], row["regelnavn"])


@then(parsers.re(r'begrunnelsen nevner "(?P<fakta>[^"]+)"'))
def begrunnelsen_nevner(verden: Verden, fakta: str) -> None:
    """A fact is among the reasons of every decision just made."""
    _known_fact(verden, fakta)
    for element, decision in verden.decided().items():
        assert fakta in {reason.fact for reason in decision.reasons}, f"`{element}`: {decision.as_dict()}"


@then(parsers.re(r'begrunnelsen nevner ikke "(?P<fakta>[^"]+)"'))
def begrunnelsen_nevner_ikke(verden: Verden, fakta: str) -> None:
    """A fact is not among the reasons of any decision just made."""
    _known_fact(verden, fakta)
    for element, decision in verden.decided().items():
        assert fakta not in {reason.fact for reason in decision.reasons}, f"`{element}`: {decision.as_dict()}"


@then(parsers.re(r'begrunnelsen har koden "(?P<kode>[^"]+)"'))
def begrunnelsen_har_koden(verden: Verden, kode: str) -> None:
    """A reason with this stable code is among the reasons of every decision just made."""
    for element, decision in verden.decided().items():
        assert kode in {reason.code for reason in decision.reasons}, f"`{element}`: {decision.as_dict()}"


@then(parsers.re(r'hjemmelen omfatter "(?P<hjemmel>[^"]+)"'))
def hjemmelen_omfatter(verden: Verden, hjemmel: str) -> None:
    """A legal basis is cited by every decision just made."""
    for element, decision in verden.decided().items():
        assert hjemmel in decision.legal_basis, f"`{element}`: {decision.as_dict()}"


@then(parsers.re(rf"{HVEM} får det samme svaret som om barnet var et hvilket som helst annet barn"))
def samme_svar_som_ellers(policy: Policy, verden: Verden, hvem: str) -> None:
    """The whole answer (rule, legal basis, reasons) equals that for a child with no protection, status or facts."""
    assert verden.requester == hvem, f"the scenario asked for `{verden.requester}`, not `{hvem}`"
    decisions = verden.decided()
    at, requester_id = verden.decided_at, verden.requester_id
    assert at is not None and requester_id is not None  # set by the step that made the decisions
    vanlig = Verden(
        today=verden.today, birth_date=verden.birth_date, age_years=verden.age_years,
        birth_date_unknown=verden.birth_date_unknown,
        holders=[Innehaver(spec.navn, spec.ansvar) for spec in verden.holders], items=dict(verden.items),
    )
    facts = vanlig.child_facts(at)
    ordinary = decide_many(policy, facts, requester_id, [verden.items[e] for e in decisions], at)
    for (element, decision), other in zip(decisions.items(), ordinary):
        assert decision.as_dict() == other.as_dict(), f"`{element}`: {decision.as_dict()} ≠ {other.as_dict()}"
    # And the scenario did make the child differ from an ordinary one.
    assert facts != verden.child_facts(at), "the scenario's child is an ordinary child"


@then(parsers.re(r'avvises vurderingen "(?P<fakta>[^"]+)" fordi barnet ikke var 12–15 år da den ble gjort'))
def vurderingen_avvises(verden: Verden, fakta: str) -> None:
    """The assessment is refused when the facts are built: the child was outside the grey zone."""
    verden.fact(fakta, Assessment)
    assert isinstance(verden.error, ValidationError), f"expected a rejected assessment, got {verden.decisions}"
    message = str(verden.error)
    assert f"`{fakta}`" in message and "12–15" in message, message
