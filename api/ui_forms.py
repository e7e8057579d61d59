"""The clinician's create forms, derived from the draft models of `access_policy.facts`.

One table (`KIND_TEXT`) gives each fact kind its Norwegian label; the fields and their widgets
are read from the draft model (`DRAFT_TYPES`), so a new kind of fact is one entry here. A field
whose type this module does not know gets a plain text input: the draft model still validates it.
"""

from __future__ import annotations

import datetime
import types
import typing
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Mapping, Sequence

from pydantic import AwareDatetime, BaseModel, ValidationError

from access_policy.age import OSLO
from access_policy.facts import DRAFT_TYPES, FACT_KINDS, LOCAL_SYSTEM, FactKind, ItemKind, PartyNumber, Scope
from access_policy.workbench.texts import LEGAL_TEXTS

# Per kind: (label, what it does). A kind missing here is shown by its name.
KIND_TEXT: dict[str, tuple[str, str]] = {
    "exemptions": ("Unntak", "Hold en journalopplysning, et forløp eller en henvisning tilbake overfor alle foreldre, én forelder eller barnet selv."),
    "assessments": ("Gråsonevurdering (12–15 år)",
                    "Registrer barnets ønske om at foreldrene ikke informeres, barnets samtykkekompetanse, eller begge. "
                    "Minst ett av dem må være vurdert."),
    "access-profiles": ("Ulik tilgang", "Gi én forelder innsyn bare i noen typer opplysninger."),
    "necessary-information": ("Nødvendig informasjon", "Vis noe til foreldrene som nødvendig for å ivareta foreldreansvaret (til 18 år)."),
    "sharing-grants": ("Deling fra ungdommen (16–17 år)",
                       "Ungdommen lar en forelder se noe. Bare ungdommen selv kan gi og trekke tilbake en deling, fra sin egen innlogging."),
    "care-orders": ("Omsorgsovertakelse",
                    "Barnevernstjenesten har overtatt omsorgen: den får foreldreansvarets innsyn, og foreldrenes digitale innsyn stanses."),
}

FIELD_LABELS: dict[str, str] = {
    "scope": "Gjelder",
    "applies_to": "Holdes tilbake overfor / vises til",
    "legal_basis": "Hjemmel",
    "reason": "Begrunnelse",
    "adolescent_can_consent": "Barnets samtykkekompetanse for denne helsehjelpen (pbrl. § 4-3)",
    "parents_informed": "Barnets ønske om at foreldrene ikke informeres (pbrl. § 3-4 andre ledd)",
    "grantee": "Forelderen som får se",
    "organisation": "Barnevernstjenestens organisasjonsnummer",
    "reference": "Saksreferanse (valgfritt)",
    "note": "Notat",
    "representative": "Forelder",
    "kinds": "Typer opplysninger forelderen får se",
    "valid_from": "Gjelder fra (norsk tid, valgfritt)",
    "valid_until": "Gjelder til (norsk tid, valgfritt)",
}

ITEM_KIND_LABELS: dict[str, str] = {
    "appointment": "Avtaler",
    "test_result": "Prøvesvar",
    "document": "Dokumenter",
    "note": "Notater",
    "referral": "Henvisningsbrev",
    "medication": "Legemidler",
    "vaccination": "Vaksinasjoner",
    "message": "Meldinger",
}

SCOPE_LABELS = {"item": "Én journalopplysning", "pathway": "Et forløp", "referral": "En henvisning"}
# Tri-state answers (`bool | None`): "not assessed" is its own answer, never a silent false.
TRISTATE_OPTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "parents_informed": (
        ("", "Ikke vurdert"),
        ("false", "Ja: barnet ønsker at foreldrene ikke informeres"),
        ("true", "Nei: barnet har ikke et slikt ønske"),
    ),
    "adolescent_can_consent": (
        ("", "Ikke vurdert"),
        ("true", "Barnet kan samtykke selv og får eget innsyn"),
        ("false", "Barnet kan ikke samtykke selv"),
    ),
}
_TRISTATE_DEFAULT = (("", "Ikke vurdert"), ("true", "Ja"), ("false", "Nei"))
# Fields a kind requires although its draft type accepts them empty (its validator refuses that).
REQUIRED: dict[str, frozenset[str]] = {"care-orders": frozenset({"valid_from"})}
# Messages of the model's own checks, as a clinician reads them.
MESSAGES: dict[str, str] = {
    "an assessment records": "Vurder barnets ønske, samtykkekompetansen eller begge (minst ett av dem).",
    "a care order needs `valid_from`": "Skriv inn når barnevernstjenesten overtok omsorgen («Gjelder fra»).",
}

# The ages (from inclusive, to exclusive) at which a legal basis can apply to a child.
LEGAL_BASIS_AGES: dict[str, tuple[int, int]] = {
    "pbrl-3-4-2": (12, 16),
    "pbrl-3-4-3": (0, 16),
    "pbrl-5-1-2": (0, 18),
    "pbrl-3-4-4": (0, 18),
}
LEGAL_BASIS_TEXT: dict[str, str] = {basis: texts[0] for basis, texts in LEGAL_TEXTS.items()}
_PARTY_VALIDATOR = typing.get_args(PartyNumber)[1]
# Fields every clinician's fact has: shown last in a form.
_VALIDITY = ("valid_from", "valid_until")


@dataclass(frozen=True)
class FormField:
    """One field of a create form: its name, label, widget and the values it offers."""

    name: str
    label: str
    widget: str  # scope | parties | party | choice | bool | tristate | kinds | textarea | text | datetime
    required: bool
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KindForm:
    """The create form of one fact kind."""

    kind: str
    label: str
    description: str
    fields: tuple[FormField, ...]
    draft: type[BaseModel]
    writable: bool = True  # False: another party writes this kind (sharing grants: the adolescent), the page only shows it

    def offered(self, age: int | None) -> bool:
        """Whether this kind can be set at the child's age (grey-zone assessments: 12–15 only)."""
        if self.kind == FactKind.ASSESSMENTS.value:
            return age is None or 12 <= age <= 15
        return True


def _is_datetime(annotation: Any) -> bool:
    return annotation is AwareDatetime or (isinstance(annotation, type) and issubclass(annotation, datetime.datetime))


def _is_party(info: Any) -> bool:
    # PartyNumber is `Annotated[str, AfterValidator(...)]`; pydantic keeps that validator in the field's metadata.
    return _PARTY_VALIDATOR in info.metadata


def _widget(name: str, info: Any) -> tuple[str, tuple[tuple[str, str], ...]]:
    annotation = info.annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation is Scope:
        return "scope", tuple(SCOPE_LABELS.items())
    if annotation is bool:
        return "bool", ()
    if origin in (typing.Union, types.UnionType) and set(args) == {bool, type(None)}:
        return "tristate", TRISTATE_OPTIONS.get(name, _TRISTATE_DEFAULT)
    if origin is Literal:
        return "choice", tuple((str(value), LEGAL_BASIS_TEXT.get(str(value), str(value))) for value in args)
    if origin in (typing.Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        # `Targets` is `Annotated[tuple[...], ...]`: look through the annotation to the tuple.
        bare = [typing.get_args(arg)[0] if typing.get_origin(arg) is Annotated else arg for arg in present]
        if any(typing.get_origin(arg) is Literal for arg in bare) and any(typing.get_origin(arg) is tuple for arg in bare):
            return "parties", ()
        if len(present) == 1 and _is_datetime(bare[0]):
            return "datetime", ()
        if len(present) == 1 and (present[0] is str or typing.get_args(present[0])[:1] == (str,)):
            metadata = [m for meta in typing.get_args(present[0])[1:] for m in (meta, *getattr(meta, "metadata", ()))]
            longest = max((getattr(meta, "max_length", 0) or 0 for meta in metadata), default=0)
            return ("text" if 0 < longest <= 200 else "textarea"), ()  # optional free text (`Text | None`) or an identifier
    if origin is tuple and args and args[0] is ItemKind:
        return "kinds", tuple((kind.value, ITEM_KIND_LABELS.get(kind.value, kind.value)) for kind in ItemKind)
    if _is_datetime(annotation):
        return "datetime", ()
    if annotation is str:
        if _is_party(info):
            return "party", ()
        longest = max((getattr(meta, "max_length", 0) or 0 for meta in info.metadata), default=0)
        return ("textarea" if longest > 200 else "text"), ()
    return "text", ()


def _form(kind: FactKind, draft: type[BaseModel]) -> KindForm:
    label, description = KIND_TEXT.get(kind.value, (kind.value, ""))
    names = [name for name in draft.model_fields if name not in _VALIDITY] + [n for n in _VALIDITY if n in draft.model_fields]
    fields = []
    required = REQUIRED.get(kind.value, frozenset())
    for name in names:
        info = draft.model_fields[name]
        widget, options = _widget(name, info)
        text = FIELD_LABELS.get(name, name)
        if name in required:
            text = text.replace(", valgfritt", "")
        fields.append(FormField(name, text, widget, info.is_required() or name in required, options))
    writable = getattr(FACT_KINDS.get(kind), "writer", "clinician") == "clinician"
    return KindForm(kind.value, label, description, tuple(fields), draft, writable)


def kind_forms() -> list[KindForm]:
    """The create form of every fact kind the engine knows, in the table's order."""
    return [_form(kind, draft) for kind, draft in DRAFT_TYPES.items()]


def legal_bases_for(options: Sequence[tuple[str, str]], age: int | None) -> list[tuple[str, str]]:
    """The legal bases that can apply at the child's age (all of them when the age is unknown)."""
    if age is None:
        return list(options)
    kept = []
    for value, label in options:
        low, high = LEGAL_BASIS_AGES.get(value, (0, 200))
        if low <= age < high:
            kept.append((value, label))
    return kept


def _local_time(text: str, name: str) -> str:
    try:
        local = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"`{text}` er ikke et tidspunkt") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=OSLO)
    return local.isoformat()


class FormError(Exception):
    """A form that does not describe a valid draft: per field, what is wrong (in the form's terms)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = problems


def parse_form(form: KindForm, values: Mapping[str, Any]) -> BaseModel:
    """The draft a submitted form describes; raises `FormError` naming each wrong field."""
    get = lambda key: (values.get(key) or "").strip()  # noqa: E731
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for field in form.fields:
        name = field.name
        try:
            if field.widget == "scope":
                target, ident = get(f"{name}.type"), get(f"{name}.id")
                if target not in SCOPE_LABELS or not ident:
                    raise ValueError("velg hva det gjelder og skriv inn id-en")
                scope: dict[str, Any] = {target: ident}
                system = get(f"{name}.system")
                if system and system != LOCAL_SYSTEM:
                    scope["system"] = system
                getlist = getattr(values, "getlist", None)
                kinds = list(getlist(f"{name}.kinds")) if getlist else list(values.get(f"{name}.kinds") or [])
                if kinds:
                    scope["kinds"] = kinds
                data[name] = scope
            elif field.widget == "parties":
                chosen = get(f"{name}.other") or get(name)
                if chosen:
                    data[name] = "all" if chosen == "all" else [chosen]
            elif field.widget == "party":
                chosen = get(f"{name}.other") or get(name)
                if chosen:
                    data[name] = chosen
            elif field.widget == "bool":
                data[name] = get(name) == "true"
            elif field.widget == "tristate":
                answer = get(name)
                if answer not in ("", "true", "false"):
                    raise ValueError("velg ikke vurdert, ja eller nei")
                if answer:
                    data[name] = answer == "true"
            elif field.widget == "kinds":
                getlist = getattr(values, "getlist", None)
                data[name] = list(getlist(name)) if getlist else list(values.get(name) or [])
            elif field.widget == "datetime":
                if get(name):
                    data[name] = _local_time(get(name), name)
            elif get(name):
                data[name] = get(name)
        except ValueError as error:
            problems.append((field.label, str(error)))
    if problems:
        raise FormError(problems)
    try:
        return form.draft.model_validate(data)
    except ValidationError as error:
        labels = {field.name: field.label for field in form.fields}
        found = []
        for problem in error.errors():
            where = problem["loc"][0] if problem["loc"] else ""
            message = next((text for start, text in MESSAGES.items() if start in problem["msg"]), problem["msg"])
            found.append((labels.get(str(where), str(where) or "Skjemaet"), message))
        raise FormError(found) from None
