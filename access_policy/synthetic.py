"""Synthetic, deterministic test data: a population of children and a hand-made demo family set.

Everything here is made up. Person numbers are Skatteetaten-style synthetic test numbers (month
+ 80) made with `access_policy.identity.make_person_id`, unique across at least 1,300,000
children; organisation numbers are valid but arbitrary. The same seed gives the same data.

- `children(n, seed=…)` yields one `SyntheticChild` at a time: its representation as an import
  line and the clinician facts set for it.
- `import_lines(…)` and `fact_drafts(…)` yield only the import lines or only the facts.
- `fill_store(store, n, …)` loads a store through the bulk paths (benchmarks use 1,000,000).
- `demo_families(now)` is the small hand-made set the service's demo mode loads: it exercises
  every rule of the national policy, and `DemoSet.cases` says which request shows which rule.
"""

from __future__ import annotations

import datetime
import json
import random
from dataclasses import dataclass, field
from typing import Any, Iterator

from dateutil.relativedelta import relativedelta
from stdnum.no import orgnr

from access_policy.age import OSLO, local_date
from access_policy.facts import (
    AccessProfileDraft,
    AssessmentDraft,
    Author,
    CareOrderDraft,
    ExemptionDraft,
    FactKind,
    Holder,
    Item,
    ItemKind,
    NecessaryInformationDraft,
    Representation,
    Scope,
    SharingGrantDraft,
    _Draft,
)
from access_policy.identity import make_person_id
from access_policy.store.interface import FactStore

UTC = datetime.timezone.utc
REFERENCE_DATE = datetime.date(2026, 11, 30)
# Children's birth dates cycle through this many consecutive days before the reference date
# (ages 0–19); parents' through as many days from 1 January 1962 (born 1962–1996).
_CHILD_DAYS = 7300
_PARENT_DAYS = 12_400
_PARENT_EPOCH = datetime.date(1962, 1, 1)
# make_person_id's serials 0–249 give about 240 distinct numbers per birth date.
_MAX_SERIAL = 249
REGISTER_AUTHOR = Author(system="folkeregisteret-sync")


def _organisation_numbers(count: int, start: int = 97_458_900) -> tuple[str, ...]:
    found: list[str] = []
    base = start
    while len(found) < count:
        for check in "0123456789":
            if orgnr.is_valid(f"{base:08d}{check}"):
                found.append(f"{base:08d}{check}")
                break
        base += 1
    return tuple(found)


ORGANISATIONS = _organisation_numbers(8)
# The first organisations stand for child welfare services, the others for hospitals and GPs.
CHILD_WELFARE = ORGANISATIONS[:3]
CLINICIANS = tuple(Author(hpr=f"{1_000_001 + n * 7919}", org=ORGANISATIONS[3 + n % 5]) for n in range(20))


class _IdAllocator:
    """Hands out distinct synthetic person numbers per birth date, in a fixed order."""

    def __init__(self) -> None:
        self._next: dict[datetime.date, tuple[int, str | None]] = {}

    def next(self, birth_date: datetime.date) -> str:
        """The next person number for this birth date that has not been handed out."""
        serial, last = self._next.get(birth_date, (0, None))
        while True:
            if serial > _MAX_SERIAL:
                raise ValueError(f"no synthetic person number left for {birth_date}")
            made = make_person_id(birth_date, serial)
            serial += 1
            # Neighbouring serials can land on the same number when check digits are skipped.
            if made != last:
                self._next[birth_date] = (serial, made)
                return made


@dataclass(frozen=True)
class SyntheticChild:
    """One synthetic child: id, birth date, representation as an import line, and its clinician facts."""

    child: str
    birth_date: datetime.date
    line: dict[str, Any]
    facts: tuple[tuple[FactKind, _Draft, Author], ...] = ()

    @property
    def import_line(self) -> str:
        """The representation as one JSON line for `import-representation`."""
        return json.dumps(self.line, separators=(",", ":"))

    @property
    def representation(self) -> Representation:
        """The representation as the engine's fact type."""
        body = {key: value for key, value in self.line.items() if key != "child"}
        return Representation.model_validate(body)


def _age(birth_date: datetime.date, on: datetime.date) -> int:
    years = on.year - birth_date.year
    return years - 1 if birth_date + relativedelta(years=years) > on else years


def _scope(rng: random.Random, index: int) -> Scope:
    pick = rng.random()
    if pick < 0.3:
        return Scope(item=f"doc-{index}-{rng.randrange(100)}")
    if pick < 0.7:
        return Scope(pathway=f"pw-{rng.randrange(20)}")
    return Scope(referral=f"ref-{rng.randrange(20)}")


def children(
    n: int,
    *,
    seed: int = 0,
    today: datetime.date = REFERENCE_DATE,
    retrieved_at: datetime.datetime | None = None,
    fact_rate: float = 1.0,
    start: int = 0,
) -> Iterator[SyntheticChild]:
    """N synthetic children of all ages 0–19 with their representation and (on a fraction) clinician facts.

    `retrieved_at` defaults to 06:00 Oslo time on `today`; `fact_rate` scales how many children
    have facts (1.0: about 5 % exemptions, 10 % of 12–15-year-olds assessed, 3 % access
    profiles, 5 % of 16–17-year-olds with necessary-information marks, 2 % of them sharing with a
    parent, 0.5 % of children under care orders). `start` skips
    the first children of the population (children `start` … `start + n - 1` are yielded), so
    a store can be grown in steps without repeating anyone.
    """
    rng = random.Random(seed)  # reseeded at `start`
    retrieved = retrieved_at or datetime.datetime.combine(today, datetime.time(6), OSLO)
    retrieved_text = retrieved.isoformat()
    made_at = retrieved  # facts are made the same morning: ages are counted then
    child_ids, parent_ids = _IdAllocator(), _IdAllocator()
    parent_counter = 0

    def parent() -> str:
        nonlocal parent_counter
        birth = _PARENT_EPOCH + datetime.timedelta(days=parent_counter % _PARENT_DAYS)
        parent_counter += 1
        return parent_ids.next(birth)

    made_on = local_date(made_at)
    for index in range(start + n):
        birth_date = today - datetime.timedelta(days=1 + index % _CHILD_DAYS)
        child = child_ids.next(birth_date)
        mother, father = parent(), parent()
        if index < start:
            continue  # ids are handed out in order, so the skipped children still take theirs
        if index == start:
            rng = random.Random(f"{seed}/{start}")
            # Sharing grants and care orders draw from their own generator, so the rest of the
            # population is what it was before they existed.
            later = random.Random(f"{seed}/{start}/later-kinds")
        age = _age(birth_date, made_on)
        shape = rng.random()
        if shape < 0.70:
            holders = [{"id": mother, "responsibility": "felles"}, {"id": father, "responsibility": "felles"}]
        elif shape < 0.82:
            holders = [{"id": mother, "responsibility": "mor"}]
        elif shape < 0.88:
            holders = [{"id": father, "responsibility": "far"}]
        elif shape < 0.90:
            holders = [{"id": mother, "responsibility": "medmor"}]
        elif shape < 0.94:
            holders = [{"organisation": rng.choice(CHILD_WELFARE), "responsibility": "andre"}]
        elif shape < 0.97:
            holders = [{"responsibility": "ukjent"}]
        else:
            holders = [{"id": mother, "responsibility": "andre"}]
        protection = rng.random()
        address = (
            "ugradert" if protection < 0.97
            else "klientadresse" if protection < 0.98
            else "fortrolig" if protection < 0.995
            else "strengtFortrolig"
        )
        line = {
            "child": child,
            "birth_date": birth_date.isoformat(),
            "address_protection": address,
            "holders": holders,
            "retrieved_at": retrieved_text,
        }
        facts: list[tuple[FactKind, _Draft, Author]] = []
        persons = [h["id"] for h in holders if "id" in h]
        if age < 16 and rng.random() < 0.05 * fact_rate:
            applies_to: Any = "all" if not persons or rng.random() < 0.5 else (rng.choice(persons),)
            bases = ["pbrl-3-4-3", "pbrl-5-1-2"] + (["pbrl-3-4-2"] if 12 <= age else [])
            until = made_at + datetime.timedelta(days=rng.randrange(30, 400)) if rng.random() < 0.3 else None
            facts.append(
                (
                    FactKind.EXEMPTIONS,
                    ExemptionDraft(
                        scope=_scope(rng, index), applies_to=applies_to, legal_basis=rng.choice(bases),
                        reason="synthetic exemption", valid_until=until,
                    ),
                    rng.choice(CLINICIANS),
                )
            )
        if 12 <= age <= 15 and rng.random() < 0.10 * fact_rate:
            consents = rng.random() < 0.7
            facts.append(
                (
                    FactKind.ASSESSMENTS,
                    AssessmentDraft(
                        scope=Scope(pathway=f"pw-{rng.randrange(20)}"), adolescent_can_consent=consents,
                        parents_informed=not consents or rng.random() < 0.3, note="synthetic assessment",
                    ),
                    rng.choice(CLINICIANS),
                )
            )
        if len(persons) == 2 and age < 16 and rng.random() < 0.03 * fact_rate:
            kinds = tuple(k for k in ItemKind if rng.random() < 0.4)
            facts.append(
                (FactKind.ACCESS_PROFILES, AccessProfileDraft(representative=persons[1], kinds=kinds), rng.choice(CLINICIANS))
            )
        if 16 <= age <= 17 and rng.random() < 0.05 * fact_rate:
            facts.append(
                (
                    FactKind.NECESSARY_INFORMATION,
                    NecessaryInformationDraft(scope=_scope(rng, index), applies_to="all", reason="synthetic mark"),
                    rng.choice(CLINICIANS),
                )
            )
        if 16 <= age <= 17 and persons and later.random() < 0.02 * fact_rate:
            grant = SharingGrantDraft(grantee=later.choice(persons), scope=Scope(pathway=f"pw-{later.randrange(20)}"))
            facts.append((FactKind.SHARING_GRANTS, grant, Author(person=child)))  # the adolescent's own
        if age < 18 and persons and later.random() < 0.005 * fact_rate:
            since = made_at - datetime.timedelta(days=later.randrange(1, 2000))
            order = CareOrderDraft(organisation=later.choice(CHILD_WELFARE), valid_from=since)
            facts.append((FactKind.CARE_ORDERS, order, later.choice(CLINICIANS)))
        yield SyntheticChild(child, birth_date, line, tuple(facts))


def import_lines(n: int, *, seed: int = 0, today: datetime.date = REFERENCE_DATE, **options: Any) -> Iterator[str]:
    """The representation of N synthetic children as import lines (JSON, one child per line)."""
    for synthetic in children(n, seed=seed, today=today, **options):
        yield synthetic.import_line


def fact_drafts(
    n: int, *, seed: int = 0, today: datetime.date = REFERENCE_DATE, **options: Any
) -> Iterator[tuple[str, FactKind, _Draft, Author]]:
    """The clinician facts of N synthetic children as (child, kind, draft, author)."""
    for synthetic in children(n, seed=seed, today=today, **options):
        for kind, draft, author in synthetic.facts:
            yield synthetic.child, kind, draft, author


def fact_time(today: datetime.date = REFERENCE_DATE) -> datetime.datetime:
    """When the synthetic facts of `today` are recorded (ages for assessments are counted then)."""
    return datetime.datetime.combine(today, datetime.time(6), OSLO)


@dataclass(frozen=True)
class FillSummary:
    """What `fill_store` stored."""

    children: int
    facts: int
    rejected: int


def fill_store(
    store: FactStore,
    n: int,
    *,
    seed: int = 0,
    today: datetime.date = REFERENCE_DATE,
    start: int = 0,
    batch_size: int = 5000,
    progress: Any = None,
) -> FillSummary:
    """Load N synthetic children into a store through the bulk paths (representation import, bulk facts)."""
    pending: list[tuple[str, FactKind, _Draft, Author]] = []
    lines: list[str] = []
    stored_facts = rejected = imported = 0
    now = fact_time(today)

    def flush() -> None:
        nonlocal stored_facts, rejected, imported
        summary = store.import_representations(lines, batch_size=batch_size, now=now)
        imported += summary.imported + summary.unchanged + summary.refreshed
        rejected += summary.rejected
        stored_facts += store.create_facts_bulk(pending, now=now, batch_size=batch_size)
        if progress is not None:
            progress(len(lines))
        lines.clear()
        pending.clear()

    for synthetic in children(n, seed=seed, today=today, start=start):
        lines.append(synthetic.import_line)
        pending.extend((synthetic.child, kind, draft, author) for kind, draft, author in synthetic.facts)
        if len(lines) >= batch_size * 10:
            flush()
    flush()
    return FillSummary(imported, stored_facts, rejected)


# ----------------------------------------------------------------------------- demo families


@dataclass(frozen=True)
class DemoFamily:
    """A hand-made family: who is who, the child's representation and the facts clinicians set."""

    name: str
    description: str
    child: str
    people: dict[str, str]
    representation: Representation
    facts: tuple[tuple[FactKind, _Draft, Author], ...] = ()


@dataclass(frozen=True)
class DemoCase:
    """A request over the demo families and the rule of the national policy that decides it."""

    description: str
    requester: str
    child: str
    item: Item
    at: datetime.datetime
    rule: str
    effect: str


@dataclass(frozen=True)
class DemoSet:
    """The demo families, and one request per rule of the national policy showing that rule."""

    families: tuple[DemoFamily, ...]
    cases: tuple[DemoCase, ...] = field(default=())


def _aged(today: datetime.date, years: int, days: int = 40) -> datetime.date:
    """A birth date making the child `years` old today, with the birthday `days` ago."""
    return today - relativedelta(years=years) - datetime.timedelta(days=days)


def demo_families(now: datetime.datetime | None = None) -> DemoSet:
    """The demo family set: representations and clinician facts, with a request showing every policy rule.

    Ages and freshness are relative to `now` (default: the current time), so the set works on
    whatever day the demo runs. Load it with `load_demo_families(store, demo)`.
    """
    now = (now or datetime.datetime.now(UTC)).astimezone(UTC)
    today = local_date(now)
    fresh = now - datetime.timedelta(hours=2)
    doctor = CLINICIANS[0]
    ids = _IdAllocator()

    def person(birth: datetime.date) -> str:
        return ids.next(birth)

    def item(item_id: str, kind: str = "note", **extra: Any) -> Item:
        return Item(id=item_id, kind=kind, **extra)

    families: list[DemoFamily] = []
    cases: list[DemoCase] = []

    def family(name, description, years, holders, *, protection="ugradert", retrieved=fresh, facts=(), birth=None,
               status="bosatt", death_date=None, holder_records=None, former=()):
        """`holder_records` adds fields to a role's holder record; `former` lists roles given a former D-number."""
        birth = birth or _aged(today, years)
        child = person(birth)
        people = {"child": child}
        built = []
        child_former: tuple[str, ...] = ()
        if "child" in former:
            people["child-former"] = make_person_id(birth, 200, d_number=True)
            child_former = (people["child-former"],)
        for role, responsibility in holders:
            if role == "child-welfare":
                people[role] = CHILD_WELFARE[0]
                built.append(Holder(organisation=CHILD_WELFARE[0], responsibility=responsibility))
            elif role == "unknown":
                built.append(Holder(responsibility="ukjent"))
            else:
                born = _aged(today, 38 if role == "mother" else 41, 100)
                people[role] = person(born)
                extra = dict((holder_records or {}).get(role, {}))
                if role in former:
                    people[f"{role}-former"] = make_person_id(born, 200, d_number=True)
                    extra["former_ids"] = (people[f"{role}-former"],)
                built.append(Holder(id=people[role], responsibility=responsibility, **extra))
        for role in ("mother", "father"):
            people.setdefault(role, person(_aged(today, 40, 200)))
        people.setdefault("child-welfare", CHILD_WELFARE[0])
        representation = Representation(
            birth_date=birth, address_protection=protection, holders=tuple(built), retrieved_at=retrieved,
            status=status, death_date=death_date, former_ids=child_former,
        )
        # Sharing grants are the adolescent's own: authored by the child, not by a clinician.
        made = tuple(
            (kind, draft(people), Author(person=child) if kind is FactKind.SHARING_GRANTS else doctor) for kind, draft in facts
        )
        result = DemoFamily(name, description, child, people, representation, made)
        families.append(result)
        return result

    def case(description, fam, requester_role, the_item, rule, effect, at=None):
        requester = fam.people[requester_role]
        cases.append(DemoCase(description, requester, fam.child, the_item, at or now, rule, effect))

    hansen = family(
        "Hansen", "8 years, two parents with joint responsibility; the psychology pathway is withheld from the father",
        8, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.EXEMPTIONS, lambda p: ExemptionDraft(
            scope=Scope(pathway="pw-psykologi"), applies_to=(p["father"],), legal_basis="pbrl-3-4-3",
            reason="weighty concerns for the child"))],
    )
    case("the mother sees an appointment", hansen, "mother", item("apt-1", "appointment"), "main-rule", "permit")
    case("the father does not see the withheld pathway", hansen, "father",
         item("note-psyk", pathway="pw-psykologi"), "exemption", "deny")
    case("an 8-year-old has no own digital access", hansen, "child", item("apt-1", "appointment"), "default-deny", "deny")

    berg = family(
        "Berg", "13 years; can consent to the sexual-health pathway and wishes the parents not to be informed",
        13, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.ASSESSMENTS, lambda p: AssessmentDraft(
            scope=Scope(pathway="pw-helsestasjon"), adolescent_can_consent=True, parents_informed=False,
            note="talked with the adolescent alone"))],
    )
    case("the mother does not see the adolescent's own pathway", berg, "mother",
         item("note-hs", pathway="pw-helsestasjon"), "adolescent-wish", "deny")
    case("the adolescent sees their own pathway", berg, "child",
         item("note-hs", pathway="pw-helsestasjon"), "own-record-consent", "permit")

    dahl = family(
        "Dahl", "16 years with diabetes: the diabetes referral is marked necessary for parental responsibility",
        16, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.NECESSARY_INFORMATION, lambda p: NecessaryInformationDraft(
            scope=Scope(referral="ref-diabetes"), applies_to="all", reason="insulin follow-up at home"))],
    )
    case("parents see what is necessary for their responsibility", dahl, "mother",
         item("res-1", "test_result", referral="ref-diabetes"), "necessary-information", "permit")
    case("parents of a 16-year-old see nothing else", dahl, "father", item("note-2"), "child-16-17", "deny")
    case("a 16-year-old sees their own record", dahl, "child", item("note-2"), "own-record-16", "permit")

    lie = family(
        "Lie", "10 years; after talking with the child the father sees appointments only",
        10, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.ACCESS_PROFILES, lambda p: AccessProfileDraft(
            representative=p["father"], kinds=("appointment",)))],
    )
    case("the father does not see notes", lie, "father", item("note-3"), "access-profile", "deny")

    moe = family("Moe", "7 years; only the mother has parental responsibility", 7, [("mother", "mor")])
    case("a father without parental responsibility has no digital access", moe, "father", item("apt-2", "appointment"),
         "no-parental-responsibility", "deny")

    strand = family("Strand", "9 years with a confidential address (fortrolig)", 9,
                    [("mother", "felles"), ("father", "felles")], protection="fortrolig")
    case("no digital representation under a protected address", strand, "mother", item("apt-3", "appointment"),
         "address-protection", "deny")

    vik = family("Vik", "19 years: an adult; the register still lists the parents", 19,
                 [("mother", "felles"), ("father", "felles")])
    case("parents of an adult have no access", vik, "mother", item("apt-4", "appointment"), "child-adult", "deny")

    nilsen = family("Nilsen", "11 years; the register was last read 30 days ago", 11,
                    [("mother", "felles"), ("father", "felles")], retrieved=now - datetime.timedelta(days=30))
    case("stale representation denies", nilsen, "mother", item("apt-5", "appointment"), "no-current-representation", "deny")

    barnevern = family("Barnevern", "6 years; the child welfare service has taken over care", 6,
                       [("child-welfare", "andre")])
    case("the child welfare service sees the record", barnevern, "child-welfare", item("apt-6", "appointment"),
         "main-rule", "permit")

    # Born two days ago: asking at 23:58 the evening before the birth, with the register read at
    # 00:02 on the birthday (within the clock-skew allowance), the child has no age yet.
    birthday = today - datetime.timedelta(days=2)
    newborn = family("Nyfødt", "born two days ago", 0, [("mother", "felles"), ("father", "felles")],
                     birth=birthday,
                     retrieved=datetime.datetime.combine(birthday, datetime.time(0, 2), OSLO).astimezone(UTC))
    before_birth = datetime.datetime.combine(birthday - datetime.timedelta(days=1), datetime.time(23, 58), OSLO)
    case("a decision time before the birth gives no age", newborn, "mother", item("apt-7", "appointment"),
         "birth-date-unknown", "deny", at=before_birth.astimezone(UTC))

    # --- the register's full picture, the wish, withholding from the patient, sharing, care orders

    aas = family("Aas", "9 years; the mother has a confidential address (strengt fortrolig) herself", 9,
                 [("mother", "felles"), ("father", "felles")],
                 holder_records={"mother": {"address_protection": "strengtFortrolig"}})
    case("a parent with a confidential address cannot represent", aas, "mother", item("apt-8", "appointment"),
         "requester-address-protection", "deny")
    case("the other parent still can", aas, "father", item("apt-8", "appointment"), "main-rule", "permit")

    lund = family("Lund", "5 years; died ten days ago (the register still lists the parents)", 5,
                  [("mother", "felles"), ("father", "felles")], status="doed", death_date=today - datetime.timedelta(days=10))
    case("digital representation ends at death (access on request only)", lund, "mother", item("apt-9", "appointment"),
         "child-deceased", "deny")

    eide = family("Eide", "12 years; the id is no longer in use (opphoert)", 12,
                  [("mother", "felles"), ("father", "felles")], status="opphoert")
    case("nothing is shown under an id no longer in use", eide, "mother", item("apt-10", "appointment"),
         "child-id-inactive", "deny")

    foss = family("Foss", "16 years; has emigrated (utflyttet)", 16, [("mother", "felles"), ("father", "felles")],
                  status="utflyttet")
    case("parents of an emigrated child are not represented", foss, "mother", item("res-2", "test_result"),
         "child-not-resident", "deny")
    case("the emigrated adolescent keeps their own access", foss, "child", item("res-2", "test_result"), "own-record-16", "permit")

    haug = family(
        "Haug", "8 years; the child welfare service took over care 60 days ago; the parents keep joint responsibility",
        8, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.CARE_ORDERS, lambda p: CareOrderDraft(
            organisation=p["child-welfare"], valid_from=now - datetime.timedelta(days=60), reference="demo-care-order"))],
    )
    case("a care order suspends the parents' digital access", haug, "mother", item("apt-11", "appointment"), "care-order", "deny")
    case("the child welfare service consents and sees", haug, "child-welfare", item("apt-11", "appointment"), "main-rule", "permit")

    holm = family(
        "Holm", "14 years; did not want the parents told about the psychologist (no competence assessed)",
        14, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.ASSESSMENTS, lambda p: AssessmentDraft(
            scope=Scope(pathway="pw-psykolog", kinds=("note", "document")), parents_informed=False,
            note="the adolescent's wish, for reasons that should be respected"))],
    )
    case("the wish alone keeps the notes from the parents", holm, "father",
         item("note-psy", pathway="pw-psykolog"), "adolescent-wish", "deny")
    case("the pathway's appointments stay visible (the wish covers notes and documents)", holm, "father",
         item("apt-psy", "appointment", pathway="pw-psykolog"), "main-rule", "permit")

    ruud = family(
        "Ruud", "16 years; one document is withheld from the adolescent (pbrl §5-1 second paragraph)",
        16, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.EXEMPTIONS, lambda p: ExemptionDraft(
            scope=Scope(item="doc-risk"), applies_to=(p["child"],), legal_basis="pbrl-5-1-2",
            reason="clearly necessary to prevent serious harm to the patient's health"))],
    )
    case("the adolescent does not see what is withheld from them", ruud, "child", item("doc-risk", "document"),
         "withheld-from-patient", "deny")

    bakke = family(
        "Bakke", "17 years; shares the orthopaedics pathway's appointments with the mother",
        17, [("mother", "felles"), ("father", "felles")],
        facts=[(FactKind.SHARING_GRANTS, lambda p: SharingGrantDraft(
            grantee=p["mother"], scope=Scope(pathway="pw-ortopedi", kinds=("appointment",))))],
    )
    case("the mother sees what the adolescent shared", bakke, "mother", item("apt-ort", "appointment", pathway="pw-ortopedi"),
         "shared-by-adolescent", "permit")
    case("the father does not", bakke, "father", item("apt-ort", "appointment", pathway="pw-ortopedi"), "child-16-17", "deny")

    sand = family(
        "Sand", "11 years; the father had a D-number when the exemption was set, and has a fødselsnummer now",
        11, [("mother", "felles"), ("father", "felles")], former=("father",),
        facts=[(FactKind.EXEMPTIONS, lambda p: ExemptionDraft(
            scope=Scope(pathway="pw-barnevern-samtale"), applies_to=(p["father-former"],), legal_basis="pbrl-3-4-3",
            reason="weighty concerns for the child"))],
    )
    case("an exemption under the father's former id still holds", sand, "father",
         item("note-bs", pathway="pw-barnevern-samtale"), "exemption", "deny")

    dale = family("Dale", "10 years; the father's parental responsibility ended 20 days ago", 10,
                  [("mother", "mor"), ("father", "felles")],
                  holder_records={"father": {"valid_until": now - datetime.timedelta(days=20)}})
    case("an ended responsibility record is not a holder", dale, "father", item("apt-12", "appointment"),
         "no-parental-responsibility", "deny")

    return DemoSet(tuple(families), tuple(cases))


def load_demo_families(store: FactStore, demo: DemoSet, *, author: Author = REGISTER_AUTHOR) -> dict[str, list[Any]]:
    """Store the demo families (representations, then facts); the stored facts by family name."""
    stored: dict[str, list[Any]] = {}
    for family in demo.families:
        store.put_representation(family.child, family.representation, author)
        stored[family.name] = [store.create_fact(family.child, kind, draft, by)[0] for kind, draft, by in family.facts]
    return stored

