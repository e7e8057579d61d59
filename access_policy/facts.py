"""The facts the engine decides over: items, representation and what clinicians and adolescents set.

Facts are values: the engine reads them and never changes them. Validation happens here, when a
fact is built, so the decision core can trust what it is given. Every list and string is bounded
(a fact is small, and a decision's cost must not grow with what one writer sends), and every
instant is plausible (years 1900–2199, any UTC offset), so nothing later overflows.

Each kind of fact is described once, in `FACT_KINDS`: its record and draft types, who writes it
and with which scope. The store, the service and the API read that table.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)
from pydantic_core import PydanticCustomError

from access_policy.age import OSLO, age_at
from access_policy.errors import InvalidIdError
from access_policy.identity import parse_organisation_number, parse_party_id, parse_person_id
from access_policy.instants import check_plausible

# ----------------------------------------------------------------------------- vocabularies


class ItemKind(str, enum.Enum):
    """The kinds of record item a journal system describes."""

    APPOINTMENT = "appointment"
    TEST_RESULT = "test_result"
    DOCUMENT = "document"
    NOTE = "note"
    REFERRAL = "referral"
    MEDICATION = "medication"
    VACCINATION = "vaccination"
    MESSAGE = "message"


class Responsibility(str, enum.Enum):
    """Folkeregisteret's `ansvar` of a parental-responsibility record."""

    FELLES = "felles"
    MOR = "mor"
    FAR = "far"
    MEDMOR = "medmor"
    ANDRE = "andre"
    UKJENT = "ukjent"


class AddressProtection(str, enum.Enum):
    """Folkeregisteret's `adressebeskyttelse` grading."""

    UGRADERT = "ugradert"
    KLIENTADRESSE = "klientadresse"
    FORTROLIG = "fortrolig"
    STRENGT_FORTROLIG = "strengtFortrolig"

    @property
    def protects(self) -> bool:
        """True for the gradings under which a person can neither represent nor be represented."""
        return self in (AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG)


class RegisterStatus(str, enum.Enum):
    """Folkeregisteret's `folkeregisterpersonstatus` (docs/policy.md says how each is read)."""

    BOSATT = "bosatt"
    FOEDSELSREGISTRERT = "foedselsregistrert"
    MIDLERTIDIG = "midlertidig"
    IKKE_BOSATT = "ikkeBosatt"
    UTFLYTTET = "utflyttet"
    FORSVUNNET = "forsvunnet"
    DOED = "doed"
    OPPHOERT = "opphoert"
    INAKTIV = "inaktiv"


EXEMPTION_LEGAL_BASES = ("pbrl-3-4-3", "pbrl-5-1-2", "pbrl-3-4-2")
# Withholding from the patient (the child as the target) has one basis: §5-1 second paragraph.
PATIENT_EXEMPTION_LEGAL_BASES = ("pbrl-5-1-2",)
NECESSARY_INFORMATION_LEGAL_BASES = ("pbrl-3-4-4",)
ExemptionLegalBasis = Literal["pbrl-3-4-3", "pbrl-5-1-2", "pbrl-3-4-2"]

# An id without a source system belongs to the deployment's own, single system.
LOCAL_SYSTEM = "local"

MAX_TARGETS = 20  # named representatives of one fact: a child has a handful at most
MAX_FORMER_IDS = 10
# Holders of parental responsibility in one representation: the register lists a handful at most.
MAX_HOLDERS = 20
# The reason kept with a revocation.
REVOCATION_REASON_MAX = 1000
# A client's idempotency key for a create: a retry with the same key returns the first record.
IDEMPOTENCY_KEY_MAX = 200
MAX_TEXT = 4000
MAX_IDENTIFIER = 200
MAX_LABELS = 50  # labels on one item
MAX_LABEL = 100  # characters in one label

# ----------------------------------------------------------------------------- field types


def _id_validator(parse: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap an id parser so a bad id is a pydantic error at the field's own location."""

    def validate(value: str) -> str:
        try:
            return parse(value)
        except InvalidIdError as error:
            message = error.problems[0].message if error.problems else error.message
            raise PydanticCustomError("invalid_id", "{message}", {"message": message}) from None

    return validate


_person_id = _id_validator(lambda value: parse_person_id(value).value)
_party_id = _id_validator(parse_party_id)
_org_number = _id_validator(parse_organisation_number)

def _plausible_instant(value: datetime.datetime) -> datetime.datetime:
    try:
        check_plausible(value)
    except ValueError as error:
        raise PydanticCustomError("implausible_instant", "{message}", {"message": str(error)}) from None
    return value


def _plausible_date(value: datetime.date) -> datetime.date:
    if not 1900 <= value.year < 2200:
        raise PydanticCustomError("implausible_date", "must be a date between the years 1900 and 2199")
    return value


_SYSTEM_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[!-~]+$")


def _source_system(value: str) -> str:
    """A source system: `local`, a 9-digit organisation number, or a URI (e.g. `urn:oid:…`)."""
    if value == LOCAL_SYSTEM or _SYSTEM_URI.match(value):
        return value
    if value.isascii() and value.isdigit() and len(value) == 9:
        return _org_number(value)
    raise PydanticCustomError(
        "invalid_system", "must be `local`, a 9-digit organisation number or a URI such as `urn:oid:2.16.578.1.12.4.1.2`"
    )


PersonNumber = Annotated[str, AfterValidator(_person_id)]
PartyNumber = Annotated[str, AfterValidator(_party_id)]
OrganisationNumber = Annotated[str, AfterValidator(_org_number)]
Identifier = Annotated[str, Field(min_length=1, max_length=MAX_IDENTIFIER)]
SourceSystem = Annotated[str, Field(min_length=1, max_length=MAX_IDENTIFIER), AfterValidator(_source_system)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Instant = Annotated[AwareDatetime, AfterValidator(_plausible_instant)]
Date = Annotated[datetime.date, AfterValidator(_plausible_date)]
Kinds = Annotated[tuple[ItemKind, ...], Field(min_length=1, max_length=len(ItemKind))]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reference(_Frozen):
    """An id qualified by its source system, in the shape of a FHIR Identifier `{system, value}`."""

    system: SourceSystem = LOCAL_SYSTEM
    value: Identifier


def _qualify(system: str) -> Callable[[Any], Any]:
    """A bare string reference belongs to `system`; a `{system, value}` mapping stays as it is."""

    def qualify(value: Any) -> Any:
        return {"system": system, "value": value} if isinstance(value, str) else value

    return qualify


def _qualify_references(data: Any, fields: tuple[str, ...]) -> Any:
    """Before validation: bare strings in `fields` become references in the object's `system`."""
    if not isinstance(data, dict):
        return data
    system = data.get("system", LOCAL_SYSTEM)
    if not isinstance(system, str):
        return data  # the system's own validation reports it
    qualify = _qualify(system)
    return {key: qualify(value) if key in fields else value for key, value in data.items()}


# ----------------------------------------------------------------------------- items


class Item(_Frozen):
    """One item of a child's record as a journal system describes it; the engine never sees contents.

    `id`, `pathway` and `referral` are unique only within their source system: `system` names it
    (bare `pathway`/`referral` strings belong to the item's system; give `{system, value}` for
    another one). Without `system` the item is from the deployment's single, `local` system.
    """

    id: Identifier
    system: SourceSystem = LOCAL_SYSTEM
    kind: ItemKind
    pathway: Reference | None = None
    referral: Reference | None = None
    labels: tuple[Annotated[str, Field(max_length=MAX_LABEL)], ...] = Field(default=(), max_length=MAX_LABELS)
    created: Instant | None = None
    organisation: OrganisationNumber | None = None

    @model_validator(mode="before")
    @classmethod
    def _qualified(cls, data: Any) -> Any:
        return _qualify_references(data, ("pathway", "referral"))

    @property
    def reference(self) -> Reference:
        """The item's own id, qualified by its source system."""
        return Reference(system=self.system, value=self.id)


class Scope(_Frozen):
    """What a fact covers: one item, care pathway or referral (or, for sharing, `all`), optionally only some kinds.

    Bare strings belong to `system` (default `local`); `{system, value}` names another one.
    `kinds` restricts the scope: e.g. the notes of a pathway while its appointments stay visible.
    """

    item: Reference | None = None
    pathway: Reference | None = None
    referral: Reference | None = None
    all: bool = False
    system: SourceSystem = LOCAL_SYSTEM
    kinds: Kinds | None = None

    @model_validator(mode="before")
    @classmethod
    def _qualified(cls, data: Any) -> Any:
        return _qualify_references(data, ("item", "pathway", "referral"))

    @model_validator(mode="after")
    def _exactly_one_target(self) -> "Scope":
        targets = sum(value is not None for value in (self.item, self.pathway, self.referral)) + self.all
        if targets != 1:
            raise ValueError("a scope names exactly one of `item`, `pathway`, `referral` or `all`")
        return self

    def target_covers(self, item: Item) -> bool:
        """True when the item is the scope's item, or belongs to its pathway or referral (kinds aside)."""
        if self.all:
            return True
        if self.item is not None:
            return self.item == item.reference
        if self.pathway is not None:
            return self.pathway == item.pathway
        return self.referral == item.referral

    def covers(self, item: Item) -> bool:
        """True when the scope's target covers the item and the item is of one of its kinds (if restricted)."""
        return self.target_covers(item) and (self.kinds is None or item.kind in self.kinds)


def _not_all(scope: Scope) -> Scope:
    if scope.all:
        raise PydanticCustomError("scope_all", "`all` is only for sharing grants: name an item, pathway or referral")
    return scope


TargetedScope = Annotated[Scope, AfterValidator(_not_all)]


# ----------------------------------------------------------------------------- authors


class Author(_Frozen):
    """Who recorded a fact: a clinician (HPR number and organisation), the adolescent (`person`), or a system."""

    hpr: Annotated[str, Field(pattern=r"^[0-9]{1,9}$")] | None = None
    org: OrganisationNumber | None = None
    person: PersonNumber | None = None
    system: Identifier | None = None


# ----------------------------------------------------------------------------- representation


class Holder(_Frozen):
    """One parental-responsibility record: a person or an organisation, with its `ansvar` and validity.

    `valid_from`/`valid_until` are the register's from/to of the record (until exclusive); an ended
    record is not a holder. `address_protection` is the holder's own grading (a person with a
    confidential address cannot represent others). `former_ids` are ids the holder had before
    (a D-number before a fødselsnummer): facts recorded under them keep applying.
    """

    id: PersonNumber | None = None
    organisation: OrganisationNumber | None = None
    responsibility: Responsibility
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    address_protection: AddressProtection = AddressProtection.UGRADERT
    former_ids: tuple[PersonNumber, ...] = Field(default=(), max_length=MAX_FORMER_IDS)

    @model_validator(mode="after")
    def _one_holder(self) -> "Holder":
        if self.id is not None and self.organisation is not None:
            raise ValueError("a holder is either a person (`id`) or an `organisation`, not both")
        if self.id is None and self.organisation is None and self.responsibility is not Responsibility.UKJENT:
            raise ValueError("a holder needs an `id` or an `organisation` unless `responsibility` is `ukjent`")
        if self.valid_from is not None and self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("`valid_until` must be after `valid_from`")
        if self.former_ids and self.id is None:
            raise ValueError("`former_ids` belong to a person holder (`id`)")
        if self.id is not None and self.id in self.former_ids:
            raise ValueError("`former_ids` must not include the holder's current `id`")
        return self

    @property
    def party(self) -> str | None:
        """The holder's id: the person number or the organisation number."""
        return self.id if self.id is not None else self.organisation

    def holds_at(self, at: datetime.datetime) -> bool:
        """True when the register's record is in force at `at` (from inclusive, until exclusive)."""
        if self.valid_from is not None and at < self.valid_from:
            return False
        return self.valid_until is None or at < self.valid_until


class Representation(_Frozen):
    """The child's representation and register status as read from Folkeregisteret at `retrieved_at`.

    `status` defaults to `bosatt` for syncs that do not send it. `death_date` is the date of death
    (Oslo local date) when `status` is `doed`. `former_ids` are the child's earlier ids.
    """

    birth_date: Date | None = None
    address_protection: AddressProtection = AddressProtection.UGRADERT
    status: RegisterStatus = RegisterStatus.BOSATT
    death_date: Date | None = None
    former_ids: tuple[PersonNumber, ...] = Field(default=(), max_length=MAX_FORMER_IDS)
    holders: tuple[Holder, ...] = Field(default=(), max_length=MAX_HOLDERS)
    retrieved_at: Instant
    id: str | None = None
    recorded_at: Instant | None = None

    @model_validator(mode="after")
    def _death_consistent(self) -> "Representation":
        if self.death_date is not None and self.status is not RegisterStatus.DOED:
            raise ValueError("`death_date` is given only with `status` `doed`")
        if self.death_date is not None and self.birth_date is not None and self.death_date < self.birth_date:
            raise ValueError("`death_date` is before `birth_date`")
        return self

    def deceased_at(self, at: datetime.datetime) -> bool:
        """True when the child has died by `at`: from 00:00 Oslo time on the death date (always, when the date is unknown)."""
        if self.status is not RegisterStatus.DOED:
            return False
        return self.death_date is None or at.astimezone(OSLO).date() >= self.death_date


class IdLink(_Frozen):
    """The register's record that a person's id `former` was replaced by `current` (same person)."""

    former: PersonNumber
    current: PersonNumber

    @model_validator(mode="after")
    def _distinct(self) -> "IdLink":
        if self.former == self.current:
            raise ValueError("an id link joins two different ids")
        return self


# ----------------------------------------------------------------------------- clinicians' facts


class ClinicalFact(_Frozen):
    """What every recorded fact has: identity, author, validity and revocation."""

    id: Identifier
    recorded_at: Instant | None = None
    author: Author | None = None
    valid_from: Instant | None = None
    valid_until: Instant | None = None
    revoked_at: Instant | None = None
    revoked_by: Author | None = None
    revocation_reason: Text | None = None
    # For grey-zone assessments: revoking releases what was confided while it applied (see Assessment).
    release_confided: bool = False

    @model_validator(mode="after")
    def _validity_in_order(self) -> "ClinicalFact":
        if self.valid_from is not None and self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("`valid_until` must be after `valid_from`")
        return self

    def active_at(self, at: datetime.datetime) -> bool:
        """Valid at `at` (from inclusive, until exclusive) and not revoked at or before it."""
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_until is not None and at >= self.valid_until:
            return False
        return self.revoked_at is None or at < self.revoked_at


class _Draft(_Frozen):
    """What a writer sends to create a fact: no id, author or record time (the store adds them)."""

    valid_from: Instant | None = None
    valid_until: Instant | None = None

    @model_validator(mode="after")
    def _validity_in_order(self) -> "_Draft":
        if self.valid_from is not None and self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("`valid_until` must be after `valid_from`")
        return self


Targets = Annotated[tuple[PartyNumber, ...], Field(min_length=1, max_length=MAX_TARGETS)]


class _Targeted(_Frozen):
    """A fact for all representatives (`"all"`) or for named ones."""

    applies_to: Literal["all"] | Targets

    def applies_to_party(self, party: str) -> bool:
        """True when the fact names this party, or all representatives (ids compared as given)."""
        return self.applies_to == "all" or party in self.applies_to


class ExemptionFields(_Targeted):
    """An exemption: a scope withheld from all representatives, named ones, or the child (pbrl-5-1-2)."""

    scope: TargetedScope
    legal_basis: ExemptionLegalBasis
    reason: Text


class ExemptionDraft(ExemptionFields, _Draft):
    """A new exemption as requested."""


class Exemption(ExemptionFields, ClinicalFact):
    """A clinician withholds a scope from all representatives, from named ones, or from the child."""


class AssessmentFields(_Frozen):
    """A grey-zone assessment (child 12–15) of a scope: the adolescent's wish and competence, recorded apart.

    `parents_informed: false` records the adolescent's wish, for reasons that should be respected,
    that the parents are not informed (pbrl §3-4 second paragraph; no condition of competence).
    `adolescent_can_consent` records competence to consent to this care (§4-3 first paragraph b):
    `true` gives the adolescent their own access to the scope. Either may be left out (not
    assessed), not both. Items created while a wish applied stay hidden from the parents after it
    ends (expiry or revocation) unless the revocation says `release_confided`.
    """

    scope: TargetedScope
    adolescent_can_consent: bool | None = None
    parents_informed: bool | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _something_assessed(self) -> "AssessmentFields":
        if self.adolescent_can_consent is None and self.parents_informed is None:
            raise ValueError("an assessment records `adolescent_can_consent`, `parents_informed`, or both")
        return self

    @property
    def wishes_parents_not_informed(self) -> bool:
        """True when the adolescent's wish that the parents are not informed is recorded."""
        return self.parents_informed is False


class AssessmentDraft(AssessmentFields, _Draft):
    """A new grey-zone assessment as requested."""


class Assessment(AssessmentFields, ClinicalFact):
    """A grey-zone assessment as stored."""

    @property
    def made_at(self) -> datetime.datetime | None:
        """When the assessment was made: when it was recorded, or else when it took effect."""
        return self.recorded_at or self.valid_from

    @property
    def confided_window(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        """The span in which items were confided under the wish: (start, end); None = open."""
        start = self.valid_from or self.recorded_at
        ends = [end for end in (self.valid_until, self.revoked_at) if end is not None]
        return start, (min(ends) if ends else None)


class AccessProfileFields(_Frozen):
    """Differentiated access: this representative sees only these kinds (`[]` = nothing)."""

    representative: PartyNumber
    kinds: tuple[ItemKind, ...] = Field(max_length=len(ItemKind))


class AccessProfileDraft(AccessProfileFields, _Draft):
    """A new access profile as requested."""


class AccessProfile(AccessProfileFields, ClinicalFact):
    """An access profile as stored."""


class NecessaryInformationFields(_Targeted):
    """A mark that a scope is necessary to fulfil parental responsibility (shown to holders until 18)."""

    scope: TargetedScope
    legal_basis: Literal["pbrl-3-4-4"] = "pbrl-3-4-4"
    reason: Text


class NecessaryInformationDraft(NecessaryInformationFields, _Draft):
    """A new necessary-information mark as requested."""


class NecessaryInformation(NecessaryInformationFields, ClinicalFact):
    """A necessary-information mark as stored."""


class SharingGrantFields(_Frozen):
    """The adolescent (16–17) lets a parent see a scope (`all`, a pathway, a referral, an item; optionally some kinds).

    Recorded on the adolescent's own initiative (the author is the adolescent) and withdrawn by
    revoking it. It never overrides an exemption.
    """

    grantee: PersonNumber
    scope: Scope
    note: Text | None = None


class SharingGrantDraft(SharingGrantFields, _Draft):
    """A new sharing grant as requested."""


class SharingGrant(SharingGrantFields, ClinicalFact):
    """A sharing grant as stored."""


class CareOrderFields(_Frozen):
    """The child welfare service (`organisation`) has taken over care (omsorgsovertakelse) from `valid_from`."""

    organisation: OrganisationNumber
    reference: Annotated[str, Field(min_length=1, max_length=MAX_IDENTIFIER)] | None = None
    legal_basis: Literal["pbrl-4-4"] = "pbrl-4-4"


class CareOrderDraft(CareOrderFields, _Draft):
    """A new care order as requested (`valid_from` required)."""

    @model_validator(mode="after")
    def _has_start(self) -> "CareOrderDraft":
        if self.valid_from is None:
            raise ValueError("a care order needs `valid_from`: when the service took over care")
        return self


class CareOrder(CareOrderFields, ClinicalFact):
    """A care order as stored."""


# The draft of any kind of fact, for signatures that take one (the shared base stays private:
# nothing builds a bare draft).
FactDraft = _Draft


# ----------------------------------------------------------------------------- one child's facts


class ChildFacts(_Frozen):
    """Everything the engine knows about one child, as read at one moment.

    `id_links` are every id change the register has reported for the child and its holders
    (also from earlier snapshots): a fact recorded under a former id applies as under the new one.
    """

    child: PersonNumber
    representation: Representation | None = None
    exemptions: tuple[Exemption, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    access_profiles: tuple[AccessProfile, ...] = ()
    necessary_information: tuple[NecessaryInformation, ...] = ()
    sharing_grants: tuple[SharingGrant, ...] = ()
    care_orders: tuple[CareOrder, ...] = ()
    id_links: tuple[IdLink, ...] = ()
    version: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ChildFacts":
        from_id = parse_person_id(self.child).birth_date
        registered = self.representation.birth_date if self.representation else None
        if from_id is not None and registered is not None and from_id != registered:
            raise ValueError(f"`representation.birth_date` {registered} disagrees with the child's id ({from_id})")
        birth_date = registered or from_id
        for assessment in self.assessments:
            # A revoked assessment no longer counts: revoking is how a clinician clears one that a
            # corrected birth date has put outside 12–15, so it must not keep the child's facts invalid.
            if assessment.revoked_at is None:
                check_assessment_age(assessment, birth_date)
        return self

    @property
    def birth_date(self) -> datetime.date | None:
        """The child's birth date: from the register when known, else from the id (None for 2032 and FH numbers)."""
        if self.representation is not None and self.representation.birth_date is not None:
            return self.representation.birth_date
        return parse_person_id(self.child).birth_date


def check_assessment_age(assessment: Assessment, birth_date: datetime.date | None) -> None:
    """Raise ValueError unless the child was 12–15 when the assessment was made (when both are known)."""
    made_at = assessment.made_at
    if birth_date is None or made_at is None:
        return
    years = age_at(birth_date, made_at)
    if not 12 <= years <= 15:
        raise ValueError(
            f"assessment `{assessment.id}`: a grey-zone assessment is for a child aged 12–15, "
            f"but the child was {years} when it was made"
        )


# ----------------------------------------------------------------------------- the kinds, once


class FactKind(str, enum.Enum):
    """The kinds of recorded fact, named as in the HTTP API."""

    EXEMPTIONS = "exemptions"
    ASSESSMENTS = "assessments"
    ACCESS_PROFILES = "access-profiles"
    NECESSARY_INFORMATION = "necessary-information"
    SHARING_GRANTS = "sharing-grants"
    CARE_ORDERS = "care-orders"


@dataclass(frozen=True)
class FactKindSpec:
    """Everything the store, the service and the API need to know about one kind of fact."""

    kind: FactKind
    record: type[ClinicalFact]
    draft: type[_Draft]
    id_prefix: str
    field: str  # the `ChildFacts` field holding this kind
    noun: str
    writer: Literal["clinician", "adolescent"]  # who authors it (the adolescent: from 16, sharing only)


FACT_KINDS: dict[FactKind, FactKindSpec] = {
    spec.kind: spec
    for spec in (
        FactKindSpec(FactKind.EXEMPTIONS, Exemption, ExemptionDraft, "ex", "exemptions", "exemption", "clinician"),
        FactKindSpec(FactKind.ASSESSMENTS, Assessment, AssessmentDraft, "as", "assessments", "grey-zone assessment", "clinician"),
        FactKindSpec(FactKind.ACCESS_PROFILES, AccessProfile, AccessProfileDraft, "ap", "access_profiles", "access profile", "clinician"),
        FactKindSpec(
            FactKind.NECESSARY_INFORMATION, NecessaryInformation, NecessaryInformationDraft, "ni",
            "necessary_information", "necessary-information mark", "clinician",
        ),
        FactKindSpec(FactKind.SHARING_GRANTS, SharingGrant, SharingGrantDraft, "sg", "sharing_grants", "sharing grant", "adolescent"),
        FactKindSpec(FactKind.CARE_ORDERS, CareOrder, CareOrderDraft, "co", "care_orders", "care order", "clinician"),
    )
}
FACT_TYPES: dict[FactKind, type[ClinicalFact]] = {kind: spec.record for kind, spec in FACT_KINDS.items()}
DRAFT_TYPES: dict[FactKind, type[_Draft]] = {kind: spec.draft for kind, spec in FACT_KINDS.items()}
