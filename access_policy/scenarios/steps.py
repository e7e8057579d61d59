"""Step definitions for the Norwegian scenarios in `features/`, run against the real engine.

One library for both runners: pytest-bdd (`tests/scenarios`) registers every entry of `STEPS`,
and `access_policy.scenarios.runner` (the `access-policy scenarios` command and the workbench)
matches them itself, so the scenarios run against any policy directory without a source checkout.
A step function asks for what it needs by parameter name: `verden` (the scenario's world),
`policy` (the policy under test), `datatable` (the step's table) and the pattern's named groups.

The steps only collect what a scenario says (the child, the register, clinicians' facts and the
record's items) in a `Verden`; the facts are built when someone looks at an item, because the
decision time decides some of them (how old the register extract is, how old the child is).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
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
    ChildFacts,
    Exemption,
    Holder,
    Item,
    ItemKind,
    NecessaryInformation,
    Representation,
    Responsibility,
    Scope,
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


def _step(type_: str, pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        STEPS.append(StepDefinition(type_, re.compile(pattern), func))
        return func

    return register


def given(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Gitt step (a regular expression matched against the whole step text)."""
    return _step("given", pattern)


def when(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Når step."""
    return _step("when", pattern)


def then(pattern: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a Så step."""
    return _step("then", pattern)

# A number that passes the organisation-number check and belongs to no real service.
BARNEVERNSTJENESTEN = "123456785"

# The people of the scenarios, with synthetic test numbers (month + 80).
PERSONER: dict[str, str] = {
    "mor": make_person_id(datetime.date(1984, 3, 10), 1),
    "far": make_person_id(datetime.date(1982, 7, 21), 2),
    "medmor": make_person_id(datetime.date(1986, 1, 5), 3),
    "bestefar": make_person_id(datetime.date(1950, 9, 9), 4),
    "barnevernstjenesten": BARNEVERNSTJENESTEN,
}
ANSVAR_ALENE = {"mor": Responsibility.MOR, "far": Responsibility.FAR, "medmor": Responsibility.MEDMOR}

ARTER: dict[str, ItemKind] = {
    "avtale": ItemKind.APPOINTMENT,
    "prøvesvar": ItemKind.TEST_RESULT,
    "dokument": ItemKind.DOCUMENT,
    "notat": ItemKind.NOTE,
    "henvisningsbrev": ItemKind.REFERRAL,
    "legemiddel": ItemKind.MEDICATION,
    "vaksinasjon": ItemKind.VACCINATION,
    "melding": ItemKind.MESSAGE,
}
ARTER_FLERTALL: dict[str, ItemKind] = {
    "avtaler": ItemKind.APPOINTMENT,
    "prøvesvar": ItemKind.TEST_RESULT,
    "dokumenter": ItemKind.DOCUMENT,
    "notater": ItemKind.NOTE,
    "henvisningsbrev": ItemKind.REFERRAL,
    "legemidler": ItemKind.MEDICATION,
    "vaksinasjoner": ItemKind.VACCINATION,
    "meldinger": ItemKind.MESSAGE,
}
# How a scenario names one item when it is the target of a clinician's fact.
ELEMENT_ORD = ("elementet", "avtalen", "prøvesvaret", "dokumentet", "notatet", "henvisningsbrevet",
               "legemidlet", "vaksinasjonen", "meldingen")

# The rules whose decision rests on a clinician's fact: its id must be among the reasons.
REGLER_MED_FAKTUM = frozenset(
    {"exemption", "necessary-information", "adolescent-consent", "access-profile", "own-record-consent"}
)

OMFANG = r'(?P<omfang>(?:' + "|".join(ELEMENT_ORD) + r'|forløpet|henvisningen) "[^"]+")'
HVEM_FORELDRE = r"(?P<hvem>alle foreldre|\S+)"
DEFAULT_TODAY = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=OSLO)
REGISTER_EXTRACT = "folkeregisteret"  # the id of the representation fact


def person(navn: str, verden: "Verden") -> str:
    """The id behind a name in a scenario; "barnet" is the child of the scenario."""
    if navn == "barnet":
        return verden.child_id()
    try:
        return PERSONER[navn]
    except KeyError:
        raise AssertionError(f"unknown person `{navn}` in the scenario (known: barnet, {', '.join(PERSONER)})") from None


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


def les_omfang(tekst: str) -> Scope:
    """Read `dokumentet "D1"`, `forløpet "P1"` or `henvisningen "H1"` as a scope."""
    ord_, navn = re.fullmatch(r'(\S+) "([^"]+)"', tekst).groups()
    if ord_ == "forløpet":
        return Scope(pathway=navn)
    if ord_ == "henvisningen":
        return Scope(referral=navn)
    return Scope(item=navn)


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


@dataclass
class Verden:
    """What a scenario has said so far: the child, the register, clinicians' facts and the record."""

    today: datetime.datetime = DEFAULT_TODAY
    birth_date: datetime.date | None = None
    age_years: int | None = None
    birth_date_unknown: bool = False
    representation_missing: bool = False
    holders: list[tuple[str | None, Responsibility]] = field(default_factory=list)
    protection: AddressProtection = AddressProtection.UGRADERT
    retrieved_offset: datetime.timedelta = datetime.timedelta(hours=1)
    facts: dict[str, tuple[type, dict[str, Any]]] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    requester: str | None = None
    decisions: dict[str, Decision] = field(default_factory=dict)
    error: Exception | None = None

    def child_birth_date(self) -> datetime.date | None:
        """The child's birth date as the scenario gave it (directly or as an age today)."""
        if self.birth_date_unknown:
            return None
        if self.birth_date is not None:
            return self.birth_date
        years = 10 if self.age_years is None else self.age_years
        # Three months past the birthday keeps the child well inside the stated age.
        return self.today.astimezone(OSLO).date() - relativedelta(years=years, months=3)

    def child_id(self) -> str:
        """The child's synthetic person number (2032 format when the birth date is unknown)."""
        birth_date = self.child_birth_date()
        return person_id_2032() if birth_date is None else make_person_id(birth_date, 0)

    def add_fact(self, fact_id: str, kind: type, **values: Any) -> None:
        """Remember a clinician's fact; later steps may limit or revoke it."""
        assert fact_id not in self.facts, f"the fact `{fact_id}` is named twice in the scenario"
        self.facts[fact_id] = (kind, {"id": fact_id, **values})

    def child_facts(self, at: datetime.datetime) -> ChildFacts:
        """Build the child's facts as the engine receives them at the decision time."""
        birth_date = self.child_birth_date()
        representation = None
        if not self.representation_missing:
            # The register is read shortly before the decision unless the scenario says otherwise.
            retrieved_at = at - self.retrieved_offset
            holders = tuple(self._holder(name, ansvar) for name, ansvar in self.holders)
            representation = Representation(
                id=REGISTER_EXTRACT,
                birth_date=birth_date,
                address_protection=self.protection,
                holders=holders,
                retrieved_at=retrieved_at,
            )
        built: dict[type, list] = {Exemption: [], Assessment: [], AccessProfile: [], NecessaryInformation: []}
        for kind, values in self.facts.values():
            built[kind].append(kind(**values))
        return ChildFacts(
            child=self.child_id(),
            representation=representation,
            exemptions=tuple(built[Exemption]),
            assessments=tuple(built[Assessment]),
            access_profiles=tuple(built[AccessProfile]),
            necessary_information=tuple(built[NecessaryInformation]),
        )

    def _holder(self, name: str | None, ansvar: Responsibility) -> Holder:
        if name is None:
            return Holder(responsibility=ansvar)
        party = PERSONER[name]
        if party == BARNEVERNSTJENESTEN:
            return Holder(organisation=party, responsibility=ansvar)
        return Holder(id=party, responsibility=ansvar)

    def parties(self, hvem: str) -> str | tuple[str, ...]:
        """`alle foreldre` as "all", else the named representative."""
        return "all" if hvem == "alle foreldre" else (person(hvem, self),)


# --- Gitt: time and the child -------------------------------------------------------------------


@given(r"i dag er (?P<nar>.+)")
def i_dag_er(verden: Verden, nar: str) -> None:
    """Set the time a decision is asked at when the scenario does not say otherwise."""
    verden.today = tidspunkt(nar)


@given(r"barnet er født (?P<fodt>\d{2}\.\d{2}\.\d{4})")
def barnet_er_fodt(verden: Verden, fodt: str) -> None:
    """Give the child's birth date (as in the register and in the child's number)."""
    verden.birth_date = dato(fodt)


@given(r"barnet er (?P<alder>\d+) år")
def barnet_er_ar(verden: Verden, alder: str) -> None:
    """Give the child's age today."""
    verden.age_years = int(alder)


@given(re.escape("barnets fødselsdato er ukjent"))
def barnets_fodselsdato_er_ukjent(verden: Verden) -> None:
    """The child has a number without a birth date and the register has none either."""
    verden.birth_date_unknown = True


# --- Gitt: Folkeregisteret ----------------------------------------------------------------------


@given(re.escape("mor og far har felles foreldreansvar"))
def felles_foreldreansvar(verden: Verden) -> None:
    """Both parents hold parental responsibility together."""
    verden.holders += [("mor", Responsibility.FELLES), ("far", Responsibility.FELLES)]


@given(r"(?P<hvem>\S+) har foreldreansvaret alene")
def foreldreansvar_alene(verden: Verden, hvem: str) -> None:
    """One person or the child welfare service holds parental responsibility alone."""
    assert hvem in PERSONER, f"unknown holder `{hvem}`"
    verden.holders.append((hvem, ANSVAR_ALENE.get(hvem, Responsibility.ANDRE)))


@given(r'(?P<hvem>\S+) står i Folkeregisteret med ansvar "(?P<ansvar>[^"]+)"')
def star_med_ansvar(verden: Verden, hvem: str, ansvar: str) -> None:
    """A holder record with the register's own `ansvar` value."""
    assert hvem in PERSONER, f"unknown holder `{hvem}`"
    verden.holders.append((hvem, Responsibility(ansvar)))


@given(re.escape('foreldreansvaret står som "ukjent" i Folkeregisteret'))
def foreldreansvar_ukjent(verden: Verden) -> None:
    """The register knows of no holder."""
    verden.holders.append((None, Responsibility.UKJENT))


@given(r'barnet har adressebeskyttelse "(?P<grad>[^"]+)"')
def adressebeskyttelse(verden: Verden, grad: str) -> None:
    """The child's address protection grading."""
    verden.protection = AddressProtection(grad)


@given(re.escape("opplysningene fra Folkeregisteret mangler"))
def folkeregisteret_mangler(verden: Verden) -> None:
    """No representation has been read for the child."""
    verden.representation_missing = True


@given(r"opplysningene fra Folkeregisteret ble hentet (?P<lengde>.+) (?P<retning>før|etter) oppslaget")
def hentet_relativt(verden: Verden, lengde: str, retning: str) -> None:
    """The register extract is this much older (før) or newer (etter) than the decision time."""
    offset = varighet(lengde)
    verden.retrieved_offset = offset if retning == "før" else -offset


# --- Gitt: the record ---------------------------------------------------------------------------


@given(
    (
        r'journalen har (?:en|et) (?P<art>\S+) "(?P<element>[^"]+)"'
        r'(?: i forløpet "(?P<forlop>[^"]+)")?(?: fra henvisningen "(?P<henvisning>[^"]+)")?'
    )
)
def journalen_har(verden: Verden, art: str, element: str, forlop: str | None, henvisning: str | None) -> None:
    """One item of the record, optionally in a care pathway and from a referral."""
    verden.items[element] = Item(id=element, kind=ARTER[art], pathway=forlop, referral=henvisning)


@given(re.escape("journalen har:"))
def journalen_har_tabell(verden: Verden, datatable: list[list[str]]) -> None:
    """Several items: columns element, art, forløp, henvisning (the last two may be empty)."""
    header, *rows = datatable
    for row in rows:
        values = dict(zip(header, (cell.strip() for cell in row)))
        element = values["element"]
        verden.items[element] = Item(
            id=element,
            kind=ARTER[values["art"]],
            pathway=values.get("forløp") or None,
            referral=values.get("henvisning") or None,
        )


# --- Gitt: what clinicians have set -------------------------------------------------------------


@given(rf'unntaket "(?P<fakta>[^"]+)" holder {OMFANG} tilbake fra {HVEM_FORELDRE} etter "(?P<hjemmel>[^"]+)"')
def unntak(verden: Verden, fakta: str, omfang: str, hvem: str, hjemmel: str) -> None:
    """An exemption: a clinician withholds an item, pathway or referral from all or one parent."""
    verden.add_fact(
        fakta, Exemption, scope=les_omfang(omfang), applies_to=verden.parties(hvem), legal_basis=hjemmel,
        reason="Samtale med barnet",
    )


@given(
    (
        rf'vurderingen "(?P<fakta>[^"]+)" for {OMFANG} sier at barnet (?P<kan>kan|ikke kan) samtykke selv, '
        r"og at foreldrene (?P<info>skal|ikke skal) informeres"
    )
)
def vurdering(verden: Verden, fakta: str, omfang: str, kan: str, info: str) -> None:
    """A grey-zone assessment of an adolescent's competence to consent to this care."""
    verden.add_fact(
        fakta, Assessment, scope=les_omfang(omfang), adolescent_can_consent=kan == "kan", parents_informed=info == "skal"
    )


@given(r'tilgangen "(?P<fakta>[^"]+)" gir (?P<hvem>\S+) bare innsyn i (?P<arter>.+)')
def tilgang(verden: Verden, fakta: str, hvem: str, arter: str) -> None:
    """A per-parent access profile: this parent sees only these kinds of item."""
    kinds = tuple(ARTER_FLERTALL[art] for art in re.split(r",\s*|\s+og\s+", arter.strip()))
    verden.add_fact(fakta, AccessProfile, representative=person(hvem, verden), kinds=kinds)


@given(r'tilgangen "(?P<fakta>[^"]+)" gir (?P<hvem>\S+) ikke innsyn i noe')
def ingen_tilgang(verden: Verden, fakta: str, hvem: str) -> None:
    """A per-parent access profile that shows this parent nothing."""
    verden.add_fact(fakta, AccessProfile, representative=person(hvem, verden), kinds=())


@given(
    (
        rf'merkingen "(?P<fakta>[^"]+)" viser {OMFANG} til {HVEM_FORELDRE} '
        r"som nødvendig for å ivareta foreldreansvaret"
    )
)
def merking(verden: Verden, fakta: str, omfang: str, hvem: str) -> None:
    """A necessary-information mark: shown to the parents until the child is 18."""
    verden.add_fact(
        fakta, NecessaryInformation, scope=les_omfang(omfang), applies_to=verden.parties(hvem),
        reason="Foreldrene må følge opp behandlingen",
    )


@given(r'(?:unntaket|vurderingen|tilgangen|merkingen) "(?P<fakta>[^"]+)" gjelder (?P<grense>fra|til) (?P<nar>.+)')
def gjelder_fra_til(verden: Verden, fakta: str, grense: str, nar: str) -> None:
    """Limit a fact in time: from (inclusive) or until (exclusive)."""
    verden.facts[fakta][1]["valid_from" if grense == "fra" else "valid_until"] = tidspunkt(nar)


@given(r'(?:unntaket|vurderingen|tilgangen|merkingen) "(?P<fakta>[^"]+)" ble trukket tilbake (?P<nar>.+)')
def trukket_tilbake(verden: Verden, fakta: str, nar: str) -> None:
    """Revoke a fact from a time on (a new record in the store; here the revocation time)."""
    verden.facts[fakta][1]["revoked_at"] = tidspunkt(nar)


@given(r'vurderingen "(?P<fakta>[^"]+)" ble gjort (?P<nar>.+)')
def vurdering_gjort(verden: Verden, fakta: str, nar: str) -> None:
    """When the assessment was made (recorded), which is checked against the child's age."""
    verden.facts[fakta][1]["recorded_at"] = tidspunkt(nar)


# --- Når ----------------------------------------------------------------------------------------


def _decide_all(policy: Policy, verden: Verden, hvem: str, elementer: list[str], nar: str | None) -> None:
    at = tidspunkt(nar) if nar else verden.today
    verden.requester = hvem
    try:
        facts = verden.child_facts(at)
    except ValidationError as error:
        verden.error = error
        return
    items = [verden.items[element] for element in elementer]
    decisions = decide_many(policy, facts, person(hvem, verden), items, at)
    verden.decisions = dict(zip(elementer, decisions))
    # One item through `decide` too, so both entry points answer each scenario alike.
    single = decide(policy, facts, person(hvem, verden), items[0], at)
    assert single == decisions[0]


@when(r'(?P<hvem>\S+) ser på "(?P<element>[^"]+)"(?: (?P<nar>.+))?')
def ser_pa(policy: Policy, verden: Verden, hvem: str, element: str, nar: str | None) -> None:
    """A person looks at one item, now or at the given time."""
    _decide_all(policy, verden, hvem, [element], nar)


@when(r"(?P<hvem>\S+) ser på tidslinjen(?: (?P<nar>.+))?")
def ser_tidslinjen(policy: Policy, verden: Verden, hvem: str, nar: str | None) -> None:
    """A person looks at the whole record, item by item in its order."""
    _decide_all(policy, verden, hvem, list(verden.items), nar)


# --- Så -----------------------------------------------------------------------------------------


def _check(verden: Verden, element: str, svar: str, regel: str) -> Decision:
    assert verden.error is None, f"the facts were rejected: {verden.error}"
    decision = verden.decisions[element]
    expected = Effect.PERMIT if svar == "innsyn" else Effect.DENY
    assert (decision.effect, decision.rule) == (expected, regel), f"`{element}`: {decision.as_dict()}"
    fact_ids = {reason.fact for reason in decision.reasons}
    if regel in REGLER_MED_FAKTUM:
        assert fact_ids & set(verden.facts), f"`{element}`: rule `{regel}` decided but no fact is among the reasons: {decision.as_dict()}"
    if regel == "no-current-representation" and not verden.representation_missing:
        # A stale or future extract is itself the fact that decided.
        assert REGISTER_EXTRACT in fact_ids, f"`{element}`: the register extract is not among the reasons: {decision.as_dict()}"
    return decision


@then(r'får (?P<hvem>\S+) (?P<svar>innsyn|ikke innsyn) etter regel "(?P<regel>[^"]+)"')
def far_svar(verden: Verden, hvem: str, svar: str, regel: str) -> None:
    """The effect and the deciding rule of the item looked at."""
    assert verden.requester == hvem, f"the scenario asked for `{verden.requester}`, not `{hvem}`"
    assert len(verden.decisions) == 1 or verden.error is not None, "use the table step for the timeline"
    (element,) = verden.decisions or [None]
    _check(verden, element, svar, regel)


@then(r'begrunnelsen nevner "(?P<fakta>[^"]+)"')
def begrunnelsen_nevner(verden: Verden, fakta: str) -> None:
    """A fact is among the reasons of every decision just made."""
    for element, decision in verden.decisions.items():
        assert fakta in {reason.fact for reason in decision.reasons}, f"`{element}`: {decision.as_dict()}"


@then(r'begrunnelsen nevner ikke "(?P<fakta>[^"]+)"')
def begrunnelsen_nevner_ikke(verden: Verden, fakta: str) -> None:
    """A fact is not among the reasons of any decision just made."""
    for element, decision in verden.decisions.items():
        assert fakta not in {reason.fact for reason in decision.reasons}, f"`{element}`: {decision.as_dict()}"


@then(r'hjemmelen omfatter "(?P<hjemmel>[^"]+)"')
def hjemmelen_omfatter(verden: Verden, hjemmel: str) -> None:
    """A legal basis is cited by every decision just made."""
    for element, decision in verden.decisions.items():
        assert hjemmel in decision.legal_basis, f"`{element}`: {decision.as_dict()}"


@then(r"er svarene for (?P<hvem>\S+):")
def svarene_er(verden: Verden, hvem: str, datatable: list[list[str]]) -> None:
    """The timeline's answers, item by item: columns element, svar, regel."""
    assert verden.requester == hvem, f"the scenario asked for `{verden.requester}`, not `{hvem}`"
    header, *rows = datatable
    expected = [dict(zip(header, (cell.strip() for cell in row))) for row in rows]
    assert [row["element"] for row in expected] == list(verden.decisions), "the table must list every item in order"
    for row in expected:
        _check(verden, row["element"], row["svar"], row["regel"])


@then(r'avvises vurderingen "(?P<fakta>[^"]+)" fordi barnet ikke var 12–15 år da den ble gjort')
def vurderingen_avvises(verden: Verden, fakta: str) -> None:
    """The assessment is refused when the facts are built: the child was outside the grey zone."""
    assert isinstance(verden.error, ValidationError), f"expected a rejected assessment, got {verden.decisions}"
    message = str(verden.error)
    assert f"`{fakta}`" in message and "12–15" in message, message
