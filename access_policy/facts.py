"""The facts the engine decides over: items, representation and what clinicians set.

Facts are values: the engine reads them and never changes them. Validation happens here, when a
fact is built, so the decision core can trust what it is given.
"""

from __future__ import annotations

import datetime
import enum
from typing import Annotated, Callable, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from access_policy.age import age_at
from access_policy.errors import InvalidIdError
from access_policy.identity import parse_organisation_number, parse_party_id, parse_person_id


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
        """True for the gradings under which the child can neither represent nor be represented."""
        return self in (AddressProtection.FORTROLIG, AddressProtection.STRENGT_FORTROLIG)


EXEMPTION_LEGAL_BASES = ("pbrl-3-4-3", "pbrl-5-1-2", "pbrl-3-4-2")
NECESSARY_INFORMATION_LEGAL_BASES = ("pbrl-3-4-4",)


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


PersonNumber = Annotated[str, AfterValidator(_person_id)]
PartyNumber = Annotated[str, AfterValidator(_party_id)]
OrganisationNumber = Annotated[str, AfterValidator(_org_number)]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]
Text = Annotated[str, Field(max_length=4000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Item(_Frozen):
    """One item of a child's record as a journal system describes it; the engine never sees contents."""

    id: Identifier
    kind: ItemKind
    pathway: Identifier | None = None
    referral: Identifier | None = None
    labels: tuple[Annotated[str, Field(max_length=100)], ...] = Field(default=(), max_length=50)
    created: AwareDatetime | None = None
    organisation: OrganisationNumber | None = None


class Scope(_Frozen):
    """What a clinician's fact covers: exactly one item, care pathway or referral."""

    item: Identifier | None = None
    pathway: Identifier | None = None
    referral: Identifier | None = None

    @model_validator(mode="after")
    def _exactly_one_target(self) -> "Scope":
        targets = sum(value is not None for value in (self.item, self.pathway, self.referral))
        if targets != 1:
            raise ValueError("a scope names exactly one of `item`, `pathway` or `referral`")
        return self

    def covers(self, item: Item) -> bool:
        """True when the item is the scope's item, or belongs to its pathway or referral."""
        if self.item is not None:
            return self.item == item.id
        if self.pathway is not None:
            return self.pathway == item.pathway
        return self.referral == item.referral


class Author(_Frozen):
    """Who recorded a fact: a clinician (HPR number and organisation) or a system such as the register sync."""

    hpr: Annotated[str, Field(pattern=r"^\d{1,9}$")] | None = None
    org: OrganisationNumber | None = None
    system: Identifier | None = None


class Holder(_Frozen):
    """One parental-responsibility record: a person or an organisation, with its `ansvar`."""

    id: PersonNumber | None = None
    organisation: OrganisationNumber | None = None
    responsibility: Responsibility

    @model_validator(mode="after")
    def _one_holder(self) -> "Holder":
        if self.id is not None and self.organisation is not None:
            raise ValueError("a holder is either a person (`id`) or an `organisation`, not both")
        if self.id is None and self.organisation is None and self.responsibility is not Responsibility.UKJENT:
            raise ValueError("a holder needs an `id` or an `organisation` unless `responsibility` is `ukjent`")
        return self

    @property
    def party(self) -> str | None:
        """The holder's id: the person number or the organisation number."""
        return self.id if self.id is not None else self.organisation


class Representation(_Frozen):
    """The child's representation as read from Folkeregisteret at `retrieved_at`."""

    birth_date: datetime.date | None = None
    address_protection: AddressProtection = AddressProtection.UGRADERT
    holders: tuple[Holder, ...] = Field(default=(), max_length=20)
    retrieved_at: AwareDatetime
    id: str | None = None
    recorded_at: AwareDatetime | None = None


class ClinicalFact(_Frozen):
    """What every clinician-set fact has: identity, author, validity and revocation."""

    id: Identifier
    recorded_at: AwareDatetime | None = None
    author: Author | None = None
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None
    revoked_by: Author | None = None

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


class Exemption(ClinicalFact):
    """A clinician withholds a scope from all representatives or from named ones."""

    scope: Scope
    applies_to: Literal["all"] | tuple[PartyNumber, ...]
    legal_basis: Literal["pbrl-3-4-3", "pbrl-5-1-2", "pbrl-3-4-2"]
    reason: Text

    def applies_to_party(self, party: str) -> bool:
        """True when the exemption concerns this representative."""
        return self.applies_to == "all" or party in self.applies_to


class Assessment(ClinicalFact):
    """A grey-zone assessment: can the adolescent (12–15) consent to this care, and are parents informed."""

    scope: Scope
    adolescent_can_consent: bool
    parents_informed: bool
    note: Text | None = None

    @property
    def made_at(self) -> datetime.datetime | None:
        """When the assessment was made: when it was recorded, or else when it took effect."""
        return self.recorded_at or self.valid_from


class AccessProfile(ClinicalFact):
    """Differentiated access: this representative sees only these kinds (`[]` = nothing)."""

    representative: PartyNumber
    kinds: tuple[ItemKind, ...] = Field(max_length=len(ItemKind))


class NecessaryInformation(ClinicalFact):
    """A mark that a scope is necessary to fulfil parental responsibility (shown to holders until 18)."""

    scope: Scope
    applies_to: Literal["all"] | tuple[PartyNumber, ...]
    legal_basis: Literal["pbrl-3-4-4"] = "pbrl-3-4-4"
    reason: Text

    def applies_to_party(self, party: str) -> bool:
        """True when the mark concerns this representative."""
        return self.applies_to == "all" or party in self.applies_to


class ChildFacts(_Frozen):
    """Everything the engine knows about one child, as read at one moment."""

    child: PersonNumber
    representation: Representation | None = None
    exemptions: tuple[Exemption, ...] = ()
    assessments: tuple[Assessment, ...] = ()
    access_profiles: tuple[AccessProfile, ...] = ()
    necessary_information: tuple[NecessaryInformation, ...] = ()
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


class _Draft(_Frozen):
    """What a clinician sends to create a fact: no id, author or record time (the store adds them)."""

    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None

    @model_validator(mode="after")
    def _validity_in_order(self) -> "_Draft":
        if self.valid_from is not None and self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("`valid_until` must be after `valid_from`")
        return self


class ExemptionDraft(_Draft):
    """A new exemption as requested."""

    scope: Scope
    applies_to: Literal["all"] | tuple[PartyNumber, ...]
    legal_basis: Literal["pbrl-3-4-3", "pbrl-5-1-2", "pbrl-3-4-2"]
    reason: Text


class AssessmentDraft(_Draft):
    """A new grey-zone assessment as requested."""

    scope: Scope
    adolescent_can_consent: bool
    parents_informed: bool
    note: Text | None = None


class AccessProfileDraft(_Draft):
    """A new access profile as requested."""

    representative: PartyNumber
    kinds: tuple[ItemKind, ...] = Field(max_length=len(ItemKind))


class NecessaryInformationDraft(_Draft):
    """A new necessary-information mark as requested."""

    scope: Scope
    applies_to: Literal["all"] | tuple[PartyNumber, ...]
    legal_basis: Literal["pbrl-3-4-4"] = "pbrl-3-4-4"
    reason: Text


class FactKind(str, enum.Enum):
    """The kinds of clinician-set fact, named as in the HTTP paths."""

    EXEMPTIONS = "exemptions"
    ASSESSMENTS = "assessments"
    ACCESS_PROFILES = "access-profiles"
    NECESSARY_INFORMATION = "necessary-information"


FACT_TYPES: dict[FactKind, type[ClinicalFact]] = {
    FactKind.EXEMPTIONS: Exemption,
    FactKind.ASSESSMENTS: Assessment,
    FactKind.ACCESS_PROFILES: AccessProfile,
    FactKind.NECESSARY_INFORMATION: NecessaryInformation,
}
DRAFT_TYPES: dict[FactKind, type[_Draft]] = {
    FactKind.EXEMPTIONS: ExemptionDraft,
    FactKind.ASSESSMENTS: AssessmentDraft,
    FactKind.ACCESS_PROFILES: AccessProfileDraft,
    FactKind.NECESSARY_INFORMATION: NecessaryInformationDraft,
}
